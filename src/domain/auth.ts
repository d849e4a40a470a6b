/** Bearer tokens: random, shown once, stored as sha256; resolved into an Actor per request or socket. */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { agentScopes, agents, apiTokens, memberships, users, type Role } from '../db/schema';
import type { Db } from '../db/client';
import { preparedPerDb } from '../db/prepared';
import type { Actor } from './actor';
import { newId } from './ids';

export function generateToken(kind: 'user' | 'agent'): string {
  return `${kind === 'user' ? 'btu' : 'bta'}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Inserts a token for a user or an agent and returns the plain token, which is never stored. */
export async function issueToken(
  db: Db,
  owner: { userId: string } | { agentId: string },
  name: string,
): Promise<{ id: string; token: string }> {
  const isUser = 'userId' in owner;
  const token = generateToken(isUser ? 'user' : 'agent');
  const id = newId('tok');
  await db.insert(apiTokens).values({
    id,
    tokenHash: hashToken(token),
    userId: isUser ? owner.userId : null,
    agentId: isUser ? null : owner.agentId,
    name,
  });
  return { id, token };
}

/** Revokes a user's tokens (only those with this name, when given); returns how many were revoked. */
export async function revokeTokens(db: Db, owner: { userId: string; name?: string }, now = new Date()): Promise<number> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.userId, owner.userId), isNull(apiTokens.revokedAt), owner.name === undefined ? undefined : eq(apiTokens.name, owner.name)))
    .returning({ id: apiTokens.id });
  return revoked.length;
}

/** Reads the token out of `Bearer <token>` (the scheme is case-insensitive); anything else yields null. */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

// Every request authenticates, so these are prepared once.
const tokenQuery = preparedPerDb((db) =>
  db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')), isNull(apiTokens.revokedAt)))
    .prepare(),
);
const userQuery = preparedPerDb((db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare());
const membershipsQuery = preparedPerDb((db) => db.select().from(memberships).where(eq(memberships.userId, sql.placeholder('userId'))).prepare());
const agentQuery = preparedPerDb((db) => db.select().from(agents).where(eq(agents.id, sql.placeholder('id'))).prepare());
const agentScopesQuery = preparedPerDb((db) => db.select().from(agentScopes).where(eq(agentScopes.agentId, sql.placeholder('agentId'))).prepare());

export async function authenticate(db: Db, token: string | null): Promise<Actor | null> {
  if (!token) return null;
  const row = await tokenQuery(db).get({ tokenHash: hashToken(token) });
  if (!row) return null;
  if (row.userId) {
    const user = await userQuery(db).get({ id: row.userId });
    if (!user) return null;
    const roles = await membershipsQuery(db).all({ userId: user.id });
    return {
      kind: 'user',
      tokenId: row.id,
      user: { id: user.id, email: user.email, name: user.name },
      roles: new Map<string, Role>(roles.map((m) => [m.projectId, m.role])),
    };
  }
  const agent = await agentQuery(db).get({ id: row.agentId! });
  if (!agent) return null;
  const scopes = await agentScopesQuery(db).all({ agentId: agent.id });
  return {
    kind: 'agent',
    tokenId: row.id,
    agent: { id: agent.id, projectId: agent.projectId, name: agent.name },
    tenantEnvironmentIds: new Set(scopes.map((s) => s.tenantEnvironmentId)),
  };
}
