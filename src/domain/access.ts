/** Project-role authorization: a caller with no role in a project cannot tell that it exists. */
import { ROLES, type Role } from '../db/schema';
import type { Actor, UserActor } from './actor';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from './errors';

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleIn(actor: Actor | null, projectId: string): Role | null {
  if (actor?.kind !== 'user') return null;
  return actor.roles.get(projectId) ?? null;
}

export function canRead(actor: Actor | null, projectId: string): boolean {
  if (actor?.kind === 'agent') return actor.agent.projectId === projectId;
  return roleIn(actor, projectId) !== null;
}

export function requireUser(actor: Actor | null): UserActor {
  if (!actor) throw new UnauthenticatedError();
  if (actor.kind !== 'user') throw new ForbiddenError('USER_REQUIRED', 'this operation is for users, not cluster agents');
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
