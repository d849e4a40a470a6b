/** buildApp(config): the HTTP server with GraphQL, GraphiQL, SSE and graphql-ws on one port; start/stop separate from building. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { GraphQLError } from 'graphql';
import type { Config } from './config';
import { openDatabase, migrateDatabase, type DatabaseHandle } from './db/client';
import { createTransactor } from './db/transaction';
import { authenticate, bearerToken } from './domain/auth';
import type { Actor } from './domain/actor';
import { RepositoryRegistry } from './domain/repositories';
import type { Services } from './domain/services';
import { KeyedMutex } from './lib/keyed-mutex';
import { createContext, type GraphQLContext } from './graphql/context';
import { isExpectedError, maskError } from './graphql/errors';
import { schema } from './graphql';
import { createEventPubSub } from './graphql/pubsub';
import { useRequireAuthentication } from './graphql/plugins/require-authentication';
import { selectsViewerIdentity, shareSubscriptions, subscriptionShareKey } from './graphql/subscriptions';
import { startReachabilityMonitor } from './domain/sync';
import { reconcileInterruptedExecutions } from './domain/requests/run-execution';
import { projects } from './db/schema';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { securityPlugins } from './graphql/plugins/security';
import { useRequestLogging } from './graphql/plugins/request-logging';
import { trackInFlightOperations } from './graphql/plugins/in-flight';
import { useCompiledQueries } from './graphql/plugins/compiled-queries';
import { watchSocketPermissions } from './graphql/socket-permissions';
import { createMetrics } from './metrics';
import { createLogger, currentRequestId, requestIdFrom, withRequestId, type Logger } from './logger';

export interface App {
  services: Services;
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, GraphQLContext>>;
  server: http.Server;
  logger: Logger;
  /** Listens on the port (0 = any free port) and resolves with the bound one. */
  start(port?: number, host?: string): Promise<number>;
  /**
   * Stops accepting, closes graphql-ws sockets (1001), lets executing operations of every
   * transport finish, then closes the database; after SHUTDOWN_TIMEOUT_MS it cuts what is left
   * and reports `timedOut`.
   */
  stop(): Promise<{ timedOut: boolean }>;
  /** Closes only the database, for an app that never listened. */
  stopServices(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Observes every SQL statement (tests count them). */
  onStatement?: (sql: string) => void;
  now?: () => Date;
}

export class DataDirectoryError extends Error {
  readonly code = 'DATA_DIRECTORY_INVALID';
}

/** The data directory is created on first start, but existing data is never recreated over. */
export function checkDataDirectory(config: Config): void {
  if (fs.existsSync(config.DATA_DIR) && !fs.statSync(config.DATA_DIR).isDirectory()) {
    throw new DataDirectoryError(`DATA_DIR ${config.DATA_DIR} exists but is not a directory`);
  }
  const hasDatabase = fs.existsSync(config.databaseFile);
  const hasRepositories = fs.existsSync(config.repositoriesDir) && fs.readdirSync(config.repositoriesDir).length > 0;
  if (!hasDatabase && hasRepositories) {
    throw new DataDirectoryError(
      `DATA_DIR ${config.DATA_DIR} has repositories but no database (${config.databaseFile}); restore the database or move the directory away`,
    );
  }
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
}

export function openServices(config: Config, options: AppOptions = {}): { services: Services; database: DatabaseHandle; pubsub: ReturnType<typeof createEventPubSub> } {
  checkDataDirectory(config);
  const database = openDatabase(config.databaseFile, { onStatement: options.onStatement });
  migrateDatabase(database);
  fs.mkdirSync(config.repositoriesDir, { recursive: true });
  const pubsub = createEventPubSub();
  const services: Services = {
    db: database.db,
    transaction: createTransactor(database),
    repositories: new RepositoryRegistry(config.repositoriesDir),
    events: pubsub.bus,
    settings: {
      agentSilenceMs: config.AGENT_SILENCE_SECONDS * 1000,
      breakGlassDefaultMinutes: 60,
      breakGlassMaxMinutes: config.BREAK_GLASS_MAX_MINUTES,
    },
    now: options.now ?? (() => new Date()),
    gitWriters: new KeyedMutex(),
    faults: config.FAULT_PAUSE_AT
      ? {
          pause: (point) =>
            point === config.FAULT_PAUSE_AT ? new Promise((resolve) => setTimeout(resolve, config.FAULT_PAUSE_MS)) : Promise.resolve(),
        }
      : undefined,
  };
  return { services, database, pubsub };
}

export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const { services, database, pubsub } = openServices(config, options);
  const metrics = createMetrics(pubsub.pubsub);
  const operations = trackInFlightOperations();
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The HTTP server enforces BODY_LIMIT_BYTES first (with BODY_TOO_LARGE); yoga's own guard must not be stricter.
    maxRequestBodySize: config.BODY_LIMIT_BYTES,
    graphiql: config.GRAPHIQL ? { title: 'Backtrack', subscriptionsProtocol: 'WS' } : false,
    maskedErrors: { maskError: (error, message) => maskError(error, message) },
    logging: yogaLogger(logger),
    context: async (initial) => {
      const request = initial.request as Request | undefined;
      const wsActor = (initial as { actor?: Actor | null }).actor;
      const actor =
        wsActor !== undefined
          ? wsActor
          : await authenticate(services.db, bearerToken(request?.headers.get('authorization')));
      const requestId = currentRequestId() ?? requestIdFrom(request?.headers.get('x-request-id'));
      return createContext(services, actor, requestId, pubsub.pubsub);
    },
    plugins: [
      ...securityPlugins(config),
      useRequireAuthentication(),
      useRequestLogging(logger),
      usePrometheus({ endpoint: '/metrics', registry: metrics.registry }),
      ...useCompiledQueries(),
      operations.plugin,
    ],
  });

  let ready = false;
  const server = http.createServer((req, res) => withRequestId(requestIdFrom(req.headers['x-request-id']), () => handle(req, res)));
  let stopping = false;
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Draining: a request that arrives on an open keep-alive connection is served, then that connection ends.
    if (stopping) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    if (Number(req.headers['content-length'] ?? 0) > config.BODY_LIMIT_BYTES) return sendBodyTooLarge(res, config.BODY_LIMIT_BYTES);
    if (req.headers['content-length'] === undefined && req.method !== 'GET' && req.method !== 'HEAD') {
      // No length announced (chunked): count the bytes, so the limit cannot be bypassed by not announcing one.
      return void readLimited(req, config.BODY_LIMIT_BYTES).then(
        (body) => {
          if (body === null) return sendBodyTooLarge(res, config.BODY_LIMIT_BYTES);
          // whatwg-node takes a pre-read body from `req.body` instead of the (consumed) stream.
          (req as http.IncomingMessage & { body?: Buffer }).body = body;
          return yoga(req, res);
        },
        () => res.destroy(),
      );
    }
    return yoga(req, res);
  };
  // Upgrades are routed by hand so listen errors (e.g. a taken port) stay the HTTP server's alone.
  const webSockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) return socket.destroy();
    webSockets.handleUpgrade(request, socket, head, (ws) => webSockets.emit('connection', ws, request));
  });
  const socketPermissions = watchSocketPermissions(services.db, logger, config.WS_RECHECK_MS);
  const wsServer = useServer<Record<string, unknown>, { actor?: Actor | null }>(
    {
      connectionInitWaitTimeout: config.WS_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof authorization === 'string' ? authorization : null);
        const actor = await authenticate(services.db, token);
        if (!actor) return false;
        ctx.extra.actor = actor;
        socketPermissions.add(ctx.extra.socket, token!, actor);
        return true;
      },
      onClose: (ctx) => socketPermissions.remove(ctx.extra.socket),
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      // Sockets with the same operation, variables and permissions share one execution per event (see subscriptionShareKey).
      subscribe: shareSubscriptions((args) => (args.rootValue as EnvelopedRoot).subscribe(args)) as never,
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, actor: ctx.extra.actor ?? null });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          // A syntax or token-limit error answers this operation only; the socket and its other subscriptions stay.
          return [maskError(error, 'Unexpected error.') as GraphQLError];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: {
            execute: enveloped.execute,
            subscribe: enveloped.subscribe,
            shareKey: subscriptionShareKey(params, ctx.extra.actor ?? null, selectsViewerIdentity(enveloped.schema, document)),
          },
        };
      },
    },
    webSockets,
  );

  let monitor: { stop(): void } | null = null;
  return {
    services,
    yoga,
    server,
    logger,
    start: async (port = config.PORT, host = config.HOST) => {
      await openRepositories(services);
      const outcomes = await reconcileInterruptedExecutions(services);
      for (const outcome of outcomes) logger.warn(outcome, 'reconciled a rollback interrupted by a restart');
      const bound = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
      monitor = startReachabilityMonitor(services);
      socketPermissions.start();
      ready = true;
      return bound;
    },
    stop: async () => {
      ready = false;
      stopping = true;
      monitor?.stop();
      socketPermissions.stop();
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
        await wsServer.dispose();
        webSockets.close();
        // A socket closing does not stop the mutation it started: wait for every executing operation.
        await Promise.all([closed, operations.idle()]);
        return 'drained' as const;
      })();
      const timedOut = (await Promise.race([drained, timeout])) === 'timeout';
      clearTimeout(deadline);
      if (timedOut) {
        logger.warn({ executing: operations.count() }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
        for (const client of webSockets.clients) client.terminate();
      }
      // After the drain, so executions that just finished are counted.
      metrics.stop();
      database.close();
      return { timedOut };
    },
    stopServices: async () => {
      metrics.stop();
      database.close();
    },
  };
}

/**
 * yoga's own log calls, through pino. yoga logs every error that masking replaced; an expected
 * one (bad input, a refusal) is not a server error, so it goes to debug.
 */
function yogaLogger(logger: Logger) {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    if (first instanceof Error) {
      const expected = isExpectedError(first);
      logger[expected ? 'debug' : level]({ err: first }, expected ? 'expected error' : first.message);
    } else {
      logger[level](args.length > 1 ? { details: rest } : {}, String(first));
    }
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** 413, and the connection closes: the rest of the body is not worth reading. */
function sendBodyTooLarge(res: http.ServerResponse, limit: number): void {
  sendJson(
    res,
    413,
    { errors: [{ message: `request body is larger than ${limit} bytes`, extensions: { code: 'BODY_TOO_LARGE', status: 413 } }] },
    { connection: 'close' },
  );
}

/** The whole body, or null as soon as it exceeds `limit` bytes. */
function readLimited(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** Ready means migrations ran and every project's repository opens. */
async function openRepositories(services: Services): Promise<void> {
  const rows = await services.db.select({ slug: projects.slug }).from(projects);
  await Promise.all(rows.map((row) => services.repositories.forProject(row.slug)));
}

interface EnvelopedRoot {
  execute: (args: unknown) => unknown;
  subscribe: (args: unknown) => unknown;
}
