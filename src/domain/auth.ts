/** Bearer tokens: random, shown once, stored as sha256; resolved into an Actor per request or socket. */
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from './actor';
import { newId } from './ids';
import type { ApiToken, Role } from './model';
import type { ReadStores, Stores } from './ports';

export function generateToken(kind: 'user' | 'agent'): string {
  return `${kind === 'user' ? 'btu' : 'bta'}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Inserts a token for a user or an agent and returns the plain token, which is never stored. */
export async function issueToken(
  stores: Pick<Stores, 'tokens'>,
  owner: { userId: string } | { agentId: string },
  name: string,
  expiresAt: Date | null = null,
): Promise<{ id: string; token: string }> {
  const isUser = 'userId' in owner;
  const token = generateToken(isUser ? 'user' : 'agent');
  const id = newId('tok');
  await stores.tokens.insert({
    id,
    tokenHash: hashToken(token),
    userId: isUser ? owner.userId : null,
    agentId: isUser ? null : owner.agentId,
    name,
    expiresAt,
  });
  return { id, token };
}

/** Reads the token out of `Bearer <token>` (the scheme is case-insensitive); anything else yields null. */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export type AuthenticationFailure = 'missing' | 'unknown or revoked' | 'expired';

/** Neither revoked nor past its expiry. */
export function isTokenActive(token: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): boolean {
  return !token.revokedAt && (!token.expiresAt || token.expiresAt > now);
}

/** The actor a token stands for, or why it stands for nobody. Expiry is checked against `now`. */
export async function authenticateToken(
  stores: ReadStores,
  token: string | null,
  now: Date = new Date(),
): Promise<{ actor: Actor } | { actor: null; failure: AuthenticationFailure }> {
  if (!token) return { actor: null, failure: 'missing' };
  const row = await stores.tokens.activeByHash(hashToken(token));
  if (!row) return { actor: null, failure: 'unknown or revoked' };
  if (!isTokenActive(row, now)) return { actor: null, failure: 'expired' };
  const actor = await actorOf(stores, row);
  return actor ? { actor } : { actor: null, failure: 'unknown or revoked' };
}

export async function authenticate(stores: ReadStores, token: string | null, now: Date = new Date()): Promise<Actor | null> {
  return (await authenticateToken(stores, token, now)).actor;
}

async function actorOf(stores: ReadStores, row: ApiToken): Promise<Actor | null> {
  if (row.userId) {
    const user = await stores.users.byId(row.userId);
    if (!user) return null;
    const memberships = await stores.memberships.ofUser(user.id);
    return {
      kind: 'user',
      tokenId: row.id,
      user: { id: user.id, email: user.email, name: user.name },
      roles: new Map<string, Role>(memberships.map((m) => [m.projectId, m.role])),
    };
  }
  const agent = await stores.agents.byId(row.agentId!);
  if (!agent) return null;
  return {
    kind: 'agent',
    tokenId: row.id,
    agent: { id: agent.id, projectId: agent.projectId, name: agent.name },
    tenantEnvironmentIds: new Set(await stores.agents.scopesOf(agent.id)),
  };
}
