/** The history index: main's commits by position, and what each deployment changed. */
import { and, asc, eq, gt, lte, max, sql, type SQL } from 'drizzle-orm';
import type { DeploymentChange } from '../../domain/model';
import type { HistoryIndexStore, RecordedChange } from '../../domain/ports';
import { preparedRead, preparedRowWriter, type StoreContext } from '../dialect';

/** Range bounds as both databases take them: the domain's open ends (±Infinity) are no integer. */
export const bound = (n: number) => (n === Infinity ? Number.MAX_SAFE_INTEGER : n === -Infinity ? Number.MIN_SAFE_INTEGER : n);

/** Rows per INSERT statement: well below either dialect's limit on bound parameters. */
const CHUNK = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function historyIndexStore(context: StoreContext): HistoryIndexStore {
  const { db, t, dialect } = context;
  const c = t.indexedCommits;
  const ch = t.deploymentChanges;
  const upsertChangeOnSqlite = preparedRowWriter<DeploymentChange>(
    (values) =>
      db
        .insert(ch)
        .values(values as never)
        .onConflictDoUpdate({ target: [ch.deploymentId, ch.file, ch.level, ch.path], set: { sequence: sql`excluded.sequence` } }),
    'run',
  );
  // Every write and every history read checks the indexed head: prepared once, not built per call.
  const lastSequenceQuery = () =>
    preparedRead(context, 'indexed_commits_last', () => db.select({ last: max(c.sequence) }).from(c).where(eq(c.projectId, sql.placeholder('projectId'))));
  const sequencesQuery = () =>
    preparedRead(context, 'indexed_commits_sequences', () =>
      db.select({ sha: c.sha, sequence: c.sequence }).from(c).where(and(eq(c.projectId, sql.placeholder('projectId')), dialect.inList(c.sha, 'shas'))),
    );
  const indexedHeadQuery = () =>
    preparedRead(context, 'projects_indexed_head', () =>
      db
        .select({
          indexedSha: t.projects.indexedSha,
          inIndex: sql<unknown>`exists (select 1 from ${c} where ${c.projectId} = ${t.projects.id} and ${c.sha} = ${t.projects.indexedSha})`,
        })
        .from(t.projects)
        .where(eq(t.projects.id, sql.placeholder('projectId'))),
    );
  // Previews, requests and executions read a file's changes over the range since their target: prepared once per shape.
  const changesQuery = (name: string, file: SQL) =>
    preparedRead(context, name, () =>
      db
        .select({
          sequence: ch.sequence,
          file: ch.file,
          level: ch.level,
          path: ch.path,
          revision: t.deployments.revision,
        })
        .from(ch)
        .innerJoin(t.deployments, eq(t.deployments.id, ch.deploymentId))
        .where(
          and(
            eq(ch.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId')),
            file,
            gt(ch.sequence, sql.placeholder('after')),
            lte(ch.sequence, sql.placeholder('upTo')),
            dialect.inList(ch.level, 'levels'),
          ),
        )
        .orderBy(asc(ch.sequence), asc(ch.file), asc(ch.level), asc(ch.path)),
    );
  const changesOfFileQuery = () => changesQuery('deployment_changes_of_file', eq(ch.file, sql.placeholder('file')));
  const changesAtPathsQuery = () =>
    changesQuery('deployment_changes_at_paths', and(eq(ch.file, sql.placeholder('file')), dialect.inList(ch.path, 'paths'))!);
  // substr rather than LIKE: SQLite's LIKE ignores case, and `_` and `%` are common in file names.
  const changesBelowQuery = () =>
    changesQuery('deployment_changes_below', sql`substr(${ch.file}, 1, ${sql.placeholder('prefixLength')}) = ${sql.placeholder('prefix')}`);
  return {
    indexedHead: async (projectId) => {
      const row = await indexedHeadQuery().get({ projectId });
      if (!row) return undefined;
      // SQLite answers exists() with 1 or 0, PostgreSQL with a boolean.
      return row.indexedSha !== null && (row.inIndex === true || row.inIndex === 1) ? row.indexedSha : null;
    },
    insertCommits: async (projectId, commits) => {
      for (const part of chunks(commits)) await db.insert(c).values(part.map((commit) => ({ projectId, ...commit })));
    },
    deleteCommits: async (projectId) => {
      await db.delete(c).where(eq(c.projectId, projectId));
    },
    lastSequence: async (projectId) => {
      const row = await lastSequenceQuery().get({ projectId });
      return Number(row?.last ?? 0);
    },
    sequencesOf: async (projectId, shas) => {
      const found = new Map<string, number>();
      if (shas.length === 0) return found;
      for (const row of await sequencesQuery().all({ projectId, shas: dialect.list(shas) })) found.set(row.sha, row.sequence);
      return found;
    },
    mergeInRange: async (projectId, range) => {
      const [row] = await db
        .select({ sha: c.sha })
        .from(c)
        .where(and(eq(c.projectId, projectId), gt(c.sequence, bound(range.after)), lte(c.sequence, bound(range.upTo)), eq(c.merge, true)))
        .limit(1);
      return row !== undefined;
    },
    upsertChanges: async (rows) => {
      if (dialect.name === 'sqlite') {
        for (const row of rows) upsertChangeOnSqlite(row);
        return;
      }
      for (const part of chunks(rows)) {
        await db
          .insert(ch)
          .values(part)
          .onConflictDoUpdate({ target: [ch.deploymentId, ch.file, ch.level, ch.path], set: { sequence: sql`excluded.sequence` } });
      }
    },
    changesOf: async (tenantEnvironmentId, where, levels, range) => {
      const bounds = { tenantEnvironmentId, after: bound(range.after), upTo: bound(range.upTo), levels: dialect.list(levels) };
      const rows = !('file' in where)
        ? await changesBelowQuery().all({ ...bounds, prefix: where.filePrefix, prefixLength: [...where.filePrefix].length })
        : where.paths
          ? await changesAtPathsQuery().all({ ...bounds, file: where.file, paths: dialect.list(where.paths) })
          : await changesOfFileQuery().all({ ...bounds, file: where.file });
      return rows as RecordedChange[];
    },
  };
}
