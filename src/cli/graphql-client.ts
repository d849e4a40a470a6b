/**
 * A small GraphQL-over-HTTP client for the on-call commands (POST with JSON, Node's fetch). Every
 * failure becomes a ServerError whose exit code tells scripts what happened: the server refused
 * (it answered with an error code), or it could not be asked at all (unreachable, not GraphQL, the
 * token refused).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** The exit codes of the on-call commands (1, a usage error, is shared with the admin commands). */
export const EXIT = { ok: 0, usage: 1, refused: 2, unavailable: 3 } as const;

/** An operation the schema of this branch does not have yet: its text, with the types written by hand. */
export type PlainOperation<R, V> = string & { readonly __types?: (variables: V) => R };

export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The token was refused or the client is locked out: no command can work until that changes. */
const AUTHENTICATION_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOO_MANY_FAILED_AUTHENTICATIONS']);

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: Array<{ message: string; extensions?: { code?: unknown; cause?: unknown } }>;
}

export class GraphQLClient {
  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<R, V>(operation: TypedDocumentNode<R, V> | PlainOperation<R, V>, variables?: V): Promise<R> {
    const query = typeof operation === 'string' ? operation : print(operation);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ServerError(`cannot reach the server at ${this.url}: ${reason}`, 'UNREACHABLE', EXIT.unavailable);
    }
    const body = await response.text();
    let result: GraphQLResponse<R>;
    try {
      result = JSON.parse(body) as GraphQLResponse<R>;
    } catch {
      throw new ServerError(`${this.url} answered HTTP ${response.status} without a GraphQL response; is BACKTRACK_URL the server's /graphql?`, 'NOT_GRAPHQL', EXIT.unavailable);
    }
    const error = result.errors?.[0];
    if (error) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'GRAPHQL_ERROR';
      const cause = typeof error.extensions?.cause === 'string' ? `: ${error.extensions.cause}` : '';
      throw new ServerError(`${error.message}${cause}`, code, AUTHENTICATION_CODES.has(code) ? EXIT.unavailable : EXIT.refused);
    }
    if (!result.data) throw new ServerError(`${this.url} answered HTTP ${response.status} without data`, 'NOT_GRAPHQL', EXIT.unavailable);
    return result.data;
  }
}

/** What the API answers with null for (no such thing, or not readable by the caller): refused like the API's NOT_FOUND. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new ServerError(`${what} not found`, 'NOT_FOUND', EXIT.refused);
  return value;
}
