/**
 * graphql-ws on the HTTP server's port: the token from `connection_init` authenticates the socket,
 * every operation runs through yoga's pipeline, identical subscriptions share one execution, and
 * sockets are re-authenticated periodically.
 */
import type http from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import { bearerToken } from '../domain/auth';
import { clientAddress, TooManyFailedAuthentications, type Authentication, type AuthGuard } from './auth-guard';
import type { Backend } from '../domain/ports';
import { maskError } from '../graphql/errors';
import { watchLivePermissions } from '../graphql/live-permissions';
import { selectsViewerIdentity, shareSubscriptions, subscriptionShareKey, type ResultSink, type SharingRoot } from '../graphql/subscriptions';
import type { Logger } from '../logger';
import type { Yoga } from './yoga';

/** A socket whose token no longer authenticates, or whose permissions changed (clients reconnect). */
const FORBIDDEN = 4403;
/** A client address refused after too many failed authentications (retry later). */
const TOO_MANY_REQUESTS = 4429;

/**
 * Output a socket may leave unsent before its shared subscriptions are ended (the client stopped
 * reading): about 10,000 ordinary events, as many as a queued subscriber may fall behind.
 */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

interface EnvelopedRoot extends SharingRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** A `next` message's payload as graphql-ws writes it (errors last, as plain objects). */
function nextPayloadText(result: unknown): string {
  const { errors, ...rest } = result as ExecutionResult;
  return JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
}

/**
 * Writes shared results to one subscription of a socket: the payload text is the same for every
 * subscriber of the stream, only the message's id is this one's. Nothing is written once the
 * client completed the subscription or the socket closed, as graphql-ws itself would not.
 */
function nextMessageSink(socket: WebSocket, subscriptions: () => Record<string, unknown>, id: string): ResultSink {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (payload) => {
    if (socket.readyState !== socket.OPEN || !(id in subscriptions())) return true;
    if (socket.bufferedAmount > MAX_UNSENT_BYTES) return false;
    socket.send(`${head}${payload}}`);
    return true;
  };
}

export interface WebSocketEndpoint {
  /** Starts the periodic permission re-check. */
  start(): void;
  /** Closes every socket with 1001 and waits for graphql-ws to finish. */
  dispose(): Promise<void>;
  /** Cuts whatever is still open. */
  terminate(): void;
  /** The open graphql-ws sockets (the fan-out benchmark's baseline writes to the same sockets). */
  sockets(): Iterable<WebSocket>;
}

export function attachWebSockets(server: http.Server, yoga: Yoga, backend: Backend, config: Config, logger: Logger, auth: AuthGuard): WebSocketEndpoint {
  // Upgrades are routed by hand so listen errors (e.g. a taken port) stay the HTTP server's alone.
  // A frame may be as large as an HTTP body, no larger (ws would take 100 MiB, before any authentication).
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: config.BODY_LIMIT_BYTES });
  server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) return socket.destroy();
    webSockets.handleUpgrade(request, socket, head, (ws) => {
      // An oversized frame is the client's fault, answered by ws with 1009: not the "internal error"
      // graphql-ws would print to the console for every such frame (a way to flood the logs).
      const emit = ws.emit.bind(ws);
      ws.emit = ((event: string, ...args: unknown[]) => {
        if (event === 'error' && args[0] instanceof RangeError) {
          logger.debug({ err: args[0] }, 'WebSocket frame refused');
          return true;
        }
        return emit(event, ...args);
      }) as typeof ws.emit;
      webSockets.emit('connection', ws, request);
    });
  });
  const socketPermissions = watchLivePermissions(backend.stores, logger, config.WS_RECHECK_MS, () => backend.now());
  const graphqlWs = useServer<Record<string, unknown>, { actor?: Actor | null; token?: string | null }>(
    {
      connectionInitWaitTimeout: config.WS_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof authorization === 'string' ? authorization : null);
        let authentication: Authentication;
        try {
          authentication = await auth.authenticate(token, { address: clientAddress(ctx.extra.request, config.TRUST_PROXY), transport: 'graphql-ws' });
        } catch (error) {
          if (!(error instanceof TooManyFailedAuthentications)) throw error;
          ctx.extra.socket.close(TOO_MANY_REQUESTS, error.message);
          return false;
        }
        const { actor } = authentication;
        if (!actor) {
          if (authentication.failure === 'expired') ctx.extra.socket.close(FORBIDDEN, 'Forbidden: the token expired (TOKEN_EXPIRED)');
          return false;
        }
        ctx.extra.actor = actor;
        ctx.extra.token = token;
        const { socket } = ctx.extra;
        socketPermissions.add(socket, token!, actor, (reason) => socket.close(FORBIDDEN, reason));
        return true;
      },
      onClose: (ctx) => socketPermissions.remove(ctx.extra.socket),
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args as ExecutionArgs) as never,
      // Sockets with the same operation, variables and permissions share one execution per event
      // (see subscriptionShareKey), serialized once, its text written to each of them.
      subscribe: shareSubscriptions((args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).subscribe(args), nextPayloadText) as never,
      onSubscribe: async (ctx, id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, actor: ctx.extra.actor ?? null, token: ctx.extra.token ?? null });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          // A syntax or token-limit error answers this operation only; the socket and its other subscriptions stay.
          return [maskError(error, 'Unexpected error.') as GraphQLError];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const rootValue: EnvelopedRoot = {
          execute: enveloped.execute,
          subscribe: enveloped.subscribe,
          shareKey: subscriptionShareKey(params, ctx.extra.actor ?? null, selectsViewerIdentity(enveloped.schema, document)),
          sink: nextMessageSink(ctx.extra.socket, () => ctx.subscriptions, id),
        };
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue,
        };
      },
    },
    webSockets,
  );
  return {
    start: () => socketPermissions.start(),
    dispose: async () => {
      socketPermissions.stop();
      await graphqlWs.dispose();
      webSockets.close();
    },
    terminate: () => {
      for (const client of webSockets.clients) client.terminate();
    },
    sockets: () => webSockets.clients,
  };
}
