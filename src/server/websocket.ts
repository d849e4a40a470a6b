/**
 * graphql-ws on the HTTP server's port: the token from `connection_init` authenticates the socket,
 * every operation runs through yoga's pipeline, identical subscriptions share one execution, and
 * sockets are re-authenticated periodically.
 */
import type http from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import type { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import { authenticate, bearerToken } from '../domain/auth';
import type { Backend } from '../domain/ports';
import { maskError } from '../graphql/errors';
import { watchSocketPermissions } from '../graphql/socket-permissions';
import { selectsViewerIdentity, shareSubscriptions, subscriptionShareKey } from '../graphql/subscriptions';
import type { Logger } from '../logger';
import type { Yoga } from './yoga';

interface EnvelopedRoot {
  execute: (args: unknown) => unknown;
  subscribe: (args: unknown) => unknown;
}

export interface WebSocketEndpoint {
  /** Starts the periodic permission re-check. */
  start(): void;
  /** Closes every socket with 1001 and waits for graphql-ws to finish. */
  dispose(): Promise<void>;
  /** Cuts whatever is still open. */
  terminate(): void;
}

export function attachWebSockets(server: http.Server, yoga: Yoga, backend: Backend, config: Config, logger: Logger): WebSocketEndpoint {
  // Upgrades are routed by hand so listen errors (e.g. a taken port) stay the HTTP server's alone.
  const webSockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) return socket.destroy();
    webSockets.handleUpgrade(request, socket, head, (ws) => webSockets.emit('connection', ws, request));
  });
  const socketPermissions = watchSocketPermissions(backend.stores, logger, config.WS_RECHECK_MS);
  const graphqlWs = useServer<Record<string, unknown>, { actor?: Actor | null }>(
    {
      connectionInitWaitTimeout: config.WS_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof authorization === 'string' ? authorization : null);
        const actor = await authenticate(backend.stores, token, backend.now());
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
  };
}
