/**
 * The prometheus plugin's count of deprecated fields in use, without its cost per request: it walks
 * every request's document with type information, which for the history screen's query took longer
 * than the SQL. Whether a document selects anything deprecated is known once per document (yoga
 * hands out the same parsed document for the same text); only documents that do are walked again
 * to be counted, as before.
 */
import { NoDeprecatedCustomRule, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createCounter } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';

type Labels = 'operationType' | 'operationName' | 'fieldName' | 'typeName';

export function deprecatedFieldCounter(registry: Registry, schema: GraphQLSchema) {
  const selectsDeprecated = new WeakMap<DocumentNode, boolean>();
  const isDeprecatedIn = (document: DocumentNode) => {
    let found = selectsDeprecated.get(document);
    if (found === undefined) selectsDeprecated.set(document, (found = validate(schema, document, [NoDeprecatedCustomRule]).length > 0));
    return found;
  };
  return createCounter<'parse', Labels>({
    registry,
    // The plugin's own name, help and labels: the series stay what they were.
    counter: { name: 'graphql_envelop_deprecated_field', help: 'Counts the amount of deprecated fields used in selection sets', labelNames: ['operationType', 'operationName', 'fieldName', 'typeName'] },
    fillLabelsFn: (params) => ({
      operationName: params.operationName!,
      operationType: params.operationType!,
      fieldName: params.deprecationInfo?.fieldName as string,
      typeName: params.deprecationInfo?.typeName as string,
    }),
    phases: ['parse'],
    // Asked first for the document (walk it?), then once per deprecated field found (count it).
    shouldObserve: (params) => params.deprecationInfo !== undefined || (params.document !== undefined && isDeprecatedIn(params.document)),
  });
}
