/** Break-glass sessions: a time-boxed, audited bypass of approval for every protected action in a project. */
import type { Actor } from '../actor';
import { canReadProjectWide, requireRole } from '../access';
import { requireProjectWritable } from '../archived';
import { recordAudit } from '../audit';
import { BadRequestError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { boundedText } from '../input-limits';
import type { BreakGlassSession, Project } from '../model';
import type { Backend } from '../ports';
import { organizationOf, projectBySlug } from '../workspace';

export function isActive(session: BreakGlassSession, now: Date): boolean {
  return !session.closedAt && session.openedAt <= now && session.expiresAt > now;
}

export async function openBreakGlassSession(
  backend: Backend,
  actor: Actor | null,
  input: { project: string; justification: string; durationMinutes?: number | null },
): Promise<BreakGlassSession> {
  const project = await projectBySlug(backend, actor, input.project);
  if (!project) throw new NotFoundError(`project ${input.project}`);
  const user = requireRole(actor, project.id, 'DEPLOYER', 'project');
  requireProjectWritable(project, await organizationOf(backend, project));
  const justification = boundedText(input.justification, 'justification');
  if (!justification) throw new BadRequestError('JUSTIFICATION_REQUIRED', 'a justification is required to open a break-glass session');
  const { breakGlassDefaultMinutes, breakGlassMaxMinutes } = backend.settings;
  const requested = input.durationMinutes ?? breakGlassDefaultMinutes;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new BadRequestError('INVALID_DURATION', 'durationMinutes must be a whole number of at least 1');
  }
  // Capped, not refused: in an incident a shorter session beats an error (expiresAt shows the cap).
  const minutes = Math.min(requested, breakGlassMaxMinutes);
  const now = backend.now();
  const session: BreakGlassSession = {
    id: newId('bgs'),
    projectId: project.id,
    userId: user.user.id,
    justification,
    openedAt: now,
    expiresAt: new Date(now.getTime() + minutes * 60_000),
    closedAt: null,
  };
  await backend.transact(async ({ stores, notify }) => {
    await stores.breakGlass.insert(session);
    notify({ kind: 'BREAK_GLASS_OPENED', session, at: now });
    await recordAudit(stores, {
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

export async function closeBreakGlassSession(backend: Backend, actor: Actor | null, id: string): Promise<BreakGlassSession> {
  const session = await backend.stores.breakGlass.byId(id);
  if (!session) throw new NotFoundError('break-glass session');
  const user = requireRole(actor, session.projectId, 'DEPLOYER', 'break-glass session');
  if (session.userId !== user.user.id && user.roles.get(session.projectId) !== 'ADMIN') {
    throw new NotFoundError('break-glass session');
  }
  const now = backend.now();
  const notActive = () => new BadRequestError('BREAK_GLASS_NOT_ACTIVE', 'the break-glass session is already closed or expired');
  if (!isActive(session, now)) throw notActive();
  await backend.transact(async ({ stores }) => {
    // Read again inside the transaction: of two concurrent closes only one closes (and is audited).
    const fresh = await stores.breakGlass.byId(id);
    if (!fresh || !isActive(fresh, now)) throw notActive();
    // Audited first, while the session is still open: its closing is one of its actions.
    await recordAudit(stores, {
      projectId: session.projectId,
      actor: user,
      action: 'break_glass.closed',
      targetType: 'BreakGlassSession',
      targetId: session.id,
      now,
    });
    if (!(await stores.breakGlass.close(id, now))) throw notActive();
  });
  return { ...session, closedAt: now };
}

/** The project's sessions, newest first: project-wide, so users of the project only. */
export async function breakGlassSessionsOf(backend: Backend, actor: Actor | null, project: Project, activeOnly: boolean): Promise<BreakGlassSession[]> {
  if (!canReadProjectWide(actor, project.id)) return [];
  const rows = await backend.stores.breakGlass.ofProject(project.id);
  const now = backend.now();
  return activeOnly ? rows.filter((s) => isActive(s, now)) : rows;
}
