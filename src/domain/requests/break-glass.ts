/** Break-glass sessions: a time-boxed, audited bypass of approval for every protected action in a project. */
import { and, desc, eq } from 'drizzle-orm';
import { breakGlassSessions } from '../../db/schema';
import type { Actor } from '../actor';
import { requireRole } from '../access';
import { recordAudit } from '../audit';
import { BadRequestError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Services } from '../services';
import { projectBySlug, type ProjectRow } from '../workspace';

export type BreakGlassSessionRow = typeof breakGlassSessions.$inferSelect;

export function isActive(session: BreakGlassSessionRow, now: Date): boolean {
  return !session.closedAt && session.openedAt <= now && session.expiresAt > now;
}

export async function openBreakGlassSession(
  services: Services,
  actor: Actor | null,
  input: { project: string; justification: string; durationMinutes?: number | null },
): Promise<BreakGlassSessionRow> {
  const project = await projectBySlug(services, actor, input.project);
  if (!project) throw new NotFoundError(`project ${input.project}`);
  const user = requireRole(actor, project.id, 'DEPLOYER', 'project');
  const justification = input.justification?.trim();
  if (!justification) throw new BadRequestError('JUSTIFICATION_REQUIRED', 'a justification is required to open a break-glass session');
  const { breakGlassDefaultMinutes, breakGlassMaxMinutes } = services.settings;
  const requested = input.durationMinutes ?? breakGlassDefaultMinutes;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new BadRequestError('INVALID_DURATION', 'durationMinutes must be a whole number of at least 1');
  }
  // Capped, not refused: in an incident a shorter session beats an error (expiresAt shows the cap).
  const minutes = Math.min(requested, breakGlassMaxMinutes);
  const now = services.now();
  const session: BreakGlassSessionRow = {
    id: newId('bgs'),
    projectId: project.id,
    userId: user.user.id,
    justification,
    openedAt: now,
    expiresAt: new Date(now.getTime() + minutes * 60_000),
    closedAt: null,
  };
  await services.transaction(async (tx) => {
    await tx.insert(breakGlassSessions).values(session);
    await recordAudit(tx, {
      projectId: project.id,
      actor: user,
      action: 'break_glass.opened',
      targetType: 'BreakGlassSession',
      targetId: session.id,
      details: {
        justification,
        durationMinutes: minutes,
        ...(minutes !== requested ? { requestedMinutes: requested } : {}),
        expiresAt: session.expiresAt.toISOString(),
      },
      now,
    });
  });
  return session;
}

export async function closeBreakGlassSession(services: Services, actor: Actor | null, id: string): Promise<BreakGlassSessionRow> {
  const [session] = await services.db.select().from(breakGlassSessions).where(eq(breakGlassSessions.id, id));
  if (!session) throw new NotFoundError('break-glass session');
  const user = requireRole(actor, session.projectId, 'DEPLOYER', 'break-glass session');
  if (session.userId !== user.user.id && user.roles.get(session.projectId) !== 'ADMIN') {
    throw new NotFoundError('break-glass session');
  }
  const now = services.now();
  const notActive = () => new BadRequestError('BREAK_GLASS_NOT_ACTIVE', 'the break-glass session is already closed or expired');
  if (!isActive(session, now)) throw notActive();
  await services.transaction(async (tx) => {
    // Read again inside the transaction: of two concurrent closes only one closes (and is audited).
    const [fresh] = await tx.select().from(breakGlassSessions).where(eq(breakGlassSessions.id, id));
    if (!fresh || !isActive(fresh, now)) throw notActive();
    await recordAudit(tx, {
      projectId: session.projectId,
      actor: user,
      action: 'break_glass.closed',
      targetType: 'BreakGlassSession',
      targetId: session.id,
      now,
    });
    await tx.update(breakGlassSessions).set({ closedAt: now }).where(eq(breakGlassSessions.id, id));
  });
  return { ...session, closedAt: now };
}

export async function breakGlassSessionsOf(services: Services, project: ProjectRow, activeOnly: boolean): Promise<BreakGlassSessionRow[]> {
  const rows = await services.db
    .select()
    .from(breakGlassSessions)
    .where(and(eq(breakGlassSessions.projectId, project.id)))
    .orderBy(desc(breakGlassSessions.openedAt));
  const now = services.now();
  return activeOnly ? rows.filter((s) => isActive(s, now)) : rows;
}
