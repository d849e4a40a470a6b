/** buildApp(config): the HTTP server with GraphQL, GraphiQL, SSE and graphql-ws on one port; start/stop separate from building. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import type { DatabaseHandle } from './db/handle';
import type { Backend } from './domain/ports';
import { reconcileInterruptedExecutions } from './domain/requests/run-execution';
import { startReachabilityMonitor } from './domain/sync';
import type { InProcessEventBus } from './events/pubsub';
import { trackInFlightOperations } from './graphql/plugins/in-flight';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import { openBackend, type BackendOptions } from './server/backend';
import { createGitHttp, type GitHttp } from './server/git-http';
import { createHttpHandler, type HttpState } from './server/http';
import { attachWebSockets } from './server/websocket';
import { createYogaServer, type Yoga } from './server/yoga';

export { DataDirectoryError, checkDataDirectory } from './server/backend';

export interface App {
  backend: Backend;
  database: DatabaseHandle;
  bus: InProcessEventBus;
  yoga: Yoga;
  /** Git over HTTP at /git/<project>.git. */
  git: GitHttp;
  server: http.Server;
  logger: Logger;
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
  const { backend, database, pubsub, bus } = openBackend(config, options);
  const metrics = createMetrics(pubsub);
  const operations = trackInFlightOperations();
  const yoga = createYogaServer(config, { backend, pubsub, logger, metrics: metrics.registry, operations });
  const state: HttpState = { ready: false, stopping: false };
  const git = createGitHttp({
    backend,
    repositoriesDir: config.repositoriesDir,
    maxConcurrency: config.GIT_HTTP_MAX_CONCURRENCY,
    queue: config.GIT_HTTP_QUEUE,
    timeoutMs: config.GIT_HTTP_TIMEOUT_MS,
    logger,
  });
  const server = http.createServer(createHttpHandler(yoga, config.BODY_LIMIT_BYTES, state, git));
  const webSockets = attachWebSockets(server, yoga, backend, config, logger);

  let monitor: { stop(): void } | null = null;
  const closeServices = async () => {
    metrics.stop();
    await database.close();
  };
  return {
    backend,
    database,
    bus,
    yoga,
    git,
    server,
    logger,
    start: async (port = config.PORT, host = config.HOST) => {
      // Ready means migrations ran and every project's repository opens.
      await Promise.all((await backend.stores.projects.all()).map((project) => backend.repositories.forProject(project.slug)));
      const outcomes = await reconcileInterruptedExecutions(backend);
      for (const outcome of outcomes) logger.warn(outcome, 'reconciled a rollback interrupted by a restart');
      const bound = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
      // Without PUBLIC_URL, repository URLs name the port actually bound.
      if (!config.PUBLIC_URL) backend.settings.publicUrl = `http://localhost:${bound}`;
      monitor = startReachabilityMonitor(backend);
      webSockets.start();
      state.ready = true;
      return bound;
    },
    stop: async () => {
      state.ready = false;
      state.stopping = true;
      monitor?.stop();
      // Clones and fetches are reads a client retries: their git processes end now instead of holding up the drain.
      await git.stop();
      // One deadline for the whole drain, whatever part of it hangs.
      let deadline: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        deadline = setTimeout(() => resolve('timeout'), config.SHUTDOWN_TIMEOUT_MS);
        deadline.unref();
      });
      // Stop accepting; in-flight requests finish, idle keep-alive sockets close now.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = (async () => {
        await webSockets.dispose();
        // A socket closing does not stop the mutation it started: wait for every executing operation.
        await Promise.all([closed, operations.idle()]);
        return 'drained' as const;
      })();
      const timedOut = (await Promise.race([drained, timeout])) === 'timeout';
      clearTimeout(deadline);
      if (timedOut) {
        logger.warn({ executing: operations.count() }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
        webSockets.terminate();
      }
      // After the drain, so executions that just finished are counted.
      await closeServices();
      return { timedOut };
    },
    stopServices: closeServices,
  };
}
