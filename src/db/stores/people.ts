/** Users, their project roles, cluster agents and the API tokens of both. */
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Agent, ApiToken, Membership, User } from '../../domain/model';
import type { AgentStore, MembershipStore, TokenStore, UserStore } from '../../domain/ports';
import { preparedRead, type StoreContext } from '../dialect';
import { byKey } from './keyed';

export function userStore(context: StoreContext): UserStore {
  const { db, t, dialect } = context;
  const byIdQuery = () => preparedRead(context, 'user_by_id', () => db.select().from(t.users).where(eq(t.users.id, sql.placeholder('id'))));
  const byIdsQuery = () => preparedRead(context, 'users_by_ids', () => db.select().from(t.users).where(dialect.inList(t.users.id, 'ids')));
  return {
    insert: async (user) =>
      (await db.insert(t.users).values(user).onConflictDoNothing({ target: t.users.email }).returning({ id: t.users.id })).length > 0,
    byId: async (id) => ((await byIdQuery().get({ id })) as User | undefined) ?? null,
    byIds: async (ids) => (ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })) as User[], (u) => u.id)),
    byEmail: async (email) => ((await db.select().from(t.users).where(eq(t.users.email, email)))[0] as User | undefined) ?? null,
    all: async () => (await db.select().from(t.users).orderBy(t.users.email)) as User[],
  };
}

export function membershipStore(context: StoreContext): MembershipStore {
  const { db, t } = context;
  const ofUserQuery = () =>
    preparedRead(context, 'memberships_of_user', () => db.select().from(t.memberships).where(eq(t.memberships.userId, sql.placeholder('userId'))));
  return {
    upsert: async (membership) => {
      await db
        .insert(t.memberships)
        .values(membership)
        .onConflictDoUpdate({ target: [t.memberships.userId, t.memberships.projectId], set: { role: membership.role } });
    },
    ofUser: async (userId) => (await ofUserQuery().all({ userId })) as Membership[],
    ofProject: async (projectId) =>
      (await db.select().from(t.memberships).where(eq(t.memberships.projectId, projectId)).orderBy(t.memberships.userId)) as Membership[],
    remove: async (userId, projectId) =>
      (
        await db
          .delete(t.memberships)
          .where(and(eq(t.memberships.userId, userId), eq(t.memberships.projectId, projectId)))
          .returning({ userId: t.memberships.userId })
      ).length > 0,
  };
}

export function agentStore(context: StoreContext): AgentStore {
  const { db, t } = context;
  const byIdQuery = () => preparedRead(context, 'agent_by_id', () => db.select().from(t.agents).where(eq(t.agents.id, sql.placeholder('id'))));
  const scopesQuery = () =>
    preparedRead(context, 'agent_scopes', () => db.select().from(t.agentScopes).where(eq(t.agentScopes.agentId, sql.placeholder('agentId'))));
  return {
    insert: async (agent, tenantEnvironmentIds) => {
      await db.insert(t.agents).values(agent);
      if (tenantEnvironmentIds.length > 0) {
        await db.insert(t.agentScopes).values(tenantEnvironmentIds.map((tenantEnvironmentId) => ({ agentId: agent.id, tenantEnvironmentId })));
      }
    },
    byId: async (id) => ((await byIdQuery().get({ id })) as Agent | undefined) ?? null,
    ofProject: async (projectId) =>
      (await db.select().from(t.agents).where(eq(t.agents.projectId, projectId)).orderBy(t.agents.createdAt, t.agents.id)) as Agent[],
    scopesOf: async (agentId) => (await scopesQuery().all({ agentId })).map((scope) => scope.tenantEnvironmentId),
    setScopes: async (agentId, tenantEnvironmentIds) => {
      await db.delete(t.agentScopes).where(eq(t.agentScopes.agentId, agentId));
      if (tenantEnvironmentIds.length > 0) {
        await db.insert(t.agentScopes).values(tenantEnvironmentIds.map((tenantEnvironmentId) => ({ agentId, tenantEnvironmentId })));
      }
    },
  };
}

export function tokenStore(context: StoreContext): TokenStore {
  const { db, t } = context;
  const withUserByHashQuery = () =>
    preparedRead(context, 'active_token_with_user_by_hash', () =>
      db
        .select()
        .from(t.apiTokens)
        .leftJoin(t.users, eq(t.users.id, t.apiTokens.userId))
        .leftJoin(t.memberships, eq(t.memberships.userId, t.users.id))
        .where(and(eq(t.apiTokens.tokenHash, sql.placeholder('tokenHash')), isNull(t.apiTokens.revokedAt))),
    );
  return {
    insert: async (token) => {
      await db.insert(t.apiTokens).values({ projectId: null, expiresAt: null, ...token });
    },
    activeWithUserByHash: async (tokenHash) => {
      const rows = (await withUserByHashQuery().all({ tokenHash })) as Array<{ api_tokens: ApiToken; users: User | null; memberships: Membership | null }>;
      if (rows.length === 0) return null;
      return { token: rows[0]!.api_tokens, user: rows[0]!.users, memberships: rows.flatMap((row) => (row.memberships ? [row.memberships] : [])) };
    },
    byId: async (id) => ((await db.select().from(t.apiTokens).where(eq(t.apiTokens.id, id)))[0] as ApiToken | undefined) ?? null,
    ofProject: async (projectId) =>
      (await db
        .select()
        .from(t.apiTokens)
        .where(eq(t.apiTokens.projectId, projectId))
        .orderBy(desc(t.apiTokens.createdAt), desc(t.apiTokens.id))) as ApiToken[],
    ofUser: async (userId) =>
      (await db.select().from(t.apiTokens).where(eq(t.apiTokens.userId, userId)).orderBy(desc(t.apiTokens.createdAt), desc(t.apiTokens.id))) as ApiToken[],
    revoke: async (id, now) =>
      (
        await db
          .update(t.apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(t.apiTokens.id, id), isNull(t.apiTokens.revokedAt)))
          .returning({ id: t.apiTokens.id })
      ).length > 0,
    setLastUsed: async (id, now, unlessAfter) => {
      await db
        .update(t.apiTokens)
        .set({ lastUsedAt: now })
        .where(and(eq(t.apiTokens.id, id), or(isNull(t.apiTokens.lastUsedAt), lte(t.apiTokens.lastUsedAt, unlessAfter))));
    },
    revokeOfUser: async (userId, name, now) =>
      (
        await db
          .update(t.apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(t.apiTokens.userId, userId), isNull(t.apiTokens.revokedAt), name === undefined ? undefined : eq(t.apiTokens.name, name)))
          .returning({ id: t.apiTokens.id })
      ).length,
  };
}
