/** The audit trail: every mutation writes one event in the same transaction as its change. */
import { and, desc, eq, gt, isNotNull, isNull, lt, lte } from 'drizzle-orm';
import { auditEvents, breakGlassSessions } from '../db/schema';
import type { Db } from '../db/client';
import type { Actor } from './actor';

export interface AuditInput {
  projectId: string;
  /** null for the system itself (e.g. crash recovery at start). */
  actor: Actor | null;
  action: string;
  targetType: string;
  targetId: string;
  tenantEnvironmentId?: string | null;
  details?: Record<string, unknown>;
  now: Date;
}

export type AuditEventRow = typeof auditEvents.$inferSelect;

/** The break-glass session the user has open in the project right now, if any ("mayUseBreakGlass"). */
export async function activeBreakGlassSession(db: Db, userId: string, projectId: string, now: Date) {
  const [session] = await db
    .select()
    .from(breakGlassSessions)
    .where(
      and(
        eq(breakGlassSessions.userId, userId),
        eq(breakGlassSessions.projectId, projectId),
        isNull(breakGlassSessions.closedAt),
        lte(breakGlassSessions.openedAt, now),
        gt(breakGlassSessions.expiresAt, now),
      ),
    )
    .orderBy(desc(breakGlassSessions.openedAt))
    .limit(1);
  return session ?? null;
}

/** Writes the event; actions by a user with an open break-glass session are flagged with it. */
export async function recordAudit(tx: Db, input: AuditInput): Promise<void> {
  const session =
    input.actor?.kind === 'user' ? await activeBreakGlassSession(tx, input.actor.user.id, input.projectId, input.now) : null;
  await tx.insert(auditEvents).values({
    projectId: input.projectId,
    actorUserId: input.actor?.kind === 'user' ? input.actor.user.id : null,
    actorAgentId: input.actor?.kind === 'agent' ? input.actor.agent.id : null,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    tenantEnvironmentId: input.tenantEnvironmentId ?? null,
    details: input.details ?? {},
    breakGlassSessionId: session?.id ?? null,
    createdAt: input.now,
  });
}

export interface AuditFilter {
  action?: string | null;
  actorUserId?: string | null;
  tenantEnvironmentId?: string | null;
  breakGlassOnly?: boolean | null;
  breakGlassSessionId?: string | null;
}

export async function listAuditEvents(
  db: Db,
  projectId: string,
  filter: AuditFilter,
  page: { first: number; afterId: number | null },
): Promise<{ rows: AuditEventRow[]; hasNextPage: boolean }> {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.projectId, projectId),
        filter.action ? eq(auditEvents.action, filter.action) : undefined,
        filter.actorUserId ? eq(auditEvents.actorUserId, filter.actorUserId) : undefined,
        filter.tenantEnvironmentId ? eq(auditEvents.tenantEnvironmentId, filter.tenantEnvironmentId) : undefined,
        filter.breakGlassSessionId ? eq(auditEvents.breakGlassSessionId, filter.breakGlassSessionId) : undefined,
        filter.breakGlassOnly ? isNotNull(auditEvents.breakGlassSessionId) : undefined,
        page.afterId !== null ? lt(auditEvents.id, page.afterId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(page.first + 1);
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}
