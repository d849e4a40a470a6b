/** Abuse limits: depth, aliases, tokens, directives (graphql-armor), weighted cost, introspection switch, persisted operations. */
import fs from 'node:fs';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { NoSchemaIntrospectionCustomRule, parse, type GraphQLError, type ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../../config';
import { isGraphQLError } from '../errors';
import { useWeightedCostLimit } from './cost';

/** graphql-armor reports every limit as "Syntax Error: …"; give each a stable code of its own. */
const LIMIT_CODES: Array<[RegExp, string]> = [
  [/^Syntax Error: Query depth limit/, 'MAX_DEPTH_EXCEEDED'],
  [/^Syntax Error: Aliases limit/, 'MAX_ALIASES_EXCEEDED'],
  [/^Syntax Error: Token limit/, 'MAX_TOKENS_EXCEEDED'],
  [/^Syntax Error: Query Cost limit/, 'MAX_COST_EXCEEDED'],
  [/^Syntax Error: Directives limit/, 'MAX_DIRECTIVES_EXCEEDED'],
];

function withLimitCode(error: unknown): unknown {
  // graphql-armor is CommonJS and may throw another copy's GraphQLError than ours.
  if (!isGraphQLError(error)) return error;
  const code = LIMIT_CODES.find(([pattern]) => pattern.test(error.message))?.[1];
  if (!code) return error;
  const message = error.message.replace(/^Syntax Error: /, '');
  return createGraphQLError(message, { nodes: error.nodes, extensions: { code, status: 400, http: { status: 400 } } });
}

/** The token limit is checked while parsing: re-label what graphql-armor throws there. */
const useTokenLimitCode: Plugin = {
  onParse({ parseFn, setParseFn }) {
    setParseFn((...args: Parameters<typeof parseFn>) => {
      try {
        return parseFn(...args);
      } catch (error) {
        throw withLimitCode(error);
      }
    });
  },
};

/**
 * INTROSPECTION=false for every transport: a validation rule, since graphql-ws operations never pass
 * the HTTP request hooks yoga's disable-introspection plugin keys on.
 */
const useNoIntrospection: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
};

/** Validation-rule limits report their (re-labelled) error instead of throwing. */
const reportLimit = {
  propagateOnRejection: false,
  exposeLimits: true,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(withLimitCode(error) as GraphQLError)],
};

export function securityPlugins(config: Config): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: config.MAX_DEPTH, flattenFragments: true, ignoreIntrospection: true, ...reportLimit },
    maxAliases: { n: config.MAX_ALIASES, allowList: [], ...reportLimit },
    maxTokens: { n: config.MAX_TOKENS, exposeLimits: true, propagateOnRejection: true },
    maxDirectives: { n: config.MAX_DIRECTIVES, ...reportLimit },
    // Replaced by the weighted cost limit below (it sees field weights and variables).
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !config.INTROSPECTION },
  });
  const plugins: Plugin[] = [armor as Plugin, useTokenLimitCode, useWeightedCostLimit(config.MAX_COST)];
  if (!config.INTROSPECTION) plugins.push(useNoIntrospection);
  if (config.PERSISTED_OPERATIONS !== 'off') {
    const store = loadPersistedOperations(config.PERSISTED_OPERATIONS_FILE);
    plugins.push(
      usePersistedOperations({
        getPersistedOperation: (hash: string) => store.get(hash) ?? null,
        allowArbitraryOperations: config.PERSISTED_OPERATIONS === 'allow',
        skipDocumentValidation: false,
      }),
      usePersistedOperationsOverWebSocket(store, config.PERSISTED_OPERATIONS === 'allow'),
    );
  }
  return plugins;
}

const persistedErrors = {
  only: () => createGraphQLError('PersistedQueryOnly', { extensions: { code: 'CANNOT_SEND_PQ_ID_AND_BODY' } }),
  keyNotFound: () => createGraphQLError('PersistedQueryKeyNotFound', { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } }),
  notFound: () => createGraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }),
};

/** Stands in for a refused operation's document until execution is stopped with the refusal. */
const REFUSED_DOCUMENT = parse('{ __typename }');

interface WebSocketOperationContext {
  request?: unknown;
  params?: { query?: string; extensions?: { persistedQuery?: { version?: number; sha256Hash?: unknown } } };
}

/**
 * yoga's persisted-operations plugin works on HTTP params (`onParams`), which graphql-ws never
 * goes through: the same rules for operations over the WebSocket. A subscribe message either
 * carries a query (arbitrary: refused in `require`) or an empty query with
 * `extensions.persistedQuery.sha256Hash` (run from the store). A refused operation is answered
 * with its error as the result, so the socket stays open.
 */
function usePersistedOperationsOverWebSocket(store: Map<string, string>, allowArbitrary: boolean): Plugin {
  const refusals = new WeakMap<object, () => GraphQLError>();
  const refuse = ({ args, setResultAndStopExecution }: { args: { contextValue: unknown }; setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void }) => {
    const refusal = refusals.get(args.contextValue as object);
    if (refusal) setResultAndStopExecution({ errors: [refusal()] });
  };
  return {
    onParse({ context, params, parseFn }) {
      const operation = context as WebSocketOperationContext;
      if ('request' in operation) return; // HTTP (and SSE): yoga's onParams already applied the rules.
      const query = typeof params.source === 'string' ? params.source : (params.source?.body ?? '');
      if (query.trim() !== '') {
        if (!allowArbitrary) refusals.set(context, persistedErrors.only);
        return;
      }
      const hash = operation.params?.extensions?.persistedQuery?.sha256Hash;
      const stored = typeof hash === 'string' ? store.get(hash) : undefined;
      if (stored === undefined) refusals.set(context, typeof hash === 'string' ? persistedErrors.notFound : persistedErrors.keyNotFound);
      // Replace the result after every parse hook (yoga caches documents by source text, and the
      // source here is always empty): the stored text goes through the same parser and limits.
      // A parse failure becomes a refusal too: an error result would be cached for the empty source.
      return ({ replaceParseResult }) => {
        let document = REFUSED_DOCUMENT;
        if (stored !== undefined) {
          try {
            document = parseFn(stored);
          } catch (error) {
            refusals.set(context, () => withLimitCode(error) as GraphQLError);
          }
        }
        replaceParseResult(document);
      };
    },
    onExecute: refuse,
    onSubscribe: refuse,
  };
}

/** A JSON object of sha256 hash → operation text (the format `graphql-codegen` persisted documents write). */
function loadPersistedOperations(file: string | undefined): Map<string, string> {
  if (!file) throw new Error('PERSISTED_OPERATIONS_FILE is required when PERSISTED_OPERATIONS is allow or require');
  const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(entries));
}
