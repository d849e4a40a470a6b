/** Maps expected failures to GraphQL errors with a stable `extensions.code`; masks everything else. */
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { DomainError } from '../domain/errors';
import { RevisionNotFoundError } from '../git';
import { YamlFieldError } from '../yaml';

/**
 * A GraphQLError from any copy of `graphql`: yoga, Pothos and graphql-armor may load the CommonJS
 * build while this module gets the ES one (vitest resolves `module` first), so `instanceof` lies.
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

function expectedError(error: unknown): DomainError | null {
  // A domain error may arrive wrapped (a scalar's parse error inside a variable coercion error).
  for (let cause = error, hops = 0; cause instanceof Error && hops < 5; cause = (cause as GraphQLError).originalError, hops++) {
    if (cause instanceof DomainError) return cause;
    if (!isGraphQLError(cause)) break;
  }
  if (error instanceof RevisionNotFoundError) return new DomainError('REVISION_NOT_FOUND', error.message, 400);
  if (error instanceof YamlFieldError) return new DomainError(error.code, error.message, 400);
  return null;
}

/** A failure the API expects (bad input, refusal, conflict): reported with its code, not logged as an error. */
export function isExpectedError(error: unknown): boolean {
  const original = isGraphQLError(error) ? error.originalError : error;
  return expectedError(original) !== null;
}

/** An expected error an operator must hear about (the repository disagrees with the database, it is corrupt). */
export function isAlarm(error: unknown): boolean {
  const original = isGraphQLError(error) ? error.originalError : error;
  return (original as { alarm?: unknown } | undefined)?.alarm === true;
}

/** The code a client sees for an error, whether or not it has been masked yet. */
export function errorCode(error: GraphQLError): string {
  const expected = expectedError(error.originalError);
  if (expected) return expected.code;
  if (typeof error.extensions?.code === 'string') return error.extensions.code;
  if (error.originalError && !isGraphQLError(error.originalError)) return 'INTERNAL_SERVER_ERROR';
  return 'GRAPHQL_ERROR';
}

/** Errors are built with yoga's `graphql` copy, so yoga recognises them (status, masking). */
export function maskError(error: unknown, message: string): Error {
  if (!isGraphQLError(error)) return maskError(createGraphQLError(message, { originalError: error as Error }), message);
  const expected = expectedError(error.originalError);
  if (expected) {
    return rebuilt(error, expected.message, {
      extensions: { ...error.extensions, code: expected.code, status: expected.status, ...expected.details },
    });
  }
  if (error.originalError && !isGraphQLError(error.originalError)) {
    // originalError stays server-side (it is never serialized) so the request log can record it.
    return rebuilt(error, message, { originalError: error.originalError, extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 } });
  }
  return error;
}

/** A new error at the same place in the document as `error`, with another message and extensions. */
function rebuilt(error: GraphQLError, message: string, options: { extensions: Record<string, unknown>; originalError?: Error }): GraphQLError {
  return createGraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, ...options });
}
