/** Bearer tokens: random, shown once, stored as sha256; resolved into an Actor per request or socket. */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { agentScopes, agents, apiTokens, memberships, users, type Role } from '../db/schema';
import type { Db } from '../db/client';
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

/** Reads the token out of `Bearer <token>` (the scheme is case-insensitive); anything else yields null. */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export async function authenticate(db: Db, token: string | null): Promise<Actor | null> {
  if (!token) return null;
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return null;
  if (row.userId) {
    const [user] = await db.select().from(users).where(eq(users.id, row.userId));
    if (!user) return null;
    const roles = await db.select().from(memberships).where(eq(memberships.userId, user.id));
    return {
      kind: 'user',
      tokenId: row.id,
      user: { id: user.id, email: user.email, name: user.name },
      roles: new Map<string, Role>(roles.map((m) => [m.projectId, m.role])),
    };
  }
  const [agent] = await db.select().from(agents).where(eq(agents.id, row.agentId!));
  if (!agent) return null;
  const scopes = await db.select().from(agentScopes).where(eq(agentScopes.agentId, agent.id));
  return {
    kind: 'agent',
    tokenId: row.id,
    agent: { id: agent.id, projectId: agent.projectId, name: agent.name },
    tenantEnvironmentIds: new Set(scopes.map((s) => s.tenantEnvironmentId)),
  };
}
