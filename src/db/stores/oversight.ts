/** Break-glass sessions, the audit trail and the cluster agents' sync reports. */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import type { AuditEvent, BreakGlassSession, SyncReport } from '../../domain/model';
import type { AuditStore, BreakGlassStore, SyncReportStore } from '../../domain/ports';
import { preparedRead, type StoreContext } from '../dialect';
import { byKey } from './keyed';

/** Sessions `userId` has open in `projectId` at `at` (not closed, not yet expired); the newest is the active one. */
function openAt(s: StoreContext['t']['breakGlassSessions'], userId: string, projectId: string, at: Date) {
  return and(eq(s.userId, userId), eq(s.projectId, projectId), isNull(s.closedAt), lte(s.openedAt, at), gt(s.expiresAt, at));
}

export function breakGlassStore(context: StoreContext): BreakGlassStore {
  const { db, t, dialect } = context;
  const s = t.breakGlassSessions;
  const byIdsQuery = () => preparedRead(context, 'break_glass_sessions_by_ids', () => db.select().from(s).where(dialect.inList(s.id, 'ids')));
  return {
    insert: async (session) => {
      await db.insert(s).values(session);
    },
    byId: async (id) => ((await byIdsQuery().all({ ids: dialect.list([id]) }))[0] as BreakGlassSession | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as BreakGlassSession[], (x) => x.id)),
    activeFor: async (userId, projectId, now) =>
      ((await db.select().from(s).where(openAt(s, userId, projectId, now)).orderBy(desc(s.openedAt)).limit(1))[0] as BreakGlassSession | undefined) ?? null,
    ofProject: async (projectId) => (await db.select().from(s).where(eq(s.projectId, projectId)).orderBy(desc(s.openedAt))) as BreakGlassSession[],
    close: async (id, now) =>
      (await db.update(s).set({ closedAt: now }).where(and(eq(s.id, id), isNull(s.closedAt))).returning({ id: s.id })).length > 0,
  };
}

export function auditStore({ db, t }: StoreContext): AuditStore {
  const a = t.auditEvents;
  const s = t.breakGlassSessions;
  return {
    insert: async (event) => {
      await db.insert(a).values(event);
    },
    insertFlaggingBreakGlass: async (event) => {
      const session = db.select({ id: s.id }).from(s).where(openAt(s, event.actorUserId, event.projectId, event.createdAt)).orderBy(desc(s.openedAt)).limit(1);
      await db.insert(a).values({ ...event, actorAgentId: null, breakGlassSessionId: sql`(${session})` });
    },
    list: async (projectId, filter, page) => {
      const rows = (await db
        .select()
        .from(a)
        .where(
          and(
            eq(a.projectId, projectId),
            filter.action ? eq(a.action, filter.action) : undefined,
            filter.actorUserId ? eq(a.actorUserId, filter.actorUserId) : undefined,
            filter.tenantEnvironmentId ? eq(a.tenantEnvironmentId, filter.tenantEnvironmentId) : undefined,
            filter.tenantEnvironmentIds ? (filter.tenantEnvironmentIds.length ? inArray(a.tenantEnvironmentId, [...filter.tenantEnvironmentIds]) : sql`1 = 0`) : undefined,
            filter.breakGlassSessionId ? eq(a.breakGlassSessionId, filter.breakGlassSessionId) : undefined,
            filter.breakGlassOnly ? isNotNull(a.breakGlassSessionId) : undefined,
            page.beforeId !== null ? lt(a.id, page.beforeId) : undefined,
            page.above != null ? gt(a.id, page.above) : undefined,
          ),
        )
        .orderBy(page.fromOldest ? asc(a.id) : desc(a.id))
        .limit(page.limit)) as AuditEvent[];
      return page.fromOldest ? rows.reverse() : rows;
    },
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await db.select().from(a).where(inArray(a.id, [...ids]))) as AuditEvent[], (x) => x.id)),
  };
}

export function syncReportStore(context: StoreContext): SyncReportStore {
  const { db, t, dialect } = context;
  const s = t.syncReports;
  const latestQuery = () =>
    preparedRead(context, 'latest_sync_report', () =>
      db.select().from(s).where(eq(s.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId'))).orderBy(desc(s.id)).limit(1),
    );
  return {
    insert: async (report) => (await db.insert(s).values(report).returning())[0] as SyncReport,
    latest: async (tenantEnvironmentId) => ((await latestQuery().get({ tenantEnvironmentId })) as SyncReport | undefined) ?? null,
    // One index lookup per tenant-environment, so the periodic reachability check does not grow with the report history.
    latestReportTimes: async () =>
      (
        await dialect.rows<{ tenantEnvironmentId: string; reportedAt: number | string | Date | null }>(
          db,
          sql`select te.id as "tenantEnvironmentId",
            (select r.reported_at from ${s} r where r.tenant_environment_id = te.id order by r.id desc limit 1) as "reportedAt"
          from ${t.tenantEnvironments} te`,
        )
      ).map((row) => ({ tenantEnvironmentId: row.tenantEnvironmentId, reportedAt: row.reportedAt === null ? null : new Date(row.reportedAt) })),
  };
}
