/**
 * Queries run compiled to JavaScript (graphql-jit): the history and incident screens read long
 * nested lists, and compiled execution of those is much cheaper.
 * Mutations and subscriptions keep graphql-js (graphql-jit 0.8 hands a subscription field's
 * resolver the operation's variables instead of the field's arguments). Register before plugins
 * that wrap the execute function: the compiled one replaces whatever was set before it.
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST, type DocumentNode, type GraphQLError, type SourceLocation } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export function useCompiledQueries(): Plugin[] {
  return [
    useGraphQlJit({}, { enableIf: ({ document, operationName }) => getOperationAST(document, operationName)?.operation === 'query' }) as Plugin,
    useDocumentPositionsOnErrors(),
  ];
}

/**
 * graphql-jit's errors carry `locations` but not the nodes or source positions they came from, and
 * yoga rebuilds every error from those when it serializes a result: without this, compiled queries'
 * errors would lose their locations.
 */
function useDocumentPositionsOnErrors(): Plugin {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone({ result, setResult }) {
        if (!('errors' in result) || !result.errors?.some(lacksPositions)) return;
        setResult({ ...result, errors: result.errors.map((error) => (lacksPositions(error) ? withPositions(error, args.document) : error)) });
      },
    }),
  };
}

const lacksPositions = (error: GraphQLError) => !error.nodes && !error.positions && error.locations !== undefined;

function withPositions(error: GraphQLError, document: DocumentNode): GraphQLError {
  const source = document.loc?.source;
  if (!source) return error;
  return createGraphQLError(error.message, {
    source,
    positions: error.locations!.map((location) => offsetOf(source.body, location)),
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

function offsetOf(body: string, { line, column }: SourceLocation): number {
  let offset = 0;
  for (let current = 1; current < line; current++) offset = body.indexOf('\n', offset) + 1;
  return offset + column - 1;
}
