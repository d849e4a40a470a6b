/** The Pothos schema builder; types live one per file in ./types. */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLContext } from './context';
import { DateTimeScalar, JSONScalar } from './scalars';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Node ids are the records' own ids, which name their type by prefix: nothing is re-encoded
    // (types/node.ts defines node and nodes, decoding the prefix).
    encodeGlobalID: (_typename, id) => String(id),
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONScalar);
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
