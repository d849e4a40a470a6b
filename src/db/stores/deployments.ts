/** Deployment history: one row per commit on main that changed a tenant-environment. */
import { and, asc, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Deployment } from '../../domain/model';
import type { DeploymentStore } from '../../domain/ports';
import { preparedRead, preparedRowWriter, type StoreContext } from '../dialect';
import { bound } from './history-index';
import { byKey } from './keyed';

/** Rows per INSERT: 16 columns each stay well below either dialect's limit on bound parameters. */
const ROWS_PER_INSERT = 200;

/**
 * The rows in INSERT statements of at most ROWS_PER_INSERT, a key at most once per statement:
 * PostgreSQL refuses an upsert that meets the same row twice, and a later row must see the earlier.
 */
function statementsOf<T>(rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const statements: T[][] = [];
  let keys = new Set<string>();
  for (const row of rows) {
    const key = keyOf(row);
    if (statements.length === 0 || keys.has(key) || statements.at(-1)!.length === ROWS_PER_INSERT) {
      statements.push([]);
      keys = new Set();
    }
    keys.add(key);
    statements.at(-1)!.push(row);
  }
  return statements;
}

export function deploymentStore(context: StoreContext): DeploymentStore {
  const { db, t, dialect } = context;
  const d = t.deployments;
  const byIdsQuery = () => preparedRead(context, 'deployments_by_ids', () => db.select().from(d).where(dialect.inList(d.id, 'ids')));
  const byRequestIdsQuery = () =>
    preparedRead(context, 'deployments_by_request_ids', () => db.select().from(d).where(dialect.inList(d.rollbackRequestId, 'ids')));
  // Newest first, or (for backward paging) the oldest of the window first.
  const pageQuery = (fromOldest: boolean) =>
    preparedRead(context, fromOldest ? 'deployments_page_oldest' : 'deployments_page', () =>
      db
        .select()
        .from(d)
        .where(
          and(
            eq(d.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId')),
            lt(d.sequence, sql.placeholder('beforeSequence')),
            gt(d.sequence, sql.placeholder('afterSequence')),
          ),
        )
        .orderBy(fromOldest ? asc(d.sequence) : desc(d.sequence))
        .limit(sql.placeholder('limit')),
    );
  const inRangeQuery = () =>
    preparedRead(context, 'deployments_in_range', () =>
      db
        .select({ id: d.id, revision: d.revision, sequence: d.sequence })
        .from(d)
        .where(
          and(
            eq(d.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId')),
            gt(d.sequence, sql.placeholder('after')),
            lte(d.sequence, sql.placeholder('upTo')),
          ),
        )
        .orderBy(d.sequence),
    );
  const upsertOnSqlite = preparedRowWriter<Record<string, unknown>, { id: string }>(
    (values) =>
      db
        .insert(d)
        .values(values as never)
        .onConflictDoUpdate({ target: [d.tenantEnvironmentId, d.revision], set: { sequence: sql`excluded.sequence` } })
        .returning({ id: d.id }),
    'get',
  );
  return {
    upsertIndexed: async (rows) => {
      if (dialect.name === 'sqlite') {
        return rows.map((row) => {
          const { id } = upsertOnSqlite(row);
          return { id, inserted: id === row.id };
        });
      }
      const keyOf = (row: { tenantEnvironmentId: string; revision: string }) => `${row.tenantEnvironmentId} ${row.revision}`;
      const stored = new Map<string, string>();
      for (const part of statementsOf(rows, keyOf)) {
        // RETURNING's row order is unspecified: rows are matched back by their key.
        const returned = await db
          .insert(d)
          .values(part)
          .onConflictDoUpdate({ target: [d.tenantEnvironmentId, d.revision], set: { sequence: sql`excluded.sequence` } })
          .returning({ id: d.id, tenantEnvironmentId: d.tenantEnvironmentId, revision: d.revision });
        for (const row of returned) stored.set(keyOf(row), row.id);
      }
      return rows.map((row) => {
        const id = stored.get(keyOf(row))!;
        return { id, inserted: id === row.id };
      });
    },
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as Deployment[], (r) => r.id)),
    byRequestIds: async (ids) =>
      ids.length === 0 ? [] : byKey(ids, (await byRequestIdsQuery().all({ ids: dialect.list(ids) })) as Deployment[], (r) => r.rollbackRequestId!),
    byRevision: async (tenantEnvironmentId, revision) =>
      ((await db
        .select()
        .from(d)
        .where(and(eq(d.tenantEnvironmentId, tenantEnvironmentId), eq(d.revision, revision))))[0] as Deployment | undefined) ?? null,
    page: async (tenantEnvironmentId, beforeSequence, limit, window = {}) => {
      const fromOldest = window.fromOldest === true;
      const rows = (await pageQuery(fromOldest).all({ tenantEnvironmentId, beforeSequence: bound(beforeSequence), afterSequence: bound(window.above ?? -Infinity), limit })) as Deployment[];
      return fromOldest ? rows.reverse() : rows;
    },
    inRange: async (tenantEnvironmentId, range) =>
      inRangeQuery().all({ tenantEnvironmentId, after: bound(range.after), upTo: bound(range.upTo) }),
    idsAtRevisions: async (tenantEnvironmentId, revisions) =>
      revisions.length === 0
        ? []
        : (await db
            .select({ id: d.id })
            .from(d)
            .where(and(eq(d.tenantEnvironmentId, tenantEnvironmentId), dialect.inValues(d.revision, revisions)))).map((r) => r.id),
    setStatus: async (ids, from, to, rolledBackById) => {
      if (ids.length === 0) return;
      await db
        .update(d)
        .set({ status: to, ...(rolledBackById !== undefined ? { rolledBackById } : {}) })
        .where(and(dialect.inValues(d.id, ids), typeof from === 'string' ? eq(d.status, from) : inArray(d.status, [...from])));
    },
  };
}
