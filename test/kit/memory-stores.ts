/**
 * The domain's stores in memory, for unit tests that run in milliseconds. Transactions work on a
 * copy of the committed state (one at a time) and replace it on commit, so reads outside a
 * transaction see committed data only, as with the database adapters. test/kit/store-contract.ts
 * runs the same assertions against these and the real adapters, so the two cannot drift apart.
 */
import { KeyedMutex } from '../../src/lib/keyed-mutex';
import type {
  Agent,
  ChangeRequest,
  DeploymentNote,
  DeploymentReversion,
  ApiToken,
  AuditEvent,
  BreakGlassSession,
  Deployment,
  DeploymentChange,
  Environment,
  IndexedCommit,
  Membership,
  NotificationDelivery,
  NotificationTarget,
  Organization,
  Project,
  RecordedChanges,
  RollbackNote,
  RollbackRequest,
  RollbackReview,
  SyncReport,
  Tenant,
  TenantEnvironment,
  User,
} from '../../src/domain/model';
import type { KeyWindow, RunInTransaction, SequenceRange, Stores } from '../../src/domain/ports';

interface State {
  organizations: Organization[];
  projects: Project[];
  tenants: Tenant[];
  environments: Environment[];
  tenantEnvironments: Array<{ id: string; projectId: string; tenantId: string; environmentId: string; archivedAt: Date | null }>;
  archivedServices: Array<{ tenantEnvironmentId: string; service: string; archivedAt: Date }>;
  users: User[];
  memberships: Membership[];
  agents: Agent[];
  agentScopes: Array<{ agentId: string; tenantEnvironmentId: string }>;
  tokens: ApiToken[];
  deployments: Deployment[];
  indexedCommits: Array<IndexedCommit & { projectId: string }>;
  deploymentChanges: DeploymentChange[];
  requests: RollbackRequest[];
  requestPreviews: Array<{ requestId: string; changes: RecordedChanges }>;
  reviews: RollbackReview[];
  notes: RollbackNote[];
  changeRequests: ChangeRequest[];
  changeReviews: RollbackReview[];
  deploymentNotes: DeploymentNote[];
  reversions: DeploymentReversion[];
  breakGlass: BreakGlassSession[];
  audit: AuditEvent[];
  syncReports: SyncReport[];
  notificationTargets: NotificationTarget[];
  notificationDeliveries: NotificationDelivery[];
  sequences: { audit: number; syncReports: number; notificationDeliveries: number };
}

const emptyState = (): State => ({
  organizations: [],
  projects: [],
  tenants: [],
  environments: [],
  tenantEnvironments: [],
  archivedServices: [],
  users: [],
  memberships: [],
  agents: [],
  agentScopes: [],
  tokens: [],
  deployments: [],
  indexedCommits: [],
  deploymentChanges: [],
  requests: [],
  requestPreviews: [],
  reviews: [],
  notes: [],
  changeRequests: [],
  changeReviews: [],
  deploymentNotes: [],
  reversions: [],
  breakGlass: [],
  audit: [],
  syncReports: [],
  notificationTargets: [],
  notificationDeliveries: [],
  sequences: { audit: 0, syncReports: 0, notificationDeliveries: 0 },
});

class UniqueViolation extends Error {
  constructor(what: string) {
    super(`UNIQUE constraint failed: ${what}`);
  }
}

/** Records leave a store as copies: callers may not change what is stored. */
const copy = <T>(value: T): T => structuredClone(value);
const one = <T>(value: T | undefined): T | null => (value === undefined ? null : copy(value));
const byTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? 0) - (b?.getTime() ?? 0);
/** Text order as SQLite compares it (code units; the same for the names stored here). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const inRange = (sequence: number, range: SequenceRange) => sequence > range.after && sequence <= range.upTo;
const bySlug = <T extends { slug: string }>(a: T, b: T) => a.slug.localeCompare(b.slug);

/** `setArchivedAt` of a store whose rows have ids. */
const archiver = <T extends { id: string; archivedAt: Date | null }>(rows: () => T[]) => async (id: string, at: Date | null) => {
  const row = rows().find((r) => r.id === id);
  if (row) row.archivedAt = at;
};

/** `limit` rows by key from the newest end (or the oldest, for backward paging), newest first. */
function windowOf<T>(rows: T[], key: (row: T) => number, limit: number, window: KeyWindow): T[] {
  const newestFirst = [...rows].sort((a, b) => key(b) - key(a));
  return window.fromOldest ? newestFirst.slice(Math.max(0, newestFirst.length - limit)) : newestFirst.slice(0, limit);
}

function storesOver(state: () => State): Stores {
  const s = state;
  /** Each target's oldest PENDING row, when it is due and not leased. */
  const dueHeads = (now: Date) => {
    const heads = new Map<string, NotificationDelivery>();
    for (const d of [...s().notificationDeliveries].sort((a, b) => a.id - b.id)) {
      if (d.state === 'PENDING' && !heads.has(d.targetId)) heads.set(d.targetId, d);
    }
    return [...heads.values()].filter((d) => d.nextAttemptAt <= now && (!d.leaseExpiresAt || d.leaseExpiresAt < now));
  };
  const activeSession = (userId: string, projectId: string, now: Date) =>
    s()
      .breakGlass.filter((b) => b.userId === userId && b.projectId === projectId && !b.closedAt && b.openedAt <= now && b.expiresAt > now)
      .sort((a, b) => byTime(b.openedAt, a.openedAt))[0];
  const tenantEnvironment = (row: State['tenantEnvironments'][number]): TenantEnvironment => {
    const project = s().projects.find((p) => p.id === row.projectId)!;
    const tenant = s().tenants.find((t) => t.id === row.tenantId)!;
    const environment = s().environments.find((e) => e.id === row.environmentId)!;
    return copy({
      id: row.id,
      project,
      organization: s().organizations.find((o) => o.id === project.organizationId)!,
      tenant,
      environment,
      ref: { project: project.slug, tenant: tenant.slug, environment: environment.slug },
      archivedAt: row.archivedAt,
    });
  };
  return {
    organizations: {
      insert: async (organization) => {
        if (s().organizations.some((o) => o.id === organization.id || o.slug === organization.slug)) throw new UniqueViolation('organizations.slug');
        s().organizations.push({ ...copy(organization), createdAt: new Date(), archivedAt: null });
      },
      byId: async (id) => one(s().organizations.find((o) => o.id === id)),
      bySlug: async (slug) => one(s().organizations.find((o) => o.slug === slug)),
      all: async () => copy([...s().organizations].sort(bySlug)),
      setDetails: async (id, details) => {
        const organization = s().organizations.find((o) => o.id === id);
        if (organization) Object.assign(organization, copy(details));
      },
      setArchivedAt: archiver(() => s().organizations),
    },
    projects: {
      insert: async (project) => {
        if (s().projects.some((p) => p.id === project.id || p.slug === project.slug)) throw new UniqueViolation('projects.slug');
        const row: Project = { ...copy(project), indexedSha: null, createdAt: new Date(), archivedAt: null };
        s().projects.push(row);
        return copy(row);
      },
      byId: async (id) => one(s().projects.find((p) => p.id === id)),
      bySlug: async (slug) => one(s().projects.find((p) => p.slug === slug)),
      byIds: async (ids) => copy(s().projects.filter((p) => ids.includes(p.id))),
      all: async () => copy([...s().projects].sort(bySlug)),
      setIndexedSha: async (id, sha) => {
        const project = s().projects.find((p) => p.id === id);
        if (project) project.indexedSha = sha;
      },
      setName: async (id, name) => {
        const project = s().projects.find((p) => p.id === id);
        if (project) project.name = name;
      },
      setArchivedAt: archiver(() => s().projects),
    },
    tenants: {
      insert: async (tenant) => {
        if (s().tenants.some((t) => t.id === tenant.id || (t.projectId === tenant.projectId && t.slug === tenant.slug))) throw new UniqueViolation('tenants.slug');
        s().tenants.push({ ...copy(tenant), archivedAt: null });
      },
      bySlug: async (projectId, slug) => one(s().tenants.find((t) => t.projectId === projectId && t.slug === slug)),
      ofProject: async (projectId) => copy(s().tenants.filter((t) => t.projectId === projectId).sort(bySlug)),
      setName: async (id, name) => {
        const tenant = s().tenants.find((t) => t.id === id);
        if (tenant) tenant.name = name;
      },
      setArchivedAt: archiver(() => s().tenants),
    },
    tenantEnvironments: {
      ensure: async (projectId, tenantSlug, environmentSlug, ids) => {
        let tenant = s().tenants.find((t) => t.projectId === projectId && t.slug === tenantSlug);
        if (!tenant) s().tenants.push((tenant = { id: ids.tenant, projectId, slug: tenantSlug, name: tenantSlug, archivedAt: null }));
        let environment = s().environments.find((e) => e.projectId === projectId && e.slug === environmentSlug);
        if (!environment) {
          environment = { id: ids.environment, projectId, slug: environmentSlug, approvalRequired: false, quorum: 1, blockSelfApproval: true, archivedAt: null };
          s().environments.push(environment);
        }
        let row = s().tenantEnvironments.find((te) => te.tenantId === tenant!.id && te.environmentId === environment!.id);
        if (!row) s().tenantEnvironments.push((row = { id: ids.tenantEnvironment, projectId, tenantId: tenant.id, environmentId: environment.id, archivedAt: null }));
        return row.id;
      },
      insert: async (row) => {
        if (s().tenantEnvironments.some((te) => te.id === row.id || (te.tenantId === row.tenantId && te.environmentId === row.environmentId))) {
          throw new UniqueViolation('tenant_environments_pair');
        }
        s().tenantEnvironments.push({ ...copy(row), archivedAt: null });
      },
      byIds: async (ids) => ids.map((id) => {
        const row = s().tenantEnvironments.find((te) => te.id === id);
        return row ? tenantEnvironment(row) : null;
      }),
      bySlugs: async (ref) => {
        const found = s()
          .tenantEnvironments.map(tenantEnvironment)
          .find((te) => te.ref.project === ref.project && te.ref.tenant === ref.tenant && te.ref.environment === ref.environment);
        return found ?? null;
      },
      ofProject: async (projectId) => s().tenantEnvironments.filter((te) => te.projectId === projectId).map(tenantEnvironment),
      setArchivedAt: archiver(() => s().tenantEnvironments),
      archivedServices: async (tenantEnvironmentId) =>
        s()
          .archivedServices.filter((a) => a.tenantEnvironmentId === tenantEnvironmentId)
          .map((a) => a.service)
          .sort(),
      setServiceArchivedAt: async (tenantEnvironmentId, service, at) => {
        const index = s().archivedServices.findIndex((a) => a.tenantEnvironmentId === tenantEnvironmentId && a.service === service);
        if (at === null && index >= 0) s().archivedServices.splice(index, 1);
        else if (at !== null && index < 0) s().archivedServices.push({ tenantEnvironmentId, service, archivedAt: at });
      },
    },
    environments: {
      insert: async (environment) => {
        if (s().environments.some((e) => e.id === environment.id || (e.projectId === environment.projectId && e.slug === environment.slug))) {
          throw new UniqueViolation('environments.slug');
        }
        s().environments.push({ ...copy(environment), archivedAt: null });
      },
      bySlug: async (projectId, slug) => one(s().environments.find((e) => e.projectId === projectId && e.slug === slug)),
      ofProject: async (projectId) => copy(s().environments.filter((e) => e.projectId === projectId).sort(bySlug)),
      setPolicy: async (id, policy) => {
        const environment = s().environments.find((e) => e.id === id)!;
        Object.assign(environment, policy);
        return copy(environment);
      },
      setArchivedAt: archiver(() => s().environments),
      byIds: async (ids) => ids.map((id) => one(s().environments.find((e) => e.id === id))),
    },
    users: {
      insert: async (user) => {
        if (s().users.some((u) => u.email === user.email)) return false;
        s().users.push({ ...copy(user), createdAt: new Date() });
        return true;
      },
      byId: async (id) => one(s().users.find((u) => u.id === id)),
      byIds: async (ids) => ids.map((id) => one(s().users.find((u) => u.id === id))),
      byEmail: async (email) => one(s().users.find((u) => u.email === email)),
      all: async () => copy([...s().users].sort((a, b) => a.email.localeCompare(b.email))),
    },
    memberships: {
      upsert: async (membership) => {
        const existing = s().memberships.find((m) => m.userId === membership.userId && m.projectId === membership.projectId);
        if (existing) existing.role = membership.role;
        else s().memberships.push(copy(membership));
      },
      ofUser: async (userId) => copy(s().memberships.filter((m) => m.userId === userId)),
      ofProject: async (projectId) => copy(s().memberships.filter((m) => m.projectId === projectId).sort((a, b) => a.userId.localeCompare(b.userId))),
      remove: async (userId, projectId) => {
        const index = s().memberships.findIndex((m) => m.userId === userId && m.projectId === projectId);
        if (index >= 0) s().memberships.splice(index, 1);
        return index >= 0;
      },
    },
    agents: {
      insert: async (agent, tenantEnvironmentIds) => {
        s().agents.push({ ...copy(agent), createdAt: new Date() });
        for (const tenantEnvironmentId of tenantEnvironmentIds) s().agentScopes.push({ agentId: agent.id, tenantEnvironmentId });
      },
      byId: async (id) => one(s().agents.find((a) => a.id === id)),
      ofProject: async (projectId) => copy(s().agents.filter((a) => a.projectId === projectId).sort((a, b) => byTime(a.createdAt, b.createdAt) || a.id.localeCompare(b.id))),
      scopesOf: async (agentId) => s().agentScopes.filter((scope) => scope.agentId === agentId).map((scope) => scope.tenantEnvironmentId),
      setScopes: async (agentId, tenantEnvironmentIds) => {
        s().agentScopes = s().agentScopes.filter((scope) => scope.agentId !== agentId);
        for (const tenantEnvironmentId of tenantEnvironmentIds) s().agentScopes.push({ agentId, tenantEnvironmentId });
      },
    },
    tokens: {
      insert: async (token) => {
        if (s().tokens.some((t) => t.tokenHash === token.tokenHash)) throw new UniqueViolation('api_tokens.token_hash');
        s().tokens.push({ projectId: null, expiresAt: null, ...copy(token), createdAt: new Date(), lastUsedAt: null, revokedAt: null });
      },
      activeWithUserByHash: async (tokenHash) => {
        const token = one(s().tokens.find((t) => t.tokenHash === tokenHash && !t.revokedAt));
        if (!token) return null;
        const user = token.userId ? one(s().users.find((u) => u.id === token.userId)) : null;
        return { token, user, memberships: user ? copy(s().memberships.filter((m) => m.userId === user.id)) : [] };
      },
      byId: async (id) => one(s().tokens.find((t) => t.id === id)),
      ofProject: async (projectId) =>
        copy(
          s()
            .tokens.filter((t) => t.projectId === projectId)
            .sort((a, b) => byTime(b.createdAt, a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
        ),
      ofUser: async (userId) =>
        copy(s().tokens.filter((t) => t.userId === userId).sort((a, b) => byTime(b.createdAt, a.createdAt) || b.id.localeCompare(a.id))),
      revoke: async (id, now) => {
        const token = s().tokens.find((t) => t.id === id && !t.revokedAt);
        if (token) token.revokedAt = now;
        return token !== undefined;
      },
      setLastUsed: async (id, now, unlessAfter) => {
        const token = s().tokens.find((t) => t.id === id);
        if (token && (!token.lastUsedAt || token.lastUsedAt <= unlessAfter)) token.lastUsedAt = now;
      },
      revokeOfUser: async (userId, name, now) => {
        const revoked = s().tokens.filter((t) => t.userId === userId && !t.revokedAt && (name === undefined || t.name === name));
        for (const token of revoked) token.revokedAt = now;
        return revoked.length;
      },
    },
    deployments: {
      upsertIndexed: async (rows) =>
        rows.map((row) => {
          const existing = s().deployments.find((d) => d.tenantEnvironmentId === row.tenantEnvironmentId && d.revision === row.revision);
          if (existing) {
            existing.sequence = row.sequence;
            return { id: existing.id, inserted: false };
          }
          s().deployments.push({ ...copy(row), rolledBackById: null, createdAt: new Date() });
          return { id: row.id, inserted: true };
        }),
      byIds: async (ids) => ids.map((id) => one(s().deployments.find((d) => d.id === id))),
      byRequestIds: async (ids) => ids.map((id) => one(s().deployments.find((d) => d.rollbackRequestId === id))),
      byRevision: async (tenantEnvironmentId, revision) =>
        one(s().deployments.find((d) => d.tenantEnvironmentId === tenantEnvironmentId && d.revision === revision)),
      page: async (tenantEnvironmentId, beforeSequence, limit, window = {}) =>
        copy(
          windowOf(
            s().deployments.filter((d) => d.tenantEnvironmentId === tenantEnvironmentId && d.sequence < beforeSequence && d.sequence > (window.above ?? -Infinity)),
            (d) => d.sequence,
            limit,
            window,
          ),
        ),
      inRange: async (tenantEnvironmentId, range) =>
        s()
          .deployments.filter((d) => d.tenantEnvironmentId === tenantEnvironmentId && inRange(d.sequence, range))
          .sort((a, b) => a.sequence - b.sequence)
          .map(({ id, revision, sequence }) => ({ id, revision, sequence })),
      idsAtRevisions: async (tenantEnvironmentId, revisions) =>
        s()
          .deployments.filter((d) => d.tenantEnvironmentId === tenantEnvironmentId && revisions.includes(d.revision))
          .map((d) => d.id),
      setStatus: async (ids, from, to, rolledBackById) => {
        for (const deployment of s().deployments) {
          if (!ids.includes(deployment.id) || !(typeof from === 'string' ? [from] : from).includes(deployment.status)) continue;
          deployment.status = to;
          if (rolledBackById !== undefined) deployment.rolledBackById = rolledBackById;
        }
      },
    },
    historyIndex: {
      indexedHead: async (projectId) => {
        const project = s().projects.find((p) => p.id === projectId);
        if (!project) return undefined;
        const sha = project.indexedSha;
        return sha !== null && s().indexedCommits.some((c) => c.projectId === projectId && c.sha === sha) ? sha : null;
      },
      insertCommits: async (projectId, commits) => {
        for (const commit of commits) {
          if (s().indexedCommits.some((c) => c.projectId === projectId && (c.sha === commit.sha || c.sequence === commit.sequence))) {
            throw new UniqueViolation('indexed_commits');
          }
          s().indexedCommits.push({ projectId, ...commit });
        }
      },
      deleteCommits: async (projectId) => {
        s().indexedCommits = s().indexedCommits.filter((c) => c.projectId !== projectId);
      },
      lastSequence: async (projectId) => Math.max(0, ...s().indexedCommits.filter((c) => c.projectId === projectId).map((c) => c.sequence)),
      sequencesOf: async (projectId, shas) =>
        new Map(s().indexedCommits.filter((c) => c.projectId === projectId && shas.includes(c.sha)).map((c) => [c.sha, c.sequence])),
      mergeInRange: async (projectId, range) => s().indexedCommits.some((c) => c.projectId === projectId && c.merge && inRange(c.sequence, range)),
      upsertChanges: async (rows) => {
        for (const row of rows) {
          const key = (c: DeploymentChange) => `${c.deploymentId}\u0000${c.file}\u0000${c.level}\u0000${c.path}`;
          const existing = s().deploymentChanges.find((c) => key(c) === key(row));
          if (existing) existing.sequence = row.sequence;
          else s().deploymentChanges.push(copy(row));
        }
      },
      changesOf: async (tenantEnvironmentId, where, levels, range) =>
        s()
          .deploymentChanges.filter(
            (c) =>
              c.tenantEnvironmentId === tenantEnvironmentId &&
              ('file' in where ? c.file === where.file && (!where.paths || where.paths.includes(c.path)) : c.file.startsWith(where.filePrefix)) &&
              levels.includes(c.level) &&
              inRange(c.sequence, range),
          )
          .sort((a, b) => a.sequence - b.sequence || compare(a.file, b.file) || compare(a.level, b.level) || compare(a.path, b.path))
          .map((c) => ({ sequence: c.sequence, file: c.file, level: c.level, path: c.path, revision: s().deployments.find((d) => d.id === c.deploymentId)!.revision })),
    },
    requests: {
      insert: async (request) => {
        if (s().requests.some((r) => r.id === request.id)) throw new UniqueViolation('rollback_requests.id');
        s().requests.push(copy(request));
        return copy(request);
      },
      byId: async (id) => one(s().requests.find((r) => r.id === id)),
      byIds: async (ids) => ids.map((id) => one(s().requests.find((r) => r.id === id))),
      transition: async (id, from, patch) => {
        const request = s().requests.find((r) => r.id === id && r.state === from);
        if (!request) return null;
        Object.assign(request, copy(patch));
        return copy(request);
      },
      ofTenantEnvironment: async (tenantEnvironmentId, states) =>
        copy(
          s()
            .requests.filter((r) => r.tenantEnvironmentId === tenantEnvironmentId && (!states?.length || states.includes(r.state)))
            .sort((a, b) => byTime(b.createdAt, a.createdAt)),
        ),
      inStates: async (states, projectId) =>
        copy(s().requests.filter((r) => states.includes(r.state) && (!projectId || r.projectId === projectId)).sort((a, b) => byTime(a.createdAt, b.createdAt))),
      completedOf: async (tenantEnvironmentId, limit) =>
        copy(
          s()
            .requests.filter((r) => r.tenantEnvironmentId === tenantEnvironmentId && r.state === 'COMPLETED')
            .sort((a, b) => byTime(b.completedAt, a.completedAt))
            .slice(0, limit),
        ),
      completedTargetsSince: async (tenantEnvironmentId, since) => {
        const counts = new Map<string, number>();
        for (const r of s().requests) {
          if (r.tenantEnvironmentId !== tenantEnvironmentId || r.state !== 'COMPLETED' || !r.completedAt || r.completedAt < since) continue;
          counts.set(r.targetSha, (counts.get(r.targetSha) ?? 0) + 1);
        }
        return [...counts].map(([revision, rollbacks]) => ({ revision, rollbacks }));
      },
      insertPreviewChanges: async (requestId, changes) => {
        if (s().requestPreviews.some((p) => p.requestId === requestId)) throw new UniqueViolation('rollback_request_previews.request_id');
        s().requestPreviews.push(copy({ requestId, changes }));
      },
      previewChanges: async (requestId) => one(s().requestPreviews.find((p) => p.requestId === requestId)?.changes),
      deletePreviewChanges: async (requestId) => {
        const at = s().requestPreviews.findIndex((p) => p.requestId === requestId);
        if (at >= 0) s().requestPreviews.splice(at, 1);
      },
    },
    reviews: {
      insert: async (review) => {
        if (s().reviews.some((r) => r.requestId === review.requestId && r.reviewerId === review.reviewerId)) throw new UniqueViolation('rollback_reviews');
        s().reviews.push(copy(review));
      },
      ofRequests: async (ids) => ids.map((id) => copy(s().reviews.filter((r) => r.requestId === id).sort((a, b) => byTime(a.createdAt, b.createdAt)))),
      byReviewer: async (requestId, reviewerId) => one(s().reviews.find((r) => r.requestId === requestId && r.reviewerId === reviewerId)),
      byIds: async (ids) => ids.map((id) => one(s().reviews.find((r) => r.id === id))),
    },
    notes: {
      insert: async (note) => {
        s().notes.push(copy(note));
      },
      ofRequests: async (ids) => ids.map((id) => copy(s().notes.filter((n) => n.requestId === id).sort((a, b) => byTime(a.createdAt, b.createdAt)))),
      byIds: async (ids) => ids.map((id) => one(s().notes.find((n) => n.id === id))),
    },
    changeRequests: {
      insert: async (request) => {
        if (s().changeRequests.some((r) => r.id === request.id)) throw new UniqueViolation('change_requests.id');
        s().changeRequests.push(copy(request));
        return copy(request);
      },
      byId: async (id) => one(s().changeRequests.find((r) => r.id === id)),
      byIds: async (ids) => ids.map((id) => one(s().changeRequests.find((r) => r.id === id))),
      transition: async (id, from, patch) => {
        const request = s().changeRequests.find((r) => r.id === id && r.state === from);
        if (!request) return null;
        Object.assign(request, copy(patch));
        return copy(request);
      },
      ofTenantEnvironment: async (tenantEnvironmentId, states) =>
        copy(
          s()
            .changeRequests.filter((r) => r.tenantEnvironmentId === tenantEnvironmentId && (!states?.length || states.includes(r.state)))
            .sort((a, b) => byTime(b.createdAt, a.createdAt)),
        ),
      inStates: async (states, projectId) =>
        copy(s().changeRequests.filter((r) => states.includes(r.state) && (!projectId || r.projectId === projectId)).sort((a, b) => byTime(a.createdAt, b.createdAt))),
    },
    changeReviews: {
      insert: async (review) => {
        if (s().changeReviews.some((r) => r.requestId === review.requestId && r.reviewerId === review.reviewerId)) throw new UniqueViolation('change_reviews');
        s().changeReviews.push(copy(review));
      },
      ofRequests: async (ids) => ids.map((id) => copy(s().changeReviews.filter((r) => r.requestId === id).sort((a, b) => byTime(a.createdAt, b.createdAt)))),
      byReviewer: async (requestId, reviewerId) => one(s().changeReviews.find((r) => r.requestId === requestId && r.reviewerId === reviewerId)),
      byIds: async (ids) => ids.map((id) => one(s().changeReviews.find((r) => r.id === id))),
    },
    deploymentNotes: {
      insert: async (note) => {
        s().deploymentNotes.push(copy(note));
      },
      ofDeployments: async (ids) => ids.map((id) => copy(s().deploymentNotes.filter((n) => n.deploymentId === id).sort((a, b) => byTime(a.createdAt, b.createdAt)))),
    },
    reversions: {
      insert: async (rows) => {
        for (const row of rows) {
          if (!s().reversions.some((r) => r.deploymentId === row.deploymentId && r.rollbackRequestId === row.rollbackRequestId)) s().reversions.push(copy(row));
        }
      },
      ofDeployments: async (ids) => ids.map((id) => copy(s().reversions.filter((r) => r.deploymentId === id).sort((a, b) => byTime(a.createdAt, b.createdAt)))),
    },
    breakGlass: {
      insert: async (session) => {
        s().breakGlass.push(copy(session));
      },
      byId: async (id) => one(s().breakGlass.find((b) => b.id === id)),
      byIds: async (ids) => ids.map((id) => one(s().breakGlass.find((b) => b.id === id))),
      activeFor: async (userId, projectId, now) => one(activeSession(userId, projectId, now)),
      ofProject: async (projectId) => copy(s().breakGlass.filter((b) => b.projectId === projectId).sort((a, b) => byTime(b.openedAt, a.openedAt))),
      close: async (id, now) => {
        const session = s().breakGlass.find((b) => b.id === id && !b.closedAt);
        if (!session) return false;
        session.closedAt = now;
        return true;
      },
    },
    audit: {
      insert: async (event) => {
        s().audit.push({ ...copy(event), id: ++s().sequences.audit });
      },
      insertFlaggingBreakGlass: async (event) => {
        const session = activeSession(event.actorUserId, event.projectId, event.createdAt);
        s().audit.push({ ...copy(event), actorAgentId: null, breakGlassSessionId: session?.id ?? null, id: ++s().sequences.audit });
      },
      list: async (projectId, filter, page) =>
        copy(
          windowOf(
            s().audit.filter(
              (a) =>
                a.projectId === projectId &&
                (!filter.action || a.action === filter.action) &&
                (!filter.actorUserId || a.actorUserId === filter.actorUserId) &&
                (!filter.tenantEnvironmentId || a.tenantEnvironmentId === filter.tenantEnvironmentId) &&
                (!filter.tenantEnvironmentIds || (a.tenantEnvironmentId !== null && filter.tenantEnvironmentIds.includes(a.tenantEnvironmentId))) &&
                (!filter.breakGlassSessionId || a.breakGlassSessionId === filter.breakGlassSessionId) &&
                (!filter.breakGlassOnly || a.breakGlassSessionId !== null) &&
                (page.beforeId === null || a.id < page.beforeId) &&
                a.id > (page.above ?? -Infinity),
            ),
            (a) => a.id,
            page.limit,
            page,
          ),
        ),
      byIds: async (ids) => ids.map((id) => one(s().audit.find((a) => a.id === id))),
    },
    syncReports: {
      insert: async (report) => {
        const row = { ...copy(report), id: ++s().sequences.syncReports };
        s().syncReports.push(row);
        return copy(row);
      },
      latest: async (tenantEnvironmentId) =>
        one(s().syncReports.filter((r) => r.tenantEnvironmentId === tenantEnvironmentId).sort((a, b) => b.id - a.id)[0]),
      latestReportTimes: async () =>
        s().tenantEnvironments.map((te) => {
          const latest = s().syncReports.filter((r) => r.tenantEnvironmentId === te.id).sort((a, b) => b.id - a.id)[0];
          return { tenantEnvironmentId: te.id, reportedAt: latest ? new Date(latest.reportedAt) : null };
        }),
    },
    notificationTargets: {
      upsert: async (target) => {
        const existing = s().notificationTargets.find((t) => t.projectId === target.projectId && t.name === target.name);
        if (existing) {
          Object.assign(existing, copy(target), { id: existing.id, createdAt: existing.createdAt });
          return copy(existing);
        }
        const row = { ...copy(target), createdAt: new Date() };
        s().notificationTargets.push(row);
        return copy(row);
      },
      byId: async (id) => one(s().notificationTargets.find((t) => t.id === id)),
      byIds: async (ids) => ids.map((id) => one(s().notificationTargets.find((t) => t.id === id))),
      ofProject: async (projectId) => copy(s().notificationTargets.filter((t) => t.projectId === projectId).sort((a, b) => compare(a.name, b.name))),
      remove: async (id) => {
        const before = s().notificationTargets.length;
        s().notificationTargets = s().notificationTargets.filter((t) => t.id !== id);
        s().notificationDeliveries = s().notificationDeliveries.filter((d) => d.targetId !== id);
        return s().notificationTargets.length < before;
      },
    },
    notificationDeliveries: {
      insert: async (rows) => {
        let inserted = 0;
        for (const row of rows) {
          if (s().notificationDeliveries.some((d) => d.targetId === row.targetId && d.eventId === row.eventId)) continue;
          s().notificationDeliveries.push({
            ...copy(row),
            id: ++s().sequences.notificationDeliveries,
            state: 'PENDING',
            attempts: 0,
            leaseOwner: null,
            leaseExpiresAt: null,
            lastStatus: null,
            lastError: null,
            lastAttemptAt: null,
            deliveredAt: null,
          });
          inserted++;
        }
        return inserted;
      },
      byId: async (id) => one(s().notificationDeliveries.find((d) => d.id === id)),
      list: async (projectId, filter, page) =>
        copy(
          windowOf(
            s().notificationDeliveries.filter(
              (d) =>
                d.projectId === projectId &&
                (!filter.targetId || d.targetId === filter.targetId) &&
                (!filter.state || d.state === filter.state) &&
                (page.beforeId === null || d.id < page.beforeId) &&
                (page.above == null || d.id > page.above),
            ),
            (d) => d.id,
            page.limit,
            page,
          ),
        ),
      anyDue: async (now) => dueHeads(now).length > 0,
      setLeases: async (owner, now, leaseUntil, limit) => {
        const claimed = dueHeads(now)
          .sort((a, b) => a.id - b.id)
          .slice(0, limit);
        for (const d of claimed) Object.assign(d, { leaseOwner: owner, leaseExpiresAt: leaseUntil });
        return copy(claimed);
      },
      setOutcome: async (id, owner, outcome) => {
        const row = s().notificationDeliveries.find((d) => d.id === id && d.leaseOwner === owner);
        if (!row) return false;
        Object.assign(row, copy(outcome), { leaseOwner: null, leaseExpiresAt: null });
        return true;
      },
      setRedeliver: async (id, now) => {
        const row = s().notificationDeliveries.find((d) => d.id === id && (!d.leaseExpiresAt || d.leaseExpiresAt < now));
        if (!row) return null;
        Object.assign(row, { state: 'PENDING', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, deliveredAt: null });
        return copy(row);
      },
    },
  };
}

export interface MemoryDatabase {
  /** Reads of committed data. */
  stores: Stores;
  run: RunInTransaction;
}

export function createMemoryDatabase(): MemoryDatabase {
  let committed = emptyState();
  let working: State | null = null;
  const mutex = new KeyedMutex();
  const transactionStores = storesOver(() => working!);
  return {
    stores: storesOver(() => committed),
    run: (work) =>
      mutex.run('writer', async () => {
        working = structuredClone(committed);
        try {
          const result = await work(transactionStores);
          committed = working;
          return result;
        } finally {
          working = null;
        }
      }),
  };
}
