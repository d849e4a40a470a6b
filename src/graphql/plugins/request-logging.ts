/** One structured log line per operation, with the request id and operation name; unexpected errors logged in full server-side. */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withRequestId, type Logger } from '../../logger';
import type { GraphQLContext } from '../context';
import { errorCode, isAlarm } from '../errors';

export function useRequestLogging(logger: Logger): Plugin<GraphQLContext> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const started = performance.now();
      const requestId = args.contextValue.requestId;
      // Lines written while executing (domain code, graphql-ws operations included) carry the request id.
      setExecuteFn((executeArgs) => withRequestId(requestId, () => executeFn(executeArgs)));
      // Clients often name the operation only in the document, not in the request's operationName.
      const operation = getOperationAST(args.document, args.operationName);
      const operationName = args.operationName ?? operation?.name?.value ?? null;
      const log = logger.child({ requestId, operationName, operationType: operation?.operation ?? null });
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result)) {
            log.info({ durationMs: Math.round(performance.now() - started) }, 'operation');
            return;
          }
          const errors = result.errors ?? [];
          const codes = errors.map((error) => errorCode(error));
          errors.forEach((error, i) => {
            if (codes[i] === 'INTERNAL_SERVER_ERROR') log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
            else if (isAlarm(error)) log.error({ code: codes[i], path: error.path, details: error.extensions }, error.message);
          });
          log.info({ durationMs: Math.round(performance.now() - started), errors: codes }, 'operation');
        },
      };
    },
  };
}
