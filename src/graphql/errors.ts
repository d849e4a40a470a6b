/** Maps expected failures to GraphQL errors with a stable `extensions.code`; masks everything else. */
import { GraphQLError } from 'graphql';
import { DomainError } from '../domain/errors';
import { RevisionNotFoundError } from '../git';
import { YamlFieldError } from '../yaml';

function expectedError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof RevisionNotFoundError) return new DomainError('REVISION_NOT_FOUND', error.message, 400);
  if (error instanceof YamlFieldError) return new DomainError(error.code, error.message, 400);
  return null;
}

export function maskError(error: unknown, message: string): Error {
  if (!(error instanceof GraphQLError)) return maskError(new GraphQLError(message, { originalError: error as Error }), message);
  const expected = expectedError(error.originalError);
  if (expected) {
    return new GraphQLError(expected.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, code: expected.code, status: expected.status, ...expected.details },
    });
  }
  if (error.originalError && !(error.originalError instanceof GraphQLError)) {
    // originalError stays server-side (it is never serialized) so the request log can record it.
    return new GraphQLError(message, {
      nodes: error.nodes,
      path: error.path,
      originalError: error.originalError,
      extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 },
    });
  }
  return error;
}
