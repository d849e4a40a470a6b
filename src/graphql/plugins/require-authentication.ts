/** Every operation needs a valid bearer token, except pure introspection (so GraphiQL can load docs). */
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../context';

function isIntrospectionOnly(document: DocumentNode, operationName?: string | null): boolean {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type' || s.name.value === '__typename'),
  );
}

const MESSAGES: Record<NonNullable<GraphQLContext['failure']>, string> = {
  missing: 'a bearer token is required',
  'unknown or revoked': 'the bearer token is unknown or revoked',
  expired: 'the bearer token has expired',
};

/** One code for every refusal; `reason` tells a client whether a new token would help. */
export const unauthenticatedError = (failure: GraphQLContext['failure']) =>
  new GraphQLError(MESSAGES[failure ?? 'missing'], {
    extensions: { code: 'UNAUTHENTICATED', status: 401, reason: (failure ?? 'missing').replace(/ /g, '_').toUpperCase() },
  });

export function useRequireAuthentication(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor && !isIntrospectionOnly(args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [unauthenticatedError(args.contextValue.failure)] });
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor) setResultAndStopExecution({ errors: [unauthenticatedError(args.contextValue.failure)] });
    },
  };
}
