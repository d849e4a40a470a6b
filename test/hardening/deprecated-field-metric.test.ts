/**
 * graphql_envelop_deprecated_field keeps counting each use of a deprecated field or argument, per
 * request, although documents without any are only examined once. Backtrack's schema deprecates
 * nothing yet, so a small schema that does stands in, behind yoga and the same plugin.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { deprecatedFieldCounter } from '../../src/graphql/plugins/deprecated-field-metric';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      current: String
      legacy: String @deprecated(reason: "use current")
      search(term: String, old: String @deprecated(reason: "use term")): String
    }
  `,
  resolvers: { Query: { current: () => 'c', legacy: () => 'l', search: () => 's' } },
});

describe('the deprecated-field metric', () => {
  it('counts every use of deprecated fields and arguments, request by request, and nothing for documents without', async () => {
    const registry = new Registry();
    const yoga = createYoga({
      schema,
      logging: false,
      plugins: [usePrometheus({ endpoint: false, registry, metrics: { graphql_envelop_deprecated_field: deprecatedFieldCounter(registry, schema) } })],
    });
    const run = async (query: string) => {
      const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect((await response.json()) as unknown).not.toHaveProperty('errors');
    };
    for (let i = 0; i < 3; i++) await run('query Old { legacy current }');
    for (let i = 0; i < 2; i++) await run('query Args { search(old: "x") }');
    for (let i = 0; i < 4; i++) await run('query Fresh { current search(term: "x") }');

    const counts = (await registry.getSingleMetric('graphql_envelop_deprecated_field')!.get()).values.map((v) => ({ ...v.labels, value: v.value }));
    expect(counts).toEqual(
      expect.arrayContaining([
        { operationName: 'Old', operationType: 'query', fieldName: 'legacy', typeName: 'Query', value: 3 },
        { operationName: 'Args', operationType: 'query', fieldName: 'old', typeName: 'search', value: 2 },
      ]),
    );
    expect(counts).toHaveLength(2);
  });
});
