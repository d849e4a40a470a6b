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

export const unauthenticatedError = () =>
  new GraphQLError('missing or unknown bearer token', { extensions: { code: 'UNAUTHENTICATED', status: 401 } });

export const tokenExpiredError = () =>
  new GraphQLError('the bearer token expired; ask for a new one (backtrack token create)', { extensions: { code: 'TOKEN_EXPIRED', status: 401 } });

const refusal = (context: GraphQLContext) => (context.authFailure === 'expired' ? tokenExpiredError() : unauthenticatedError());

export function useRequireAuthentication(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor && !isIntrospectionOnly(args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [refusal(args.contextValue)] });
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (!args.contextValue.actor) setResultAndStopExecution({ errors: [refusal(args.contextValue)] });
    },
  };
}
