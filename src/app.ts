/** buildApp(config): the HTTP server with GraphQL, GraphiQL, SSE and graphql-ws on one port; start/stop separate from building. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import type { DatabaseHandle } from './db/handle';
import type { Backend } from './domain/ports';
import { indexInBackground, stopIndexing } from './domain/history/index-history';
import { reconcileInterruptedChanges } from './domain/requests/change-requests';
import { reconcileInterruptedExecutions, repairPass } from './domain/requests/run-execution';
import { startReachabilityMonitor } from './domain/sync';
import type { InProcessEventBus } from './events/pubsub';
import { watchLivePermissions } from './graphql/live-permissions';
import { trackInFlightOperations } from './graphql/plugins/in-flight';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import { createDispatcher, type Dispatcher } from './notifications/dispatcher';
import { createAuthGuard } from './server/auth-guard';
import { openBackend, type BackendOptions } from './server/backend';
import { createGitHttp, type GitHttp } from './server/git-http';
import { createHttpHandler, type HttpState } from './server/http';
import { createIncidentScreen } from './server/incident';
import { attachWebSockets, type WebSocketEndpoint } from './server/websocket';
import { createYogaServer, type Yoga } from './server/yoga';

export { DataDirectoryError, checkDataDirectory } from './server/backend';

export interface App {
  backend: Backend;
  database: DatabaseHandle;
  bus: InProcessEventBus;
  /** Sends the notification outbox; runs while the server listens. */
  notifications: Dispatcher;
  yoga: Yoga;
  /** Git over HTTP at /git/<project>.git. */
  git: GitHttp;
  server: http.Server;
  /** graphql-ws on the server's port. */
  webSockets: WebSocketEndpoint;
  logger: Logger;
  /** Connected and migrated (PostgreSQL) and subscribed (Redis): rejects with a message naming the variable. */
  ready(): Promise<void>;
  /** Listens on the port (0 = any free port) and resolves with the bound one. */
  start(port?: number, host?: string): Promise<number>;
  /**
   * Stops accepting, ends running Git-over-HTTP processes, closes graphql-ws sockets (1001), lets
   * executing operations of every transport finish, then closes the database; after SHUTDOWN_TIMEOUT_MS it cuts what is left
   * and reports `timedOut`.
   */
  stop(): Promise<{ timedOut: boolean }>;
  /** Closes only the database, for an app that never listened. */
  stopServices(): Promise<void>;
}

export interface AppOptions extends BackendOptions {
  logger?: Logger;
}

export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const { backend, database, pubsub, bus, originEvents, ready, closeEvents, outbox, addressPolicy } = openBackend(config, { ...options, logger });
  // Counted where they happened: with Redis, `pubsub` also carries the other instances' events.
  const metrics = createMetrics(originEvents);
  backend.observer = {
    casRetry: (projectId, attempt) => {
      metrics.casRetries.inc();
      logger.warn({ projectId, attempt }, 'compare-and-swap retry: main moved while a change was being written');
    },
  };
  const notifications = createDispatcher(
    backend,
    {
      backoffBaseMs: config.NOTIFY_BACKOFF_BASE_MS,
      backoffMaxMs: config.NOTIFY_BACKOFF_MAX_MS,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      pollMs: config.NOTIFY_POLL_MS,
      concurrency: config.NOTIFY_CONCURRENCY,
    },
    addressPolicy,
    logger,
    metrics.notificationAttempt,
  );
  outbox.onWritten = () => notifications.wake();
  const operations = trackInFlightOperations();
  // SSE subscription streams, re-checked like sockets, and ended on shutdown.
  const streams = watchLivePermissions(backend.stores, logger, config.WS_RECHECK_MS, () => backend.now());
  const auth = createAuthGuard(backend.stores, config, logger, () => backend.now());
  const yoga = createYogaServer(config, { backend, pubsub, logger, metrics: metrics.registry, operations, streams, auth });
  const state: HttpState = { ready: false, stopping: false };
  const git = createGitHttp({
    backend,
    repositoriesDir: config.repositoriesDir,
    maxConcurrency: config.GIT_HTTP_MAX_CONCURRENCY,
    queue: config.GIT_HTTP_QUEUE,
    timeoutMs: config.GIT_HTTP_TIMEOUT_MS,
    logger,
    auth,
    trustProxy: config.TRUST_PROXY,
  });
  const server = http.createServer(createHttpHandler(yoga, config.BODY_LIMIT_BYTES, state, git, createIncidentScreen({ graphiql: config.GRAPHIQL })));
  const webSockets = attachWebSockets(server, yoga, backend, config, logger, auth);

  let monitor: { stop(): void } | null = null;
  let stopping: Promise<{ timedOut: boolean }> | null = null;
  let repairs: { stop(): Promise<void> } | null = null;
  /** The repair pass, every REPAIR_INTERVAL_MS (one at a time): heals what a full disk or a failed write left behind. */
  const startRepairs = () => {
    let running: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(async () => {
        const { reconciled, errors } = await repairPass(backend);
        for (const outcome of reconciled) logger.warn(outcome, 'repaired a rollback request nobody was executing');
        for (const { what, error } of errors) logger.error({ err: error }, `repair pass: ${what} could not be repaired yet`);
      });
    }, config.REPAIR_INTERVAL_MS);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await running.catch(() => undefined);
      },
    };
  };
  const closeServices = async () => {
    await notifications.stop();
    metrics.stop();
    await stopIndexing(backend);
    await closeEvents();
    await Promise.all([database.close(), backend.compute.close()]);
  };
  return {
    backend,
    database,
    bus,
    notifications,
    yoga,
    git,
    server,
    webSockets,
    logger,
    ready: () => ready,
    start: async (port = config.PORT, host = config.HOST) => {
      await ready;
      // Ready means migrations ran and every project's repository opens.
      await Promise.all((await backend.stores.projects.all()).map((project) => backend.repositories.forProject(project.slug)));
      // A database that predates the history index (or a repository pushed to while stopped) is indexed meanwhile.
      for (const project of await backend.stores.projects.all()) indexInBackground(backend, project);
      backend.compute.warmUp();
      const outcomes = await reconcileInterruptedExecutions(backend);
      for (const outcome of outcomes) logger.warn(outcome, 'reconciled a rollback interrupted by a restart');
      for (const outcome of await reconcileInterruptedChanges(backend)) logger.warn(outcome, 'reconciled a release or promotion interrupted by a restart');
      const bound = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
      // Without PUBLIC_URL, repository URLs name the port actually bound.
      if (!config.PUBLIC_URL) backend.settings.publicUrl = `http://localhost:${bound}`;
      monitor = startReachabilityMonitor(backend);
      repairs = startRepairs();
      notifications.start();
      webSockets.start();
      streams.start();
      state.ready = true;
      return bound;
    },
    // Idempotent: a second stop (a second SIGTERM) waits for the first.
    stop: () => (stopping ??= drainAndClose()),
    stopServices: closeServices,
  };

  /**
   * Stops accepting, closes graphql-ws sockets (1001) and ends SSE streams, lets executing operations
   * of every transport finish, then closes the database; after SHUTDOWN_TIMEOUT_MS it cuts what is left.
   */
  async function drainAndClose(): Promise<{ timedOut: boolean }> {
    state.ready = false;
    state.stopping = true;
    monitor?.stop();
    await repairs?.stop();
    await notifications.stop();
    // Clones and fetches are reads a client retries: their git processes end now instead of holding up the drain.
    await git.stop();
    // One deadline for the whole drain, whatever part of it hangs.
    let deadline: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), config.SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
    });
    // Stop accepting; in-flight requests finish, idle keep-alive sockets close now and whenever one
    // becomes idle (an ended SSE stream, a finished mutation) while the rest drains.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 25);
    streams.stop();
    // Open SSE streams would hold the server open until the deadline: they end now, as sockets close now.
    streams.endAll('Server is shutting down; reconnect');
    const drained = (async () => {
      await webSockets.dispose();
      // A socket closing does not stop the mutation it started: wait for every executing operation.
      await Promise.all([closed, operations.idle()]);
      return 'drained' as const;
    })();
    const timedOut = (await Promise.race([drained, timeout])) === 'timeout';
    clearTimeout(deadline);
    clearInterval(idleSweep);
    if (timedOut) {
      logger.warn({ executing: operations.count() }, 'shutdown timeout: closing remaining connections');
      server.closeAllConnections();
      webSockets.terminate();
    }
    // After the drain, so executions that just finished are counted.
    await closeServices();
    return { timedOut };
  }
}
