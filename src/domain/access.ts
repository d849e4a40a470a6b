/**
 * The one access policy. Users read the projects they hold a role in (a project of another team
 * reads as not found); a cluster agent reads only the tenant-environments it serves, everywhere:
 * of its project it sees the name, its own tenant-environments and the audit events of those, and
 * nothing that belongs to the project as a whole (break-glass sessions, other tenant-environments).
 * A repository read token reads its project's Git repository and nothing through the API.
 */
import type { Actor, UserActor } from './actor';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from './errors';
import type { DomainEvent } from './events';
import { ROLES, type AuditEvent, type Role } from './model';

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleIn(actor: Actor | null, projectId: string): Role | null {
  if (actor?.kind !== 'user') return null;
  return actor.roles.get(projectId) ?? null;
}

/** Whether the project is visible at all (for an agent: its own project, restricted to its scope). */
export function canReadProject(actor: Actor | null, projectId: string): boolean {
  if (actor?.kind === 'agent') return actor.agent.projectId === projectId;
  return roleIn(actor, projectId) !== null;
}

/** What the whole project holds beyond single tenant-environments: users with a role only. */
export function canReadProjectWide(actor: Actor | null, projectId: string): boolean {
  return actor?.kind === 'user' && roleIn(actor, projectId) !== null;
}

export function canReadTenantEnvironment(actor: Actor | null, tenantEnvironment: { id: string; projectId: string }): boolean {
  if (actor?.kind === 'agent') return actor.agent.projectId === tenantEnvironment.projectId && actor.tenantEnvironmentIds.has(tenantEnvironment.id);
  return roleIn(actor, tenantEnvironment.projectId) !== null;
}

/** Requests, deployments and events all belong to one tenant-environment of one project. */
export function canReadRecord(actor: Actor | null, record: { projectId: string; tenantEnvironmentId: string }): boolean {
  return canReadTenantEnvironment(actor, { id: record.tenantEnvironmentId, projectId: record.projectId });
}

export function canReadEvent(actor: Actor | null, event: DomainEvent): boolean {
  return canReadRecord(actor, event);
}

export function canReadAuditEvent(actor: Actor | null, event: AuditEvent): boolean {
  if (!event.projectId) return false;
  if (actor?.kind === 'agent') return event.tenantEnvironmentId !== null && canReadRecord(actor, { projectId: event.projectId, tenantEnvironmentId: event.tenantEnvironmentId });
  return canReadProjectWide(actor, event.projectId);
}

/**
 * The hosted repository holds every tenant's configuration, so reading it (Git over HTTP) is a
 * project-wide right: users with any role, and the project's own repository read tokens. Agents
 * never, since they read only their own tenant-environments.
 */
export function canReadRepository(actor: Actor | null, projectId: string): boolean {
  if (actor?.kind === 'repository') return actor.projectId === projectId;
  return canReadProjectWide(actor, projectId);
}

/** The tenant-environments an agent is limited to; null for users (their role decides). */
export function agentScope(actor: Actor | null): ReadonlySet<string> | null {
  return actor?.kind === 'agent' ? actor.tenantEnvironmentIds : null;
}

/** The projects the actor sees anything of: a user's, by role; an agent's own. */
export function readableProjectIds(actor: Actor | null): string[] {
  if (actor?.kind === 'agent') return [actor.agent.projectId];
  return actor?.kind === 'user' ? [...actor.roles.keys()] : [];
}

/**
 * Users by id: themself, and people who hold a role in one of the caller's projects (whom they
 * meet as requesters, reviewers and authors anyway). Agents look up no users.
 */
export function canReadUser(actor: Actor | null, userId: string, projectIdsOfUser: readonly string[]): boolean {
  if (actor?.kind !== 'user') return false;
  return actor.user.id === userId || projectIdsOfUser.some((projectId) => actor.roles.has(projectId));
}

/** Memberships are disclosed to the user themself only. */
export function canReadRolesOf(actor: Actor | null, userId: string): actor is UserActor {
  return actor?.kind === 'user' && actor.user.id === userId;
}

export function requireUser(actor: Actor | null): UserActor {
  if (!actor) throw new UnauthenticatedError();
  if (actor.kind === 'agent') throw new ForbiddenError('USER_REQUIRED', 'this operation is for users, not cluster agents');
  if (actor.kind === 'repository') throw new ForbiddenError('USER_REQUIRED', 'this operation is for users; a repository read token only reads the repository over Git HTTP');
  return actor;
}

/**
 * Requires at least `minimum` in the project. No role at all is reported as not found,
 * so that projects of other teams stay invisible; too low a role is forbidden.
 */
export function requireRole(actor: Actor | null, projectId: string, minimum: Role, what: string): UserActor {
  const user = requireUser(actor);
  const role = roleIn(user, projectId);
  if (!role) throw new NotFoundError(what);
  if (roleRank(role) < roleRank(minimum)) {
    throw new ForbiddenError('INSUFFICIENT_ROLE', `this operation requires the ${minimum} role in the project (you are ${role})`, {
      requiredRole: minimum,
      role,
    });
  }
  return user;
}
