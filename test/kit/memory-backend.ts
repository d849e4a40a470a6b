/**
 * A `Backend` with no SQLite and no Git, for unit tests that run in milliseconds: the in-memory
 * stores of memory-stores.ts (kept honest by the store contract suite) with their transactions,
 * the app's own event bus (src/events/pubsub.ts), transactWith and KeyedMutex locks, and a fake
 * clock. The repositories refuse every call: a test reaches only the rules that need no Git (an
 * approval that meets the quorum hands the request to execution, which then fails for want of Git).
 */
import type { UserActor } from '../../src/domain/actor';
import type { DomainEvent } from '../../src/domain/events';
import type { Environment, FeatureFlag, Plan, RollbackRequest, Role, TenantEnvironment } from '../../src/domain/model';
import { transactWith, type ApprovalPolicy, type Backend, type ReadStores, type Repositories } from '../../src/domain/ports';
import { createEventPubSub } from '../../src/events/pubsub';
import { KeyedMutex } from '../../src/lib/keyed-mutex';
import { createMemoryDatabase } from './memory-stores';
import { requestRow } from './request-states';
import { inProcessCompute } from '../../src/domain/compute-tasks';

export const NO_GIT = 'the memory backend has no Git repositories';

const noGit = (): never => {
  throw new Error(NO_GIT);
};

const repositories: Repositories = { forProject: async () => noGit(), create: async () => noGit(), pathFor: noGit, stage: async () => noGit() };

export interface FakeClock {
  now(): Date;
  advance(ms: number): void;
}

export function fakeClock(start = new Date('2025-01-15T09:00:00.000Z')): FakeClock {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (ms) => void (at += ms) };
}

export interface MemoryBackend {
  backend: Backend;
  clock: FakeClock;
  /** Committed data, for checking what the code under test stored. */
  stores: ReadStores;
  /** Every domain event published so far, in order (published only after its transaction committed). */
  events: DomainEvent[];
}

export function createMemoryBackend(options: { breakGlassMaxMinutes?: number } = {}): MemoryBackend {
  const database = createMemoryDatabase();
  const { pubsub, bus } = createEventPubSub();
  const clock = fakeClock();
  const events: DomainEvent[] = [];
  const recorder = pubsub.subscribe('domainEvent', { onAccept: (event) => events.push(event) });
  // Accepted events are recorded synchronously; the queue itself is drained so it never fills.
  void (async () => {
    for await (const _ of recorder);
  })();
  const backend: Backend = {
    stores: database.stores,
    transact: transactWith(database.run, bus),
    repositories,
    events: bus,
    locks: new KeyedMutex(),
    settings: { agentSilenceMs: 120_000, breakGlassDefaultMinutes: 60, breakGlassMaxMinutes: options.breakGlassMaxMinutes ?? 240, publicUrl: 'http://backtrack.test' },
    now: () => clock.now(),
    compute: inProcessCompute(),
  };
  return { backend, clock, stores: database.stores, events };
}

// ---------------------------------------------------------------------------------------------
// A small workspace: one organization, project `shop`, tenant `acme` in `production`, and users
// with the roles the tests name.

export interface Workspace {
  projectId: string;
  tenantEnvironment: TenantEnvironment;
  environment: Environment;
  /** A user actor with this role in the project (created on first use). */
  user(name: string, role: Role | null): Promise<UserActor>;
  /** Sets production's approval policy directly in the stores. */
  setPolicy(policy: ApprovalPolicy): Promise<void>;
  /** A request as requestRollback stores it (state PENDING, quorum from the policy), without its Git-bound preview. */
  pendingRequest(requester: UserActor, overrides?: Partial<RollbackRequest>): Promise<RollbackRequest>;
}

const ALL_FLAGS: FeatureFlag[] = ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'];

export async function seedWorkspace(
  { backend, stores }: MemoryBackend,
  options: { plan?: Plan; featureFlags?: FeatureFlag[]; policy?: ApprovalPolicy } = {},
): Promise<Workspace> {
  const now = backend.now();
  const projectId = 'prj-shop';
  const tenantEnvironmentId = await backend.transact(async ({ stores: tx }) => {
    await tx.organizations.insert({ id: 'org-acme', slug: 'acme-corp', name: 'Acme', plan: options.plan ?? 'ENTERPRISE', featureFlags: options.featureFlags ?? ALL_FLAGS });
    await tx.projects.insert({ id: projectId, organizationId: 'org-acme', slug: 'shop', name: 'Shop' });
    const id = await tx.tenantEnvironments.ensure(projectId, 'acme', 'production', { tenant: 'ten-acme', environment: 'env-production', tenantEnvironment: 'te-acme-production' });
    await tx.environments.setPolicy('env-production', options.policy ?? { approvalRequired: true, quorum: 1, blockSelfApproval: true });
    return id;
  });
  const load = async () => (await stores.tenantEnvironments.byIds([tenantEnvironmentId]))[0]!;
  const tenantEnvironment = await load();
  let users = 0;
  let requests = 0;
  return {
    projectId,
    tenantEnvironment,
    environment: tenantEnvironment.environment,
    user: async (name, role) => {
      const id = `usr-${name}-${++users}`;
      await backend.transact(async ({ stores: tx }) => {
        await tx.users.insert({ id, email: `${name}@acme.example.com`, name });
        if (role) await tx.memberships.upsert({ userId: id, projectId, role });
      });
      return { kind: 'user', tokenId: `tok-${id}`, user: { id, email: `${name}@acme.example.com`, name }, roles: new Map(role ? [[projectId, role]] : []) };
    },
    setPolicy: async (policy) => {
      await backend.transact(({ stores: tx }) => tx.environments.setPolicy(tenantEnvironment.environment.id, policy));
    },
    pendingRequest: async (requester, overrides = {}) => {
      const environment = (await load()).environment;
      return backend.transact(({ stores: tx }) =>
        tx.requests.insert(
          requestRow({
            id: `rbk-unit-${++requests}`,
            projectId,
            tenantEnvironmentId,
            state: 'PENDING',
            requestedById: requester.user.id,
            createdAt: now,
            service: 'api-gateway',
            affectedServices: ['api-gateway'],
            requiredApprovals: environment.quorum,
            ...overrides,
          }),
        ),
      );
    },
  };
}
