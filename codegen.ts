import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents from the committed schema: the test suite's, the on-call CLI's own (src/cli/gql) and the incident screen's (web/gql). */
const presetConfig = {
  preset: 'client',
  config: {
    scalars: { DateTime: 'string', JSON: 'unknown' },
    enumsAsTypes: true,
    useTypeImports: true,
  },
  presetConfig: { fragmentMasking: false },
} as const;

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    'test/gql/': { ...presetConfig, documents: ['test/**/*.ts', '!test/gql/**'] },
    'src/cli/gql/': { ...presetConfig, documents: ['src/cli/**/*.ts', '!src/cli/gql/**'] },
    // Documents as strings: the browser bundle sends them as they are, without the graphql package.
    'web/gql/': {
      ...presetConfig,
      documents: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
      config: { ...presetConfig.config, documentMode: 'string' },
    },
  },
};

export default config;
