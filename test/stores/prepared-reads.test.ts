/**
 * Prepared reads map SQLite rows themselves (worked out once per statement) where drizzle would
 * walk every column of every row: on the demo workspace the rows must be exactly drizzle's, for
 * plain selects (JSON, timestamps, nulls), inner joins, and the shapes left to drizzle.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { desc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledRowMapper, sqliteDialect, type SqlitePrepared } from '../../src/db/dialect';
import * as schema from '../../src/db/sqlite/schema';
import { createTestApp, type TestApp } from '../kit/app';

describe('prepared reads on SQLite', () => {
  let t: TestApp;
  let sqlite: Database.Database;
  let db: ReturnType<typeof drizzle<typeof schema>>;

  beforeAll(async () => {
    t = await createTestApp();
    sqlite = new Database(path.join(t.dataDir, 'backtrack.sqlite'), { readonly: true });
    db = drizzle(sqlite, { schema });
  });

  afterAll(async () => {
    sqlite.close();
    await t.close();
  });

  /** The same query run through the dialect's prepared read and through drizzle's own mapping; `mapped` tells whose mapping the dialect used. */
  const both = async (build: () => { prepare(): { all(params: unknown): unknown[] } }, params: Record<string, unknown>) => {
    const ours = await sqliteDialect.prepare(build() as never, 'under_test').all(params);
    const drizzles = build().prepare().all(params);
    const mapped = compiledRowMapper(build().prepare() as unknown as SqlitePrepared<unknown>) ? 'here' : 'by drizzle';
    return { ours, drizzles, mapped };
  };

  it('maps plain selects as drizzle does: JSON columns, timestamps and nulls', async () => {
    const d = schema.deployments;
    const { ours, drizzles, mapped } = await both(() => db.select().from(d).orderBy(desc(d.sequence)).limit(sql.placeholder('limit')), { limit: 1000 });
    expect(mapped).toBe('here');
    expect(ours.length).toBeGreaterThan(5);
    expect(ours).toEqual(drizzles);
    const first = ours[0] as { committedAt: unknown; changesSummary: unknown; rollbackRequestId: unknown };
    expect(first.committedAt).toBeInstanceOf(Date);
    expect(Array.isArray(first.changesSummary)).toBe(true);
    expect(ours.some((row) => (row as { rollbackRequestId: unknown }).rollbackRequestId === null)).toBe(true);

    const requests = await both(() => db.select().from(schema.rollbackRequests), {});
    expect(requests.mapped).toBe('here');
    expect(requests.ours).toEqual(requests.drizzles);
  });

  it('maps inner joins into one object per table, as drizzle does', async () => {
    const te = schema.tenantEnvironments;
    const { ours, drizzles, mapped } = await both(
      () =>
        db
          .select()
          .from(te)
          .innerJoin(schema.projects, eq(schema.projects.id, te.projectId))
          .innerJoin(schema.tenants, eq(schema.tenants.id, te.tenantId))
          .where(eq(schema.projects.slug, sql.placeholder('project'))),
      { project: 'shop' },
    );
    expect(mapped).toBe('here');
    expect(ours.length).toBeGreaterThan(1);
    expect(ours).toEqual(drizzles);
  });

  it('leaves left joins and computed columns to drizzle, with the same rows', async () => {
    const d = schema.deployments;
    const left = await both(() => db.select().from(d).leftJoin(schema.rollbackRequests, eq(schema.rollbackRequests.id, d.rollbackRequestId)), {});
    expect(left.mapped).toBe('by drizzle');
    expect(left.ours.some((row) => (row as { rollback_requests: unknown }).rollback_requests === null)).toBe(true);
    expect(left.ours).toEqual(left.drizzles);
    const computed = await both(() => db.select({ id: d.id, changes: sql<number>`json_array_length(${d.changesSummary})` }).from(d), {});
    expect(computed.mapped).toBe('by drizzle');
    expect(computed.ours).toEqual(computed.drizzles);
  });
});
