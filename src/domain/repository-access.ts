/**
 * Reading a project's repository over Git HTTP: who may (the access policy's canReadRepository),
 * decided here from the token and the project slug, answered by the HTTP layer with the status given.
 */
import type { Actor } from './actor';
import { canReadRepository } from './access';
import type { authenticateToken } from './auth';
import { NAME_PATTERN } from './layout';
import type { Project } from './model';
import type { Backend } from './ports';

export type RepositoryReadRefusal =
  | { status: 401; reason: 'missing credentials' | 'unknown or revoked token' | 'expired token' }
  | { status: 403; reason: 'cluster agent token' }
  | { status: 404; reason: 'no such project' | 'no access to the project' };

export type RepositoryReadDecision = ({ allowed: true; project: Project; actor: Actor }) | ({ allowed: false } & RepositoryReadRefusal);

/** A token's last use is written at most this often. */
const LAST_USE_RESOLUTION_MS = 60_000;

/** When this process last wrote each token's use, per backend: most requests then need no write transaction at all. */
const recordedUses = new WeakMap<Backend, Map<string, number>>();

async function recordUse(backend: Backend, tokenId: string, now: Date): Promise<void> {
  let recorded = recordedUses.get(backend);
  if (!recorded) recordedUses.set(backend, (recorded = new Map()));
  const last = recorded.get(tokenId);
  if (last !== undefined && Math.abs(now.getTime() - last) < LAST_USE_RESOLUTION_MS) return;
  recorded.set(tokenId, now.getTime());
  // The store's condition keeps other instances sharing the database from writing it more often.
  await backend.transact(({ stores }) => stores.tokens.setLastUsed(tokenId, now, new Date(now.getTime() - LAST_USE_RESOLUTION_MS)));
}

/**
 * Whether the authenticated token may read the repository of project `projectSlug`. Credentials are checked first,
 * so that without valid ones nothing tells whether a project exists; agents are refused whatever the
 * project; a project that does not exist and one the token has no access to both read as not found.
 */
export async function authorizeRepositoryRead(
  backend: Backend,
  projectSlug: string,
  authenticated: Awaited<ReturnType<typeof authenticateToken>>,
): Promise<RepositoryReadDecision> {
  const now = backend.now();
  if (!authenticated.actor) {
    const reason = authenticated.failure === 'missing' ? 'missing credentials' : authenticated.failure === 'expired' ? 'expired token' : 'unknown or revoked token';
    return { allowed: false, status: 401, reason };
  }
  const actor = authenticated.actor;
  if (actor.kind === 'agent') return { allowed: false, status: 403, reason: 'cluster agent token' };
  const project = NAME_PATTERN.test(projectSlug) ? await backend.stores.projects.bySlug(projectSlug) : null;
  if (!project) return { allowed: false, status: 404, reason: 'no such project' };
  if (!canReadRepository(actor, project.id)) return { allowed: false, status: 404, reason: 'no access to the project' };
  await recordUse(backend, actor.tokenId, now);
  return { allowed: true, project, actor };
}
