/** buildApp(config): the HTTP server with GraphQL, GraphiQL, SSE and graphql-ws on one port; start/stop separate from building. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Config } from './config';
import { openDatabase, migrateDatabase, type DatabaseHandle } from './db/client';
import { createTransactor } from './db/transaction';
import { authenticate, bearerToken } from './domain/auth';
import type { Actor } from './domain/actor';
import { RepositoryRegistry } from './domain/repositories';
import type { Services } from './domain/services';
import { KeyedMutex } from './lib/keyed-mutex';
import { createContext, type GraphQLContext } from './graphql/context';
import { maskError } from './graphql/errors';
import { schema } from './graphql';
import { createEventPubSub } from './graphql/pubsub';
import { useRequireAuthentication } from './graphql/plugins/require-authentication';
import { startReachabilityMonitor } from './domain/sync';
import { createLogger, type Logger } from './logger';

export interface App {
  services: Services;
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, GraphQLContext>>;
  server: http.Server;
  logger: Logger;
  /** Listens on the port (0 = any free port) and resolves with the bound one. */
  start(port?: number, host?: string): Promise<number>;
  /** Closes sockets, the HTTP server and the database. */
  stop(): Promise<void>;
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
  fs.mkdirSync(config.repositoriesDir, { recursive: true });
}

export function openServices(config: Config, options: AppOptions = {}): { services: Services; database: DatabaseHandle; pubsub: ReturnType<typeof createEventPubSub> } {
  checkDataDirectory(config);
  const database = openDatabase(config.databaseFile, { onStatement: options.onStatement });
  migrateDatabase(database);
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
  };
  return { services, database, pubsub };
}

export function buildApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const { services, database, pubsub } = openServices(config, options);
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.GRAPHIQL ? { title: 'Backtrack', subscriptionsProtocol: 'WS' } : false,
    maskedErrors: { maskError: (error, message) => maskError(error, message) },
    logging: logger,
    context: async (initial) => {
      const request = initial.request as Request | undefined;
      const wsActor = (initial as { actor?: Actor | null }).actor;
      const actor =
        wsActor !== undefined
          ? wsActor
          : await authenticate(services.db, bearerToken(request?.headers.get('authorization')));
      return createContext(services, actor, request?.headers.get('x-request-id') ?? randomUUID(), pubsub.pubsub);
    },
    plugins: [useRequireAuthentication()],
  });

  const server = http.createServer(yoga);
  const webSockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsServer = useServer<Record<string, unknown>, { actor?: Actor | null }>(
    {
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const actor = await authenticate(services.db, bearerToken(typeof authorization === 'string' ? authorization : null));
        if (!actor) return false;
        ctx.extra.actor = actor;
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, actor: ctx.extra.actor ?? null });
        const document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
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
    start: (port = config.PORT, host = config.HOST) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          monitor = startReachabilityMonitor(services);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    stop: async () => {
      monitor?.stop();
      await wsServer.dispose();
      webSockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      database.close();
    },
    stopServices: async () => database.close(),
  };
}

interface EnvelopedRoot {
  execute: (args: unknown) => unknown;
  subscribe: (args: unknown) => unknown;
}
