/** One structured log line per operation, with the request id and operation name; unexpected errors logged in full server-side. */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DomainError } from '../../domain/errors';
import type { Logger } from '../../logger';
import type { GraphQLContext } from '../context';
import { isGraphQLError } from '../errors';

export function useRequestLogging(logger: Logger): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const started = performance.now();
      // Clients often name the operation only in the document, not in the request's operationName.
      const operation = getOperationAST(args.document, args.operationName);
      const operationName = args.operationName ?? operation?.name?.value ?? null;
      const log = logger.child({ requestId: args.contextValue.requestId, operationName, operationType: operation?.operation ?? null });
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result)) {
            log.info({ durationMs: Math.round(performance.now() - started) }, 'operation');
            return;
          }
          const errors = result.errors ?? [];
          for (const error of errors) {
            const original = error.originalError;
            const unexpected =
              error.extensions?.code === 'INTERNAL_SERVER_ERROR' ||
              (original && !(original instanceof DomainError) && !isGraphQLError(original));
            if (unexpected) log.error({ err: original ?? error, path: error.path }, 'unexpected error');
          }
          log.info(
            { durationMs: Math.round(performance.now() - started), errors: errors.map((e) => e.extensions?.code ?? 'ERROR') },
            'operation',
          );
        },
      };
    },
  };
}
