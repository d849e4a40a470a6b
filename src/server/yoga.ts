/** The GraphQL server (yoga): schema, context, error masking and the plugin pipeline every transport shares. */
import type http from 'node:http';
import { createGraphQLError, createYoga } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import { bearerToken } from '../domain/auth';
import { GRAPHIQL_OPTIONS, graphiqlRenderer } from './graphiql';
import { clientAddress, TooManyFailedAuthentications, type Authentication, type AuthGuard } from './auth-guard';
import type { Backend } from '../domain/ports';
import type { EventPubSub } from '../events/pubsub';
import { schema } from '../graphql';
import { createContext, type GraphQLContext } from '../graphql/context';
import { isExpectedError, maskError } from '../graphql/errors';
import { useCompiledQueries } from '../graphql/plugins/compiled-queries';
import { deprecatedFieldCounter } from '../graphql/plugins/deprecated-field-metric';
import type { InFlightOperations } from '../graphql/plugins/in-flight';
import type { LivePermissions } from '../graphql/live-permissions';
import { useRequestLogging } from '../graphql/plugins/request-logging';
import { useRequireAuthentication } from '../graphql/plugins/require-authentication';
import { securityPlugins } from '../graphql/plugins/security';
import { currentRequestId, requestIdFrom, type Logger } from '../logger';

export type Yoga = ReturnType<typeof createYoga<Record<string, unknown>, GraphQLContext>>;

/** Headers a browser cannot add to a cross-site request without a CORS preflight. */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];

/**
 * yoga's CSRF prevention leaves `application/graphql` bodies (the bare query, which yoga executes)
 * to CORS. They need the same header as forms here, so no POST whose body is not JSON runs an
 * operation without one, whatever CORS_ORIGINS allows.
 */
function useCsrfForBareQueries(requestHeaders: readonly string[]) {
  return {
    onRequestParse({ request }: { request: Request }) {
      const mediaType = request.headers.get('content-type')?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/graphql' || requestHeaders.some((name) => request.headers.has(name))) return;
      throw createGraphQLError('Required CSRF header(s) not present', { extensions: { http: { status: 403 } } });
    },
  };
}

export function createYogaServer(
  config: Config,
  deps: { backend: Backend; pubsub: EventPubSub; logger: Logger; metrics: Registry; operations: InFlightOperations; streams: LivePermissions; auth: AuthGuard },
): Yoga {
  const { backend, pubsub, logger } = deps;
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The HTTP server bounds every body by BODY_LIMIT_BYTES before yoga sees it (Content-Length checked, and
    // Node reads no more than it announces; a chunked body is read, counted and handed over whole). Yoga's own
    // guard would pipe every body through a counting stream again, about 0.2 ms of CPU per request.
    maxRequestBodySize: false,
    graphiql: config.GRAPHIQL ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: graphiqlRenderer(),
    // Without configured origins no CORS header is sent at all: browsers allow the same origin only.
    cors: config.CORS_ORIGINS.length > 0 ? { origin: config.CORS_ORIGINS, credentials: true, methods: ['GET', 'POST'] } : false,
    maskedErrors: { maskError: (error, message) => maskError(error, message) },
    logging: yogaLogger(logger),
    context: async (initial) => {
      const request = initial.request as Request | undefined;
      const requestId = currentRequestId() ?? requestIdFrom(request?.headers.get('x-request-id'));
      // graphql-ws operations arrive with the actor their socket authenticated as (the socket is re-checked).
      const socket = initial as { actor?: Actor | null; token?: string | null };
      if (socket.actor !== undefined) return createContext(backend, { actor: socket.actor, token: socket.token ?? null, authFailure: null }, requestId, pubsub, null);
      const token = bearerToken(request?.headers.get('authorization'));
      const client = { address: clientAddress((initial as { req?: http.IncomingMessage }).req, config.TRUST_PROXY), transport: 'http' };
      let authentication: Authentication;
      try {
        authentication = await deps.auth.authenticate(token, client);
      } catch (error) {
        if (!(error instanceof TooManyFailedAuthentications)) throw error;
        throw createGraphQLError(error.message, {
          extensions: { code: error.code, status: 429, http: { status: 429, headers: { 'retry-after': String(error.retryAfterSeconds) } } },
        });
      }
      return createContext(backend, { actor: authentication.actor, token, authFailure: authentication.actor ? null : authentication.failure }, requestId, pubsub, deps.streams);
    },
    plugins: [
      // Bodies a browser may send cross-site without a preflight (forms, multipart, text/plain) need a header it cannot add.
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      useCsrfForBareQueries(CSRF_HEADERS),
      ...securityPlugins(config),
      useRequireAuthentication(),
      useRequestLogging(logger),
      usePrometheus({
        endpoint: '/metrics',
        registry: deps.metrics,
        metrics: {
          graphql_envelop_deprecated_field: deprecatedFieldCounter(deps.metrics, schema),
          // Labelled by route, not by the client's URL (its Host header would mint a series per value).
          graphql_yoga_http_duration: createHistogram({
            registry: deps.metrics,
            histogram: {
              name: 'graphql_yoga_http_duration',
              help: 'Time spent on HTTP connection',
              labelNames: ['operationName', 'operationType', 'method', 'statusCode', 'route'] as const,
            },
            fillLabelsFn: (params, { request, response }: { request: Request; response: Response }) => ({
              method: request.method,
              statusCode: response.status,
              operationType: params.operationType || 'unknown',
              operationName: params.operationName || 'Anonymous',
              route: new URL(request.url).pathname,
            }),
          }),
        },
      }),
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
