/**
 * Who performs an onboarding action: a user over the API, held to the access policy (ADMIN of the
 * project), or the server operator through the admin CLI and `apply`, who has the data directory
 * and is trusted with everything. Audit events of the operator have no actor and say `via`.
 */
import type { Actor, UserActor } from '../actor';
import { requireRole } from '../access';
import { recordAudit, type AuditInput } from '../audit';
import type { Role } from '../model';
import type { Backend, GitAuthor, Stores } from '../ports';

export const OPERATOR = { kind: 'operator' } as const;
export type Operator = typeof OPERATOR;
export type Caller = Actor | Operator | null;

/** Commits the operator makes (a service created from the CLI) carry this author. */
export const OPERATOR_AUTHOR: GitAuthor = { name: 'Backtrack admin CLI', email: 'admin-cli@backtrack.invalid' };

export function isOperator(caller: Caller): caller is Operator {
  return caller === OPERATOR;
}

/** The user acting (null for the operator), required to hold `minimum` in the project. */
export function authorize(caller: Caller, projectId: string, minimum: Role, what: string): UserActor | null {
  return isOperator(caller) ? null : requireRole(caller, projectId, minimum, what);
}

export function authorOf(user: UserActor | null): GitAuthor {
  return user ? { name: user.user.name, email: user.user.email } : OPERATOR_AUTHOR;
}

/** An onboarding audit event: by the user, or by the operator (`via: admin CLI`). */
export function auditOnboarding(
  stores: Stores,
  user: UserActor | null,
  input: Omit<AuditInput, 'actor'>,
): Promise<void> {
  return recordAudit(stores, { ...input, actor: user, details: { ...(user ? {} : { via: 'admin CLI' }), ...input.details } });
}

/** A write and its audit event, in one transaction. */
export function auditedWrite<T>(
  backend: Backend,
  user: UserActor | null,
  audit: Omit<AuditInput, 'actor' | 'now'>,
  write: (stores: Stores) => Promise<T>,
): Promise<T> {
  return backend.transact(async ({ stores }) => {
    const result = await write(stores);
    await auditOnboarding(stores, user, { ...audit, now: backend.now() });
    return result;
  });
}
