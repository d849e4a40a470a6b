/** Notification targets and the outbox of their deliveries. */
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { NotificationDelivery, NotificationTarget } from '../../domain/model';
import type { NotificationDeliveryStore, NotificationTargetStore } from '../../domain/ports';
import { preparedRead, type StoreContext } from '../dialect';
import { byKey } from './keyed';

export function notificationTargetStore(context: StoreContext): NotificationTargetStore {
  const { db, t, dialect } = context;
  const n = t.notificationTargets;
  const ofProjectQuery = () =>
    preparedRead(context, 'notification_targets_of_project', () => db.select().from(n).where(eq(n.projectId, sql.placeholder('projectId'))).orderBy(asc(n.name)));
  const byIdsQuery = () => preparedRead(context, 'notification_targets_by_ids', () => db.select().from(n).where(dialect.inList(n.id, 'ids')));
  return {
    upsert: async (target) => {
      const { id, projectId, createdAt: _createdAt, ...settings } = target as NotificationTarget;
      return (await db
        .insert(n)
        .values({ ...target })
        .onConflictDoUpdate({ target: [n.projectId, n.name], set: settings })
        .returning())[0] as NotificationTarget;
    },
    byId: async (id) => ((await byIdsQuery().all({ ids: dialect.list([id]) }))[0] as NotificationTarget | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as NotificationTarget[], (x) => x.id)),
    ofProject: async (projectId) => (await ofProjectQuery().all({ projectId })) as NotificationTarget[],
    remove: async (id) => {
      // Its outbox rows go first: they would otherwise hold the foreign key on a PostgreSQL without the cascade.
      await db.delete(t.notificationDeliveries).where(eq(t.notificationDeliveries.targetId, id));
      return (await db.delete(n).where(eq(n.id, id)).returning({ id: n.id })).length > 0;
    },
  };
}

export function notificationDeliveryStore(context: StoreContext): NotificationDeliveryStore {
  const { db, t, dialect } = context;
  const d = t.notificationDeliveries;
  const free = (now: Date) => or(isNull(d.leaseExpiresAt), lt(d.leaseExpiresAt, now));
  // The head of each target's queue: no PENDING row of the same target with a lower id.
  const head = () => sql`not exists (select 1 from ${d} earlier where earlier.target_id = ${d.targetId} and earlier.state = 'PENDING' and earlier.id < ${d.id})`;
  return {
    insert: async (rows) => {
      if (rows.length === 0) return 0;
      const inserted = await db
        .insert(d)
        .values(rows.map((row) => ({ ...row, state: 'PENDING' as const, attempts: 0 })))
        .onConflictDoNothing({ target: [d.targetId, d.eventId] })
        .returning({ id: d.id });
      return inserted.length;
    },
    byId: async (id) => ((await db.select().from(d).where(eq(d.id, id)))[0] as NotificationDelivery | undefined) ?? null,
    list: async (projectId, filter, page) => {
      const rows = (await db
        .select()
        .from(d)
        .where(
          and(
            eq(d.projectId, projectId),
            filter.targetId ? eq(d.targetId, filter.targetId) : undefined,
            filter.state ? eq(d.state, filter.state) : undefined,
            page.beforeId !== null ? lt(d.id, page.beforeId) : undefined,
            page.above != null ? gt(d.id, page.above) : undefined,
          ),
        )
        .orderBy(page.fromOldest ? asc(d.id) : desc(d.id))
        .limit(page.limit)) as NotificationDelivery[];
      return page.fromOldest ? rows.reverse() : rows;
    },
    anyDue: async (now) =>
      (await db
        .select({ id: d.id })
        .from(d)
        .where(and(eq(d.state, 'PENDING'), lte(d.nextAttemptAt, now), free(now), head()))
        .limit(1)).length > 0,
    setLeases: async (owner, now, leaseUntil, limit) => {
      const candidates = await dialect.skipLocked(
        db
          .select({ id: d.id })
          .from(d)
          .where(
            and(
              eq(d.state, 'PENDING'),
              lte(d.nextAttemptAt, now),
              free(now),
              head(),
            ),
          )
          .orderBy(asc(d.id))
          .limit(limit),
      );
      if (candidates.length === 0) return [];
      // Conditional, so a row another dispatcher leased meanwhile is left to it (SQLite has no row locks).
      return (await db
        .update(d)
        .set({ leaseOwner: owner, leaseExpiresAt: leaseUntil })
        .where(and(inArray(d.id, candidates.map((c) => c.id)), eq(d.state, 'PENDING'), free(now)))
        .returning()) as NotificationDelivery[];
    },
    setOutcome: async (id, owner, outcome) =>
      (await db
        .update(d)
        .set({ ...outcome, leaseOwner: null, leaseExpiresAt: null })
        .where(and(eq(d.id, id), eq(d.leaseOwner, owner)))
        .returning({ id: d.id })).length > 0,
    setRedeliver: async (id, now) =>
      ((await db
        .update(d)
        .set({ state: 'PENDING', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, deliveredAt: null })
        .where(and(eq(d.id, id), free(now)))
        .returning())[0] as NotificationDelivery | undefined) ?? null,
  };
}
