/** Every operation needs a valid bearer token, except pure introspection (so GraphiQL can load docs). */
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AuthenticationFailure } from '../../domain/auth';
import type { GraphQLContext } from '../context';

function isIntrospectionOnly(document: DocumentNode, operationName?: string | null): boolean {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type' || s.name.value === '__typename'),
  );
}

const MESSAGES: Record<AuthenticationFailure, string> = {
  missing: 'a bearer token is required',
  'unknown or revoked': 'the bearer token is unknown or revoked',
  expired: 'the bearer token has expired; ask for a new one (backtrack token create)',
};

/**
 * The refusal of an operation without a valid token: UNAUTHENTICATED with a `reason` (MISSING,
 * UNKNOWN_OR_REVOKED) telling a client whether a new token would help, except an expired token, which
 * has a code of its own, TOKEN_EXPIRED (reason EXPIRED), so clients can branch on it. graphql-ws
 * (close 4403) and Git HTTP (401) tell an expired token apart the same way.
 */
export const unauthenticatedError = (failure: AuthenticationFailure | null) => {
  const reason = failure ?? 'missing';
  return new GraphQLError(MESSAGES[reason], {
    extensions: { code: reason === 'expired' ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED', status: 401, reason: reason.replace(/ /g, '_').toUpperCase() },
  });
};

export function useRequireAuthentication(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor && !isIntrospectionOnly(args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [unauthenticatedError(args.contextValue.authFailure)] });
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor) setResultAndStopExecution({ errors: [unauthenticatedError(args.contextValue.authFailure)] });
    },
  };
}
