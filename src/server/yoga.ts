/** The GraphQL server (yoga): schema, context, error masking and the plugin pipeline every transport shares. */
import { createYoga } from 'graphql-yoga';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import { authenticate, bearerToken } from '../domain/auth';
import type { Backend } from '../domain/ports';
import type { EventPubSub } from '../events/pubsub';
import { schema } from '../graphql';
import { createContext, type GraphQLContext } from '../graphql/context';
import { isExpectedError, maskError } from '../graphql/errors';
import { useCompiledQueries } from '../graphql/plugins/compiled-queries';
import type { InFlightOperations } from '../graphql/plugins/in-flight';
import { useRequestLogging } from '../graphql/plugins/request-logging';
import { useRequireAuthentication } from '../graphql/plugins/require-authentication';
import { securityPlugins } from '../graphql/plugins/security';
import { currentRequestId, requestIdFrom, type Logger } from '../logger';

export type Yoga = ReturnType<typeof createYoga<Record<string, unknown>, GraphQLContext>>;

export function createYogaServer(
  config: Config,
  deps: { backend: Backend; pubsub: EventPubSub; logger: Logger; metrics: Registry; operations: InFlightOperations },
): Yoga {
  const { backend, pubsub, logger } = deps;
  return createYoga<Record<string, unknown>, GraphQLContext>({
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
      // graphql-ws operations arrive with the actor their socket authenticated as.
      const socketActor = (initial as { actor?: Actor | null }).actor;
      const actor = socketActor !== undefined ? socketActor : await authenticate(backend.stores, bearerToken(request?.headers.get('authorization')), backend.now());
      const requestId = currentRequestId() ?? requestIdFrom(request?.headers.get('x-request-id'));
      return createContext(backend, actor, requestId, pubsub);
    },
    plugins: [
      ...securityPlugins(config),
      useRequireAuthentication(),
      useRequestLogging(logger),
      usePrometheus({ endpoint: '/metrics', registry: deps.metrics }),
      ...useCompiledQueries(),
      deps.operations.plugin,
    ],
  });
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
