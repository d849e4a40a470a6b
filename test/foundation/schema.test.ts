import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSchemaFile } from '../../src/graphql/print';
import { ROOT } from './processes';


const committed = () => fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');

describe('schema/schema.graphql', () => {
  it('is what `npm run schema:print` writes from the Pothos schema (run it and commit when this fails)', () => {
    expect(committed()).toBe(printSchemaFile());
  });

  it('is valid SDL and keeps the API contract dashboards rely on', () => {
    const schema = buildSchema(committed());
    expect(printSchema(lexicographicSortSchema(schema)).length).toBeGreaterThan(0);
    const fieldsOf = (type: string) => Object.keys((schema.getType(type) as unknown as { getFields(): object }).getFields());
    expect(fieldsOf('Query')).toEqual(expect.arrayContaining(['viewer', 'project', 'tenantEnvironment', 'rollbackRequest']));
    expect(fieldsOf('Mutation')).toEqual(expect.arrayContaining(['deployRelease', 'promote', 'previewRollback', 'requestRollback']));
    expect(fieldsOf('TenantEnvironment')).toEqual(
      expect.arrayContaining(['headRevision', 'services', 'deployments', 'compareWithCurrent', 'compareRevisions']),
    );
    expect(fieldsOf('Deployment')).toEqual(
      expect.arrayContaining(['revision', 'timestamp', 'author', 'changes', 'source', 'status', 'compareWithCurrent']),
    );
  });
});
