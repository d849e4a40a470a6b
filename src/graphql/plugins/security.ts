/** Abuse limits: depth, aliases, tokens, directives and cost (graphql-armor), introspection switch, persisted operations. */
import fs from 'node:fs';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../../config';
import { isGraphQLError } from '../errors';

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
    maxDirectives: { n: 50, ...reportLimit },
    costLimit: {
      maxCost: config.MAX_COST,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      ignoreIntrospection: true,
      ...reportLimit,
    },
    blockFieldSuggestion: { enabled: !config.INTROSPECTION },
  });
  const plugins: Plugin[] = [
    armor as Plugin,
    useTokenLimitCode,
  ];
  if (!config.INTROSPECTION) plugins.push(useDisableIntrospection());
  if (config.PERSISTED_OPERATIONS !== 'off') {
    const store = loadPersistedOperations(config.PERSISTED_OPERATIONS_FILE);
    plugins.push(
      usePersistedOperations({
        getPersistedOperation: (hash: string) => store.get(hash) ?? null,
        allowArbitraryOperations: config.PERSISTED_OPERATIONS === 'allow',
        skipDocumentValidation: false,
      }),
    );
  }
  return plugins;
}

/** A JSON object of sha256 hash → operation text (the format `graphql-codegen` persisted documents write). */
function loadPersistedOperations(file: string | undefined): Map<string, string> {
  if (!file) throw new Error('PERSISTED_OPERATIONS_FILE is required when PERSISTED_OPERATIONS is allow or require');
  const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(entries));
}
