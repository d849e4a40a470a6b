/**
 * The page's GraphQL client: queries and mutations over HTTP POST, subscriptions over graphql-ws
 * with the token in `connection_init`. The socket retries for ever (a server restart is an
 * ordinary event during an incident) and, once it is back, tells the page to refetch what it missed.
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../gql/graphql';

export interface ApiError {
  message: string;
  code?: string;
}

export class GraphQLRequestError extends Error {
  constructor(
    readonly errors: ApiError[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/** `refused`: the server closed the socket with 4403 (token revoked or expired, or permissions changed); retrying would not help. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'refused';

export interface Api {
  request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R>;
  subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, onData: (data: R) => void): () => void;
  /** Called with each change of the socket's state; `resumed` is true when a lost connection came back. */
  onConnection(listener: (state: ConnectionState, resumed: boolean) => void): () => void;
  close(): void;
}

const isRefusal = (event: unknown) => typeof event === 'object' && event !== null && 'code' in event && (event as CloseEvent).code === 4403;

export function createApi(token: string, origin = location.origin): Api {
  const authorization = `Bearer ${token}`;
  const listeners = new Set<(state: ConnectionState, resumed: boolean) => void>();
  const emit = (state: ConnectionState, resumed: boolean) => listeners.forEach((listener) => listener(state, resumed));
  let everConnected = false;
  const ws: Client = createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization },
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Every close is worth a retry, a restart's 1001 and a lost socket alike; a refused token is not.
    shouldRetry: (event) => !isRefusal(event),
    // 0.5 s, 1 s, 2 s … capped at 5 s, with jitter: a restarted server is found within seconds.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * 2 ** retries) + Math.random() * 300)),
    on: {
      connected: () => {
        emit('connected', everConnected);
        everConnected = true;
      },
      closed: (event) => emit(isRefusal(event) ? 'refused' : everConnected ? 'reconnecting' : 'connecting', false),
    },
  });

  return {
    async request(document, variables) {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
      let body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        throw new GraphQLRequestError([{ message: `the server answered ${response.status} without GraphQL` }], response.status);
      }
      if (body.errors?.length) {
        throw new GraphQLRequestError(
          body.errors.map((e) => ({ message: e.message, code: e.extensions?.code })),
          response.status,
        );
      }
      return body.data as never;
    },
    subscribe(document, variables, onData) {
      return ws.subscribe<never>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (result.data) onData(result.data as never);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
    },
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => void ws.dispose(),
  };
}

/** A message for people: the server's words for a refused operation, or what went wrong on the way. */
export function describeError(error: unknown): string {
  if (error instanceof GraphQLRequestError) return error.errors.map((e) => (e.code ? `${e.message} (${e.code})` : e.message)).join('; ');
  if (error instanceof TypeError) return 'The server cannot be reached; retrying when it is back.';
  return error instanceof Error ? error.message : String(error);
}
