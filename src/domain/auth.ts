/** Bearer tokens: random, shown once, stored as sha256; resolved into an Actor per request or socket. */
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from './actor';
import { newId } from './ids';
import type { ApiToken, Role } from './model';
import type { ReadStores, Stores } from './ports';

export type TokenOwner = { userId: string } | { agentId: string } | { projectId: string };

const PREFIXES = { user: 'btu', agent: 'bta', repository: 'btr' } as const;

export function generateToken(kind: keyof typeof PREFIXES): string {
  return `${PREFIXES[kind]}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Inserts a token for a user, an agent or a project (a repository read token) and returns the plain
 * token, which is never stored.
 */
export async function issueToken(
  stores: Pick<Stores, 'tokens'>,
  owner: TokenOwner,
  name: string,
  expiresAt: Date | null = null,
): Promise<{ id: string; token: string }> {
  const kind = 'userId' in owner ? 'user' : 'agentId' in owner ? 'agent' : 'repository';
  const token = generateToken(kind);
  const id = newId('tok');
  await stores.tokens.insert({
    id,
    tokenHash: hashToken(token),
    userId: 'userId' in owner ? owner.userId : null,
    agentId: 'agentId' in owner ? owner.agentId : null,
    projectId: 'projectId' in owner ? owner.projectId : null,
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

/**
 * The token of a `Bearer` header, or of a `Basic` one the way Git clients and Argo CD send it: any
 * username and the token as the password (or the token as the username and no password, as in
 * `https://<token>@host/...`).
 */
export function bearerOrBasicToken(header: string | null | undefined): string | null {
  const bearer = bearerToken(header);
  if (bearer) return bearer;
  const match = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [username, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return password || username || null;
}

export type AuthenticationFailure = 'missing' | 'unknown or revoked' | 'expired';

/** Neither revoked nor past its expiry. */
export function isTokenActive(token: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return !token.revokedAt && (!token.expiresAt || token.expiresAt > now);
}

/** The actor a token stands for, or why it stands for nobody. Expiry is checked against `now`. */
export async function authenticateToken(
  stores: ReadStores,
  token: string | null,
  now: Date = new Date(),
): Promise<{ actor: Actor } | { actor: null; failure: AuthenticationFailure }> {
  if (!token) return { actor: null, failure: 'missing' };
  const found = await stores.tokens.activeWithUserByHash(hashToken(token));
  if (!found) return { actor: null, failure: 'unknown or revoked' };
  const { token: row, user, memberships } = found;
  if (!isTokenActive(row, now)) return { actor: null, failure: 'expired' };
  if (row.userId) {
    if (!user) return { actor: null, failure: 'unknown or revoked' };
    return {
      actor: {
        kind: 'user',
        tokenId: row.id,
        user: { id: user.id, email: user.email, name: user.name },
        roles: new Map<string, Role>(memberships.map((m) => [m.projectId, m.role])),
      },
    };
  }
  if (row.projectId) return { actor: { kind: 'repository', tokenId: row.id, projectId: row.projectId, name: row.name } };
  const agent = await stores.agents.byId(row.agentId!);
  if (!agent) return { actor: null, failure: 'unknown or revoked' };
  return {
    actor: {
      kind: 'agent',
      tokenId: row.id,
      agent: { id: agent.id, projectId: agent.projectId, name: agent.name },
      tenantEnvironmentIds: new Set(await stores.agents.scopesOf(agent.id)),
    },
  };
}

export async function authenticate(stores: ReadStores, token: string | null, now: Date = new Date()): Promise<Actor | null> {
  return (await authenticateToken(stores, token, now)).actor;
}
