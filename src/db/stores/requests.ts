/** Rollback requests with their reviews and post-rollback notes. */
import { and, count, desc, eq, gte, inArray } from 'drizzle-orm';
import type { ChangeRequest, DeploymentNote, DeploymentReversion, RollbackNote, RollbackRequest, RollbackReview } from '../../domain/model';
import type {
  ChangeRequestStore,
  DeploymentNoteStore,
  DeploymentReversionStore,
  RollbackNoteStore,
  RollbackRequestStore,
  RollbackReviewStore,
} from '../../domain/ports';
import { preparedRead, preparedRowWriter, type StoreContext } from '../dialect';
import { byKey, groupedByKey } from './keyed';

export function rollbackRequestStore(context: StoreContext): RollbackRequestStore {
  const { db, t, dialect } = context;
  const r = t.rollbackRequests;
  const byIdsQuery = () => preparedRead(context, 'rollback_requests_by_ids', () => db.select().from(r).where(dialect.inList(r.id, 'ids')));
  const previews = t.rollbackRequestPreviews;
  return {
    insert: async (request) => (await db.insert(r).values(request).returning())[0] as RollbackRequest,
    byId: async (id) => ((await byIdsQuery().all({ ids: dialect.list([id]) }))[0] as RollbackRequest | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as RollbackRequest[], (x) => x.id)),
    transition: async (id, from, patch) =>
      ((await db.update(r).set(patch).where(and(eq(r.id, id), eq(r.state, from))).returning())[0] as RollbackRequest | undefined) ?? null,
    ofTenantEnvironment: async (tenantEnvironmentId, states) =>
      (await db
        .select()
        .from(r)
        .where(and(eq(r.tenantEnvironmentId, tenantEnvironmentId), states?.length ? inArray(r.state, [...states]) : undefined))
        .orderBy(desc(r.createdAt))) as RollbackRequest[],
    inStates: async (states, projectId) =>
      (await db
        .select()
        .from(r)
        .where(and(inArray(r.state, [...states]), projectId ? eq(r.projectId, projectId) : undefined))
        .orderBy(r.createdAt)) as RollbackRequest[],
    completedOf: async (tenantEnvironmentId, limit) =>
      (await db
        .select()
        .from(r)
        .where(and(eq(r.tenantEnvironmentId, tenantEnvironmentId), eq(r.state, 'COMPLETED')))
        .orderBy(desc(r.completedAt))
        .limit(limit)) as RollbackRequest[],
    completedTargetsSince: async (tenantEnvironmentId, since) =>
      (
        await db
          .select({ revision: r.targetSha, rollbacks: count() })
          .from(r)
          .where(and(eq(r.tenantEnvironmentId, tenantEnvironmentId), eq(r.state, 'COMPLETED'), gte(r.completedAt, since)))
          .groupBy(r.targetSha)
      ).map((row) => ({ revision: row.revision, rollbacks: Number(row.rollbacks) })),
    insertPreviewChanges: async (requestId, changes) => {
      await db.insert(previews).values({ requestId, changes });
    },
    previewChanges: async (requestId) => (await db.select().from(previews).where(eq(previews.requestId, requestId)))[0]?.changes ?? null,
    deletePreviewChanges: async (requestId) => {
      await db.delete(previews).where(eq(previews.requestId, requestId));
    },
  };
}

export function rollbackReviewStore(context: StoreContext, table: 'rollbackReviews' | 'changeReviews' = 'rollbackReviews'): RollbackReviewStore {
  const { db, t, dialect } = context;
  const v = t[table] as typeof t.rollbackReviews;
  const ofRequestsQuery = () =>
    preparedRead(context, table === 'rollbackReviews' ? 'reviews_of_requests' : 'change_reviews_of_requests', () => db.select().from(v).where(dialect.inList(v.requestId, 'ids')).orderBy(v.createdAt, v.id));
  const byIdsQuery = () => preparedRead(context, table === 'rollbackReviews' ? 'reviews_by_ids' : 'change_reviews_by_ids', () => db.select().from(v).where(dialect.inList(v.id, 'ids')));
  return {
    insert: async (review) => {
      await db.insert(v).values(review);
    },
    ofRequests: async (ids) =>
      ids.length === 0 ? [] : groupedByKey(ids, (await ofRequestsQuery().all({ ids: dialect.list(ids) })) as RollbackReview[], (x) => x.requestId),
    byReviewer: async (requestId, reviewerId) =>
      ((await db
        .select()
        .from(v)
        .where(and(eq(v.requestId, requestId), eq(v.reviewerId, reviewerId))))[0] as RollbackReview | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as RollbackReview[], (x) => x.id)),
  };
}

export function rollbackNoteStore(context: StoreContext): RollbackNoteStore {
  const { db, t, dialect } = context;
  const n = t.rollbackNotes;
  const ofRequestsQuery = () =>
    preparedRead(context, 'notes_of_requests', () => db.select().from(n).where(dialect.inList(n.requestId, 'ids')).orderBy(n.createdAt, n.id));
  const byIdsQuery = () => preparedRead(context, 'notes_by_ids', () => db.select().from(n).where(dialect.inList(n.id, 'ids')));
  return {
    insert: async (note) => {
      await db.insert(n).values(note);
    },
    ofRequests: async (ids) =>
      ids.length === 0 ? [] : groupedByKey(ids, (await ofRequestsQuery().all({ ids: dialect.list(ids) })) as RollbackNote[], (x) => x.requestId),
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as RollbackNote[], (x) => x.id)),
  };
}


export function changeRequestStore(context: StoreContext): ChangeRequestStore {
  const { db, t, dialect } = context;
  const r = t.changeRequests;
  const byIdsQuery = () => preparedRead(context, 'change_requests_by_ids', () => db.select().from(r).where(dialect.inList(r.id, 'ids')));
  return {
    insert: async (request) => (await db.insert(r).values(request).returning())[0] as ChangeRequest,
    byId: async (id) => ((await byIdsQuery().all({ ids: dialect.list([id]) }))[0] as ChangeRequest | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as ChangeRequest[], (x) => x.id)),
    transition: async (id, from, patch) =>
      ((await db.update(r).set(patch).where(and(eq(r.id, id), eq(r.state, from))).returning())[0] as ChangeRequest | undefined) ?? null,
    ofTenantEnvironment: async (tenantEnvironmentId, states) =>
      (await db
        .select()
        .from(r)
        .where(and(eq(r.tenantEnvironmentId, tenantEnvironmentId), states?.length ? inArray(r.state, [...states]) : undefined))
        .orderBy(desc(r.createdAt))) as ChangeRequest[],
    inStates: async (states, projectId) =>
      (await db
        .select()
        .from(r)
        .where(and(inArray(r.state, [...states]), projectId ? eq(r.projectId, projectId) : undefined))
        .orderBy(r.createdAt)) as ChangeRequest[],
  };
}

export function deploymentNoteStore(context: StoreContext): DeploymentNoteStore {
  const { db, t, dialect } = context;
  const n = t.deploymentNotes;
  return {
    insert: async (note) => {
      await db.insert(n).values(note);
    },
    ofDeployments: async (ids) =>
      ids.length === 0
        ? []
        : groupedByKey(ids, (await db.select().from(n).where(dialect.inValues(n.deploymentId, ids)).orderBy(n.createdAt, n.id)) as DeploymentNote[], (x) => x.deploymentId),
  };
}

/** Rows per INSERT of reversions (5 columns): a FULL rollback may revert thousands of deployments. */
const REVERSIONS_PER_INSERT = 1000;

export function deploymentReversionStore(context: StoreContext): DeploymentReversionStore {
  const { db, t, dialect } = context;
  const v = t.deploymentReversions;
  const insertOnSqlite = preparedRowWriter<DeploymentReversion>((values) => db.insert(v).values(values as never).onConflictDoNothing(), 'run');
  return {
    insert: async (rows) => {
      if (dialect.name === 'sqlite') {
        for (const row of rows) insertOnSqlite(row);
        return;
      }
      for (let i = 0; i < rows.length; i += REVERSIONS_PER_INSERT) {
        await db.insert(v).values(rows.slice(i, i + REVERSIONS_PER_INSERT)).onConflictDoNothing();
      }
    },
    ofDeployments: async (ids) =>
      ids.length === 0
        ? []
        : groupedByKey(ids, (await db.select().from(v).where(dialect.inValues(v.deploymentId, ids)).orderBy(v.createdAt)) as DeploymentReversion[], (x) => x.deploymentId),
  };
}
