/**
 * What every implementation of the domain's stores must do, as tests: run against the in-memory
 * stores and each database adapter, so the fakes the unit tests use cannot drift from the real thing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RollbackRequest } from '../../src/domain/model';
import type { RunInTransaction, Stores } from '../../src/domain/ports';
import { requestRow } from './request-states';

export interface ContractDatabase {
  stores: Stores;
  run: RunInTransaction;
  close(): Promise<void>;
}

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

export function storeContract(name: string, open: () => Promise<ContractDatabase>): void {
  describe(`stores: ${name}`, () => {
    let db: ContractDatabase;
    const write = <T>(work: (stores: Stores) => Promise<T>) => db.run(work);
    const activeToken = async (tokenHash: string) => (await db.stores.tokens.activeWithUserByHash(tokenHash))?.token ?? null;
    /** An organization, a project, two tenant-environments and two users. */
    let te1: string;
    let te2: string;

    beforeEach(async (context) => {
      db = await open();
      context.onTestFinished(() => db.close());
      await write(async (s) => {
        await s.organizations.insert({ id: 'org-1', slug: 'acme', name: 'Acme', plan: 'ENTERPRISE', featureFlags: ['rollback'] });
        await s.projects.insert({ id: 'prj-1', organizationId: 'org-1', slug: 'shop', name: 'Shop' });
        te1 = await s.tenantEnvironments.ensure('prj-1', 'acme', 'production', { tenant: 'ten-1', environment: 'env-1', tenantEnvironment: 'te-1' });
        te2 = await s.tenantEnvironments.ensure('prj-1', 'acme', 'staging', { tenant: 'ten-x', environment: 'env-2', tenantEnvironment: 'te-2' });
        await s.users.insert({ id: 'usr-1', email: 'dana@example.com', name: 'Dana' });
        await s.users.insert({ id: 'usr-2', email: 'alex@example.com', name: 'Alex' });
      });
    });

    it('organizations and projects: read back by id and slug; slugs are unique', async () => {
      expect(await db.stores.organizations.bySlug('acme')).toMatchObject({ id: 'org-1', plan: 'ENTERPRISE', featureFlags: ['rollback'] });
      expect((await db.stores.organizations.byId('org-1'))!.createdAt).toBeInstanceOf(Date);
      expect(await db.stores.organizations.bySlug('nope')).toBeNull();
      await expect(write((s) => s.organizations.insert({ id: 'org-2', slug: 'acme', name: 'Again', plan: 'FREE', featureFlags: [] }))).rejects.toThrow();
      await write((s) => s.projects.insert({ id: 'prj-0', organizationId: 'org-1', slug: 'accounts', name: 'Accounts' }));
      expect((await db.stores.projects.all()).map((p) => p.slug)).toEqual(['accounts', 'shop']);
      expect((await db.stores.projects.byIds(['prj-1'])).map((p) => p.id)).toEqual(['prj-1']);
      expect((await db.stores.projects.bySlug('shop'))!.indexedSha).toBeNull();
      await write((s) => s.projects.setIndexedSha('prj-1', 'a'.repeat(40)));
      expect((await db.stores.projects.byId('prj-1'))!.indexedSha).toBe('a'.repeat(40));
    });

    it('tenant-environments: ensure is idempotent and shares tenants; lookups by ids (in order), slugs and project', async () => {
      const again = await write((s) => s.tenantEnvironments.ensure('prj-1', 'acme', 'production', { tenant: 'ten-9', environment: 'env-9', tenantEnvironment: 'te-9' }));
      expect(again).toBe(te1);
      const [second, missing, first] = await db.stores.tenantEnvironments.byIds([te2, 'te-none', te1]);
      expect(missing).toBeNull();
      expect(first).toMatchObject({ id: te1, ref: { project: 'shop', tenant: 'acme', environment: 'production' }, organization: { slug: 'acme' } });
      expect(second!.tenant.id).toBe(first!.tenant.id);
      expect(second!.environment).toMatchObject({ slug: 'staging', approvalRequired: false, quorum: 1, blockSelfApproval: true });
      expect((await db.stores.tenantEnvironments.bySlugs({ project: 'shop', tenant: 'acme', environment: 'staging' }))!.id).toBe(te2);
      expect(await db.stores.tenantEnvironments.bySlugs({ project: 'shop', tenant: 'globex', environment: 'staging' })).toBeNull();
      expect((await db.stores.tenantEnvironments.ofProject('prj-1')).map((te) => te.id).sort()).toEqual([te1, te2].sort());
    });

    it('environments: listed by slug, and their policy is set', async () => {
      expect((await db.stores.environments.ofProject('prj-1')).map((e) => e.slug)).toEqual(['production', 'staging']);
      const updated = await write((s) => s.environments.setPolicy('env-1', { approvalRequired: true, quorum: 2, blockSelfApproval: false }));
      expect(updated).toMatchObject({ id: 'env-1', approvalRequired: true, quorum: 2, blockSelfApproval: false });
      expect(await db.stores.environments.bySlug('prj-1', 'production')).toEqual(updated);
      expect((await db.stores.environments.byIds(['env-none', 'env-1'])).map((e) => e?.id ?? null)).toEqual([null, 'env-1']);
    });

    it('users, memberships, agents and tokens', async () => {
      expect(await write((s) => s.users.insert({ id: 'usr-3', email: 'dana@example.com', name: 'Other Dana' }))).toBe(false);
      expect((await db.stores.users.byIds(['usr-2', 'usr-none', 'usr-1'])).map((u) => u?.email ?? null)).toEqual(['alex@example.com', null, 'dana@example.com']);
      expect((await db.stores.users.byEmail('alex@example.com'))!.id).toBe('usr-2');
      await write((s) => s.memberships.upsert({ userId: 'usr-1', projectId: 'prj-1', role: 'VIEWER' }));
      await write((s) => s.memberships.upsert({ userId: 'usr-1', projectId: 'prj-1', role: 'ADMIN' }));
      expect(await db.stores.memberships.ofUser('usr-1')).toEqual([{ userId: 'usr-1', projectId: 'prj-1', role: 'ADMIN' }]);
      await write((s) => s.agents.insert({ id: 'agt-1', projectId: 'prj-1', name: 'eu' }, [te1]));
      expect(await db.stores.agents.scopesOf('agt-1')).toEqual([te1]);
      expect((await db.stores.agents.byId('agt-1'))!.name).toBe('eu');
      await write(async (s) => {
        await s.tokens.insert({ id: 'tok-1', tokenHash: 'h1', userId: 'usr-1', agentId: null, name: 'laptop' });
        await s.tokens.insert({ id: 'tok-2', tokenHash: 'h2', userId: 'usr-1', agentId: null, name: 'ci' });
        await s.tokens.insert({ id: 'tok-3', tokenHash: 'h3', userId: null, agentId: 'agt-1', name: 'agent' });
      });
      expect((await activeToken('h1'))!).toMatchObject({ id: 'tok-1', userId: 'usr-1', revokedAt: null });
      expect(await write((s) => s.tokens.revokeOfUser('usr-1', 'ci', at(1)))).toBe(1);
      expect(await activeToken('h2')).toBeNull();
      expect(await write((s) => s.tokens.revokeOfUser('usr-1', undefined, at(2)))).toBe(1);
      expect(await activeToken('h1')).toBeNull();
      expect((await activeToken('h3'))!.agentId).toBe('agt-1');
      // With its user and their roles, in one read: a user's token, an agent's, and one revoked.
      await write(async (s) => {
        await s.tokens.insert({ id: 'tok-4', tokenHash: 'h4', userId: 'usr-1', agentId: null, name: 'new laptop' });
        await s.tokens.insert({ id: 'tok-5', tokenHash: 'h5', userId: 'usr-2', agentId: null, name: 'no roles' });
        await s.projects.insert({ id: 'prj-2', organizationId: 'org-1', slug: 'other', name: 'Other' });
        await s.memberships.upsert({ userId: 'usr-1', projectId: 'prj-2', role: 'VIEWER' });
      });
      const withUser = (await db.stores.tokens.activeWithUserByHash('h4'))!;
      expect(withUser.token).toMatchObject({ id: 'tok-4', userId: 'usr-1', agentId: null, name: 'new laptop', revokedAt: null });
      expect(withUser.user).toEqual(await db.stores.users.byId('usr-1'));
      expect([...withUser.memberships].sort((a, b) => a.projectId.localeCompare(b.projectId))).toEqual([
        { userId: 'usr-1', projectId: 'prj-1', role: 'ADMIN' },
        { userId: 'usr-1', projectId: 'prj-2', role: 'VIEWER' },
      ]);
      expect(await db.stores.tokens.activeWithUserByHash('h5')).toEqual({ token: expect.objectContaining({ id: 'tok-5', userId: 'usr-2' }), user: await db.stores.users.byId('usr-2'), memberships: [] });
      expect(await db.stores.tokens.activeWithUserByHash('h3')).toEqual({ token: expect.objectContaining({ id: 'tok-3', agentId: 'agt-1' }), user: null, memberships: [] });
      expect(await db.stores.tokens.activeWithUserByHash('h1')).toBeNull();
    });

    it('onboarding: organizations and projects listed and updated; tenants, environments and tenant-environments inserted; archive marks set and cleared', async () => {
      await write(async (s) => {
        await s.organizations.insert({ id: 'org-0', slug: 'a-first', name: 'First', plan: 'FREE', featureFlags: [] });
        await s.organizations.setDetails('org-1', { name: 'Acme Inc', plan: 'PRO', featureFlags: ['rollback', 'basic_rollback'] });
        await s.organizations.setArchivedAt('org-0', at(1));
        await s.projects.setName('prj-1', 'The Shop');
        await s.projects.setArchivedAt('prj-1', at(2));
      });
      expect((await db.stores.organizations.all()).map((o) => [o.slug, o.archivedAt])).toEqual([
        ['a-first', at(1)],
        ['acme', null],
      ]);
      expect(await db.stores.organizations.byId('org-1')).toMatchObject({ name: 'Acme Inc', plan: 'PRO', featureFlags: ['rollback', 'basic_rollback'] });
      expect(await db.stores.projects.byId('prj-1')).toMatchObject({ name: 'The Shop', archivedAt: at(2) });
      await write((s) => s.projects.setArchivedAt('prj-1', null));
      expect((await db.stores.projects.bySlug('shop'))!.archivedAt).toBeNull();

      await write(async (s) => {
        await s.tenants.insert({ id: 'ten-2', projectId: 'prj-1', slug: 'globex', name: 'Globex' });
        await s.environments.insert({ id: 'env-3', projectId: 'prj-1', slug: 'qa', approvalRequired: true, quorum: 2, blockSelfApproval: false });
        await s.tenantEnvironments.insert({ id: 'te-3', projectId: 'prj-1', tenantId: 'ten-2', environmentId: 'env-3' });
      });
      await expect(write((s) => s.tenants.insert({ id: 'ten-3', projectId: 'prj-1', slug: 'globex', name: 'Again' }))).rejects.toThrow();
      await expect(write((s) => s.environments.insert({ id: 'env-4', projectId: 'prj-1', slug: 'qa', approvalRequired: false, quorum: 1, blockSelfApproval: true }))).rejects.toThrow();
      await expect(write((s) => s.tenantEnvironments.insert({ id: 'te-4', projectId: 'prj-1', tenantId: 'ten-2', environmentId: 'env-3' }))).rejects.toThrow();
      expect((await db.stores.tenants.ofProject('prj-1')).map((t) => t.slug)).toEqual(['acme', 'globex']);
      expect(await db.stores.tenants.bySlug('prj-1', 'globex')).toEqual({ id: 'ten-2', projectId: 'prj-1', slug: 'globex', name: 'Globex', archivedAt: null });
      expect(await db.stores.environments.bySlug('prj-1', 'qa')).toMatchObject({ approvalRequired: true, quorum: 2, blockSelfApproval: false, archivedAt: null });
      const qa = (await db.stores.tenantEnvironments.bySlugs({ project: 'shop', tenant: 'globex', environment: 'qa' }))!;
      expect(qa).toMatchObject({ id: 'te-3', archivedAt: null, tenant: { name: 'Globex', archivedAt: null }, environment: { slug: 'qa' }, project: { archivedAt: null } });

      await write(async (s) => {
        await s.tenants.setName('ten-2', 'Globex Corp');
        await s.tenants.setArchivedAt('ten-2', at(3));
        await s.environments.setArchivedAt('env-3', at(4));
        await s.tenantEnvironments.setArchivedAt('te-3', at(5));
      });
      const [archived] = await db.stores.tenantEnvironments.byIds(['te-3']);
      expect(archived).toMatchObject({ archivedAt: at(5), tenant: { name: 'Globex Corp', archivedAt: at(3) }, environment: { archivedAt: at(4) } });
      expect((await db.stores.tenantEnvironments.ofProject('prj-1')).find((te) => te.id === 'te-3')!.archivedAt).toEqual(at(5));
      await write(async (s) => {
        await s.tenants.setArchivedAt('ten-2', null);
        await s.tenantEnvironments.setArchivedAt('te-3', null);
      });
      expect((await db.stores.tenantEnvironments.byIds(['te-3']))[0]).toMatchObject({ archivedAt: null, tenant: { archivedAt: null } });
    });

    it('archived services: set once per service, listed by name, restored', async () => {
      await write(async (s) => {
        await s.tenantEnvironments.setServiceArchivedAt(te1, 'worker', at(1));
        await s.tenantEnvironments.setServiceArchivedAt(te1, 'api', at(2));
        await s.tenantEnvironments.setServiceArchivedAt(te1, 'api', at(3));
        await s.tenantEnvironments.setServiceArchivedAt(te2, 'web', at(1));
      });
      expect(await db.stores.tenantEnvironments.archivedServices(te1)).toEqual(['api', 'worker']);
      await write((s) => s.tenantEnvironments.setServiceArchivedAt(te1, 'api', null));
      expect(await db.stores.tenantEnvironments.archivedServices(te1)).toEqual(['worker']);
      expect(await db.stores.tenantEnvironments.archivedServices(te2)).toEqual(['web']);
    });

    it('people: users listed by email, memberships of a project and removed, agents of a project with their scopes replaced', async () => {
      expect((await db.stores.users.all()).map((u) => u.email)).toEqual(['alex@example.com', 'dana@example.com']);
      await write(async (s) => {
        await s.memberships.upsert({ userId: 'usr-1', projectId: 'prj-1', role: 'ADMIN' });
        await s.memberships.upsert({ userId: 'usr-2', projectId: 'prj-1', role: 'VIEWER' });
      });
      expect(await db.stores.memberships.ofProject('prj-1')).toEqual([
        { userId: 'usr-1', projectId: 'prj-1', role: 'ADMIN' },
        { userId: 'usr-2', projectId: 'prj-1', role: 'VIEWER' },
      ]);
      expect(await write((s) => s.memberships.remove('usr-2', 'prj-1'))).toBe(true);
      expect(await write((s) => s.memberships.remove('usr-2', 'prj-1'))).toBe(false);
      expect(await db.stores.memberships.ofUser('usr-2')).toEqual([]);

      await write(async (s) => {
        await s.agents.insert({ id: 'agt-1', projectId: 'prj-1', name: 'eu' }, [te1]);
        await s.agents.insert({ id: 'agt-2', projectId: 'prj-1', name: 'us' }, []);
      });
      expect((await db.stores.agents.ofProject('prj-1')).map((a) => a.name).sort()).toEqual(['eu', 'us']);
      expect(await db.stores.agents.ofProject('prj-none')).toEqual([]);
      await write((s) => s.agents.setScopes('agt-1', [te2]));
      expect(await db.stores.agents.scopesOf('agt-1')).toEqual([te2]);
      await write((s) => s.agents.setScopes('agt-1', []));
      expect(await db.stores.agents.scopesOf('agt-1')).toEqual([]);
    });

    it('tokens: expiry stored, a user\'s tokens newest first, one revoked by id once', async () => {
      await write(async (s) => {
        await s.tokens.insert({ id: 'tok-1', tokenHash: 'h1', userId: 'usr-1', agentId: null, name: 'laptop' });
        await s.tokens.insert({ id: 'tok-2', tokenHash: 'h2', userId: 'usr-1', agentId: null, name: 'ci', expiresAt: at(60) });
        await s.tokens.insert({ id: 'tok-3', tokenHash: 'h3', userId: 'usr-2', agentId: null, name: 'other' });
      });
      expect((await db.stores.tokens.byId('tok-2'))!).toMatchObject({ name: 'ci', expiresAt: at(60), revokedAt: null });
      expect((await activeToken('h1'))!.expiresAt).toBeNull();
      expect(await db.stores.tokens.byId('tok-none')).toBeNull();
      expect((await db.stores.tokens.ofUser('usr-1')).map((t) => t.id).sort()).toEqual(['tok-1', 'tok-2']);
      expect(await write((s) => s.tokens.revoke('tok-2', at(5)))).toBe(true);
      expect(await write((s) => s.tokens.revoke('tok-2', at(6)))).toBe(false);
      expect(await write((s) => s.tokens.revoke('tok-none', at(6)))).toBe(false);
      expect((await db.stores.tokens.byId('tok-2'))!.revokedAt).toEqual(at(5));
      expect(await activeToken('h2')).toBeNull();
      expect(await db.stores.tokens.ofUser('usr-1')).toHaveLength(2);
    });

    it('tokens: repository read tokens of a project, expiry kept, revoked once, last use written only when stale', async () => {
      await write(async (s) => {
        await s.tokens.insert({ id: 'tok-4', tokenHash: 'h4', userId: null, agentId: null, projectId: 'prj-1', name: 'argocd', expiresAt: at(60) });
        await s.tokens.insert({ id: 'tok-5', tokenHash: 'h5', userId: null, agentId: null, projectId: 'prj-1', name: 'ci' });
        await s.tokens.insert({ id: 'tok-6', tokenHash: 'h6', userId: 'usr-1', agentId: null, name: 'laptop' });
      });
      expect(await activeToken('h4')).toMatchObject({ id: 'tok-4', projectId: 'prj-1', expiresAt: at(60), lastUsedAt: null });
      expect(await db.stores.tokens.byId('tok-6')).toMatchObject({ userId: 'usr-1', projectId: null, expiresAt: null });
      expect(await db.stores.tokens.byId('tok-none')).toBeNull();
      // Newest first; the same instant falls back to the id, descending.
      expect((await db.stores.tokens.ofProject('prj-1')).map((token) => token.id)).toEqual(['tok-5', 'tok-4']);
      expect(await db.stores.tokens.ofProject('prj-none')).toEqual([]);

      expect(await write((s) => s.tokens.revoke('tok-5', at(1)))).toBe(true);
      expect(await write((s) => s.tokens.revoke('tok-5', at(2)))).toBe(false);
      expect(await write((s) => s.tokens.revoke('tok-none', at(2)))).toBe(false);
      expect(await activeToken('h5')).toBeNull();
      expect((await db.stores.tokens.byId('tok-5'))!.revokedAt).toEqual(at(1));
      expect((await db.stores.tokens.ofProject('prj-1')).map((token) => token.id)).toEqual(['tok-5', 'tok-4']);

      await write((s) => s.tokens.setLastUsed('tok-4', at(10), at(9)));
      expect((await db.stores.tokens.byId('tok-4'))!.lastUsedAt).toEqual(at(10));
      await write((s) => s.tokens.setLastUsed('tok-4', at(10.5), at(9.5)));
      expect((await db.stores.tokens.byId('tok-4'))!.lastUsedAt).toEqual(at(10));
      await write((s) => s.tokens.setLastUsed('tok-4', at(12), at(11)));
      expect((await db.stores.tokens.byId('tok-4'))!.lastUsedAt).toEqual(at(12));
    });

    const deployment = (id: string, sequence: number, revision: string, te = te1) => ({
      id,
      projectId: 'prj-1',
      tenantEnvironmentId: te,
      revision,
      sequence,
      committedAt: at(sequence),
      authorName: 'Dana',
      authorEmail: 'dana@example.com',
      authorId: 'usr-1',
      changesSummary: [`change ${sequence}`],
      changedPaths: ['values.yaml'],
      source: 'RELEASE' as const,
      status: 'SUCCESS' as const,
      rollbackRequestId: null,
    });

    it('deployments: a revision is recorded once per tenant-environment (again: renumbered), pages newest first, statuses move only from the given one', async () => {
      const stored = await write((s) =>
        s.deployments.upsertIndexed([deployment('dep-1', 1, 'r1'), deployment('dep-2', 2, 'r2'), deployment('dep-x', 3, 'r2'), deployment('dep-3', 3, 'r2', te2)]),
      );
      expect(stored).toEqual([
        { id: 'dep-1', inserted: true },
        { id: 'dep-2', inserted: true },
        { id: 'dep-2', inserted: false },
        { id: 'dep-3', inserted: true },
      ]);
      // Recorded again, dep-2 kept its id and row but took the new sequence.
      expect((await db.stores.deployments.byRevision(te1, 'r2'))).toMatchObject({ id: 'dep-2', sequence: 3, changesSummary: ['change 2'] });
      expect((await db.stores.deployments.page(te1, Number.MAX_SAFE_INTEGER, 10)).map((d) => d.id)).toEqual(['dep-2', 'dep-1']);
      expect((await db.stores.deployments.page(te1, 3, 10)).map((d) => d.id)).toEqual(['dep-1']);
      expect((await db.stores.deployments.page(te1, Number.MAX_SAFE_INTEGER, 1)).map((d) => d.id)).toEqual(['dep-2']);
      expect(await db.stores.deployments.inRange(te1, { after: 0, upTo: 3 })).toEqual([
        { id: 'dep-1', revision: 'r1', sequence: 1 },
        { id: 'dep-2', revision: 'r2', sequence: 3 },
      ]);
      expect(await db.stores.deployments.inRange(te1, { after: 1, upTo: 2 })).toEqual([]);
      // Backward paging: a lower bound, and the oldest rows of the window (still newest first).
      expect((await db.stores.deployments.page(te1, Number.MAX_SAFE_INTEGER, 10, { above: 1 })).map((d) => d.id)).toEqual(['dep-2']);
      expect((await db.stores.deployments.page(te1, Number.MAX_SAFE_INTEGER, 1, { fromOldest: true })).map((d) => d.id)).toEqual(['dep-1']);
      expect((await db.stores.deployments.page(te1, Number.MAX_SAFE_INTEGER, 10, { fromOldest: true })).map((d) => d.id)).toEqual(['dep-2', 'dep-1']);
      expect((await db.stores.deployments.byRevision(te2, 'r2'))!.id).toBe('dep-3');
      expect(await db.stores.deployments.idsAtRevisions(te1, ['r1', 'r2', 'r9'])).toEqual(expect.arrayContaining(['dep-1', 'dep-2']));
      const [first] = await db.stores.deployments.byIds(['dep-1']);
      expect(first).toMatchObject({ committedAt: at(1), changesSummary: ['change 1'], rolledBackById: null });
      await write((s) => s.deployments.setStatus(['dep-1', 'dep-2'], 'SUCCESS', 'ROLLED_BACK', 'dep-3'));
      await write((s) => s.deployments.setStatus(['dep-1'], 'SUCCESS', 'FAILED'));
      await write(async (s) => {
        await s.deployments.upsertIndexed([deployment('dep-4', 4, 'r4'), deployment('dep-5', 5, 'r5')]);
        await s.deployments.setStatus(['dep-5'], 'SUCCESS', 'FAILED');
        await s.deployments.setStatus(['dep-4', 'dep-5'], ['SUCCESS', 'FAILED'], 'ROLLED_BACK', 'dep-3');
      });
      expect((await db.stores.deployments.byIds(['dep-4', 'dep-5'])).map((d) => [d!.status, d!.rolledBackById])).toEqual([
        ['ROLLED_BACK', 'dep-3'],
        ['ROLLED_BACK', 'dep-3'],
      ]);
      expect((await db.stores.deployments.byIds(['dep-1', 'dep-2'])).map((d) => [d!.status, d!.rolledBackById])).toEqual([
        ['ROLLED_BACK', 'dep-3'],
        ['ROLLED_BACK', 'dep-3'],
      ]);
    });

    it('history index: commits by position, merges in a range, change rows by file or prefix and level, oldest first', async () => {
      const sha = (n: number) => String(n).padStart(40, '0');
      await write(async (s) => {
        await s.historyIndex.insertCommits('prj-1', [
          { sha: sha(1), sequence: 1, merge: false },
          { sha: sha(2), sequence: 2, merge: true },
          { sha: sha(3), sequence: 3, merge: false },
        ]);
        await s.deployments.upsertIndexed([deployment('dep-1', 1, sha(1)), deployment('dep-3', 3, sha(3)), deployment('dep-9', 3, sha(3), te2)]);
        const change = (deploymentId: string, sequence: number, file: string, level: 'file' | 'leaf' | 'branch' | 'unparsed', path = '', te = te1) => ({
          deploymentId,
          tenantEnvironmentId: te,
          sequence,
          file,
          level,
          path,
        });
        await s.historyIndex.upsertChanges([
          change('dep-3', 3, 'services/api/values.yaml', 'file'),
          change('dep-3', 3, 'services/api/values.yaml', 'leaf', 'image.tag'),
          change('dep-3', 3, 'services/api/values.yaml', 'branch', 'image'),
          change('dep-1', 1, 'services/api/values.yaml', 'file'),
          change('dep-1', 1, 'services/api_v2/values.yaml', 'file'),
          change('dep-1', 1, 'services/API/values.yaml', 'file'),
          change('dep-1', 1, 'variables.yaml', 'unparsed'),
          change('dep-9', 3, 'services/api/values.yaml', 'file', '', te2),
        ]);
      });
      expect(await db.stores.historyIndex.lastSequence('prj-1')).toBe(3);
      // The indexed head counts only while its commit is in the index.
      expect(await db.stores.historyIndex.indexedHead('prj-1')).toBeNull();
      await write((s) => s.projects.setIndexedSha('prj-1', sha(3)));
      expect(await db.stores.historyIndex.indexedHead('prj-1')).toBe(sha(3));
      await write((s) => s.projects.setIndexedSha('prj-1', sha(7)));
      expect(await db.stores.historyIndex.indexedHead('prj-1')).toBeNull();
      expect(await db.stores.historyIndex.indexedHead('prj-none')).toBeUndefined();
      expect(await db.stores.historyIndex.lastSequence('prj-none')).toBe(0);
      expect(await db.stores.historyIndex.sequencesOf('prj-1', [sha(3), sha(9), sha(1)])).toEqual(new Map([[sha(3), 3], [sha(1), 1]]));
      expect(await db.stores.historyIndex.mergeInRange('prj-1', { after: 1, upTo: 3 })).toBe(true);
      expect(await db.stores.historyIndex.mergeInRange('prj-1', { after: 2, upTo: 3 })).toBe(false);
      await expect(write((s) => s.historyIndex.insertCommits('prj-1', [{ sha: sha(4), sequence: 3, merge: false }]))).rejects.toThrow();

      const all = { after: 0, upTo: 3 };
      const file = await db.stores.historyIndex.changesOf(te1, { file: 'services/api/values.yaml' }, ['file', 'leaf'], all);
      expect(file.map((c) => [c.sequence, c.revision, c.level, c.path])).toEqual([
        [1, sha(1), 'file', ''],
        [3, sha(3), 'file', ''],
        [3, sha(3), 'leaf', 'image.tag'],
      ]);
      expect(await db.stores.historyIndex.changesOf(te1, { file: 'services/api/values.yaml' }, ['file'], { after: 1, upTo: 3 })).toEqual([
        { sequence: 3, file: 'services/api/values.yaml', level: 'file', path: '', revision: sha(3) },
      ]);
      // Only the rows at the paths asked for.
      expect((await db.stores.historyIndex.changesOf(te1, { file: 'services/api/values.yaml', paths: ['image', 'replicas'] }, ['leaf', 'branch'], all)).map((c) => [c.sequence, c.level, c.path])).toEqual([
        [3, 'branch', 'image'],
      ]);
      expect(await db.stores.historyIndex.changesOf(te1, { file: 'services/api/values.yaml', paths: [] }, ['leaf', 'branch'], all)).toEqual([]);
      // A prefix is matched literally and with case: `_` is no wildcard, API is not api.
      const prefixed = await db.stores.historyIndex.changesOf(te1, { filePrefix: 'services/api/' }, ['file'], all);
      expect(prefixed.map((c) => [c.revision, c.file])).toEqual([
        [sha(1), 'services/api/values.yaml'],
        [sha(3), 'services/api/values.yaml'],
      ]);
      expect((await db.stores.historyIndex.changesOf(te1, { filePrefix: 'services/api_' }, ['file'], all)).map((c) => c.file)).toEqual([
        'services/api_v2/values.yaml',
      ]);
      // Stored again (history indexed again from the root), a row takes the new sequence.
      await write((s) => s.historyIndex.upsertChanges([{ deploymentId: 'dep-1', tenantEnvironmentId: te1, sequence: 2, file: 'variables.yaml', level: 'unparsed', path: '' }]));
      expect((await db.stores.historyIndex.changesOf(te1, { file: 'variables.yaml' }, ['unparsed'], all)).map((c) => c.sequence)).toEqual([2]);
      await write((s) => s.historyIndex.deleteCommits('prj-1'));
      expect(await db.stores.historyIndex.lastSequence('prj-1')).toBe(0);
    });

    const request = (id: string, state: RollbackRequest['state'], createdMinute: number, extra: Partial<RollbackRequest> = {}): RollbackRequest =>
      requestRow({ id, projectId: 'prj-1', tenantEnvironmentId: te1, state, requestedById: 'usr-1', createdAt: at(createdMinute), ...extra });

    it('rollback requests: transitions are guarded by the expected state; lists by state, newest first', async () => {
      await write(async (s) => {
        await s.requests.insert(request('rbk-1', 'PENDING', 1));
        await s.requests.insert(request('rbk-2', 'COMPLETED', 2, { completedAt: at(5), targetSha: 'x'.repeat(40) }));
        await s.requests.insert(request('rbk-3', 'COMPLETED', 3, { completedAt: at(4), targetSha: 'x'.repeat(40) }));
        await s.requests.insert(request('rbk-4', 'EXECUTING', 4, { tenantEnvironmentId: te2 }));
      });
      expect(await db.stores.requests.byId('rbk-1')).toEqual(request('rbk-1', 'PENDING', 1));
      const approved = await write((s) => s.requests.transition('rbk-1', 'PENDING', { state: 'APPROVED', approvedAt: at(9), updatedAt: at(9) }));
      expect(approved).toMatchObject({ state: 'APPROVED', approvedAt: at(9) });
      expect(await write((s) => s.requests.transition('rbk-1', 'PENDING', { state: 'REJECTED' }))).toBeNull();
      expect((await db.stores.requests.byId('rbk-1'))!.state).toBe('APPROVED');
      expect((await db.stores.requests.ofTenantEnvironment(te1, null)).map((r) => r.id)).toEqual(['rbk-3', 'rbk-2', 'rbk-1']);
      expect((await db.stores.requests.ofTenantEnvironment(te1, ['APPROVED'])).map((r) => r.id)).toEqual(['rbk-1']);
      expect((await db.stores.requests.inStates(['APPROVED', 'EXECUTING'])).map((r) => r.id)).toEqual(['rbk-1', 'rbk-4']);
      expect((await db.stores.requests.completedOf(te1, 1)).map((r) => r.id)).toEqual(['rbk-2']);
      expect(await db.stores.requests.completedTargetsSince(te1, at(4))).toEqual([{ revision: 'x'.repeat(40), rollbacks: 2 }]);
      expect(await db.stores.requests.completedTargetsSince(te1, at(5))).toEqual([{ revision: 'x'.repeat(40), rollbacks: 1 }]);
      expect((await db.stores.requests.byIds(['rbk-4', 'rbk-none'])).map((r) => r?.id ?? null)).toEqual(['rbk-4', null]);
    });

    it('deployment reversions: one row per deployment and request (again: ignored), grouped in the order asked, oldest first', async () => {
      const reversion = (deploymentId: string, rollbackRequestId: string, n: number) => ({ deploymentId, rollbackRequestId, services: ['api'], whole: n % 2 === 0, createdAt: at(n) });
      await write(async (s) => {
        await s.deployments.upsertIndexed([deployment('dep-1', 1, 'r1'), deployment('dep-2', 2, 'r2')]);
        await s.requests.insert(request('rbk-1', 'COMPLETED', 1));
        await s.requests.insert(request('rbk-2', 'COMPLETED', 2));
        await s.reversions.insert([reversion('dep-1', 'rbk-2', 4), reversion('dep-1', 'rbk-1', 3), reversion('dep-2', 'rbk-1', 3)]);
        await s.reversions.insert([{ ...reversion('dep-1', 'rbk-1', 9), services: ['other'] }]);
        await s.reversions.insert([]);
      });
      expect(await db.stores.reversions.ofDeployments(['dep-2', 'dep-none', 'dep-1'])).toEqual([
        [reversion('dep-2', 'rbk-1', 3)],
        [],
        [reversion('dep-1', 'rbk-1', 3), reversion('dep-1', 'rbk-2', 4)],
      ]);
    });

    it('rollback requests: a preview’s deployment record is kept once per request, read back exactly, and deleted', async () => {
      const changes = {
        summary: ['api: image.tag v1 → v2', 'ünïcode: “quoted” \\ back\\slash'],
        paths: ['services/api/values.yaml', 'manifests/api.yaml'],
        rows: [
          { file: 'services/api/values.yaml', level: 'file' as const, path: '' },
          { file: 'services/api/values.yaml', level: 'leaf' as const, path: 'image.tag' },
          { file: 'services/api/values.yaml', level: 'branch' as const, path: 'image' },
        ],
      };
      await write(async (s) => {
        await s.requests.insert(request('rbk-1', 'PENDING', 1));
        await s.requests.insertPreviewChanges('rbk-1', changes);
      });
      expect(await db.stores.requests.previewChanges('rbk-1')).toEqual(changes);
      expect(await db.stores.requests.previewChanges('rbk-none')).toBeNull();
      await expect(write((s) => s.requests.insertPreviewChanges('rbk-1', changes))).rejects.toThrow();
      await write((s) => s.requests.deletePreviewChanges('rbk-1'));
      expect(await db.stores.requests.previewChanges('rbk-1')).toBeNull();
    });

    it('reviews and notes: grouped per request in the order asked, oldest first; one review per reviewer', async () => {
      await write(async (s) => {
        await s.requests.insert(request('rbk-1', 'PENDING', 1));
        await s.requests.insert(request('rbk-2', 'PENDING', 2));
        await s.reviews.insert({ id: 'rev-2', requestId: 'rbk-1', reviewerId: 'usr-2', decision: 'APPROVE', comment: null, createdAt: at(3) });
        await s.reviews.insert({ id: 'rev-1', requestId: 'rbk-1', reviewerId: 'usr-1', decision: 'REJECT', comment: 'no', createdAt: at(2) });
        await s.notes.insert({ id: 'note-1', requestId: 'rbk-2', authorId: 'usr-1', note: 'root cause', createdAt: at(4) });
      });
      const [none, reviews] = await db.stores.reviews.ofRequests(['rbk-2', 'rbk-1']);
      expect(none).toEqual([]);
      expect(reviews!.map((r) => r.id)).toEqual(['rev-1', 'rev-2']);
      expect((await db.stores.reviews.byReviewer('rbk-1', 'usr-2'))!.decision).toBe('APPROVE');
      expect(await db.stores.reviews.byReviewer('rbk-2', 'usr-2')).toBeNull();
      await expect(
        write((s) => s.reviews.insert({ id: 'rev-3', requestId: 'rbk-1', reviewerId: 'usr-2', decision: 'REJECT', comment: null, createdAt: at(5) })),
      ).rejects.toThrow();
      expect((await db.stores.notes.ofRequests(['rbk-1', 'rbk-2'])).map((notes) => notes.map((n) => n.note))).toEqual([[], ['root cause']]);
      expect((await db.stores.reviews.byIds(['rev-1', 'rev-none', 'rev-2'])).map((r) => r?.comment ?? null)).toEqual(['no', null, null]);
      expect((await db.stores.reviews.byIds(['rev-2']))[0]).toMatchObject({ requestId: 'rbk-1', createdAt: at(3) });
      expect((await db.stores.notes.byIds(['note-none', 'note-1'])).map((n) => n?.note ?? null)).toEqual([null, 'root cause']);
    });

    it('break-glass sessions: active only while open and within their window; closed once', async () => {
      await write(async (s) => {
        await s.breakGlass.insert({ id: 'bgs-1', projectId: 'prj-1', userId: 'usr-1', justification: 'sev1', openedAt: at(0), expiresAt: at(60), closedAt: null });
        await s.breakGlass.insert({ id: 'bgs-2', projectId: 'prj-1', userId: 'usr-2', justification: 'sev2', openedAt: at(10), expiresAt: at(20), closedAt: null });
      });
      expect((await db.stores.breakGlass.activeFor('usr-1', 'prj-1', at(30)))!.id).toBe('bgs-1');
      expect(await db.stores.breakGlass.activeFor('usr-2', 'prj-1', at(30))).toBeNull();
      expect(await db.stores.breakGlass.activeFor('usr-2', 'prj-1', at(5))).toBeNull();
      expect((await db.stores.breakGlass.ofProject('prj-1')).map((b) => b.id)).toEqual(['bgs-2', 'bgs-1']);
      expect(await write((s) => s.breakGlass.close('bgs-1', at(31)))).toBe(true);
      expect(await write((s) => s.breakGlass.close('bgs-1', at(32)))).toBe(false);
      expect((await db.stores.breakGlass.byId('bgs-1'))!.closedAt).toEqual(at(31));
      expect(await db.stores.breakGlass.activeFor('usr-1', 'prj-1', at(33))).toBeNull();
      expect((await db.stores.breakGlass.byIds(['bgs-2', 'bgs-9'])).map((b) => b?.id ?? null)).toEqual(['bgs-2', null]);
    });

    it('audit events: newest first, filtered, paged by id, limited to tenant-environments when asked', async () => {
      await write(async (s) => {
        await s.breakGlass.insert({ id: 'bgs-1', projectId: 'prj-1', userId: 'usr-1', justification: 'sev1', openedAt: at(0), expiresAt: at(60), closedAt: null });
        for (const [i, te, action, actor, session] of [
          [1, te1, 'a.one', 'usr-1', null],
          [2, te2, 'a.two', 'usr-2', 'bgs-1'],
          [3, null, 'a.one', 'usr-1', null],
        ] as const) {
          await s.audit.insert({
            projectId: 'prj-1',
            actorUserId: actor,
            actorAgentId: null,
            action,
            targetType: 'Test',
            targetId: `target-${i}`,
            tenantEnvironmentId: te,
            details: { i },
            breakGlassSessionId: session,
            createdAt: at(i),
          });
        }
      });
      const list = (filter = {}, page: Parameters<typeof db.stores.audit.list>[2] = { limit: 10, beforeId: null }) => db.stores.audit.list('prj-1', filter, page);
      const all = await list();
      expect(all.map((e) => e.targetId)).toEqual(['target-3', 'target-2', 'target-1']);
      expect(all[2]).toMatchObject({ details: { i: 1 }, createdAt: at(1) });
      expect((await list({ action: 'a.one' })).map((e) => e.targetId)).toEqual(['target-3', 'target-1']);
      expect((await list({ actorUserId: 'usr-2' })).map((e) => e.targetId)).toEqual(['target-2']);
      expect((await list({ tenantEnvironmentId: te1 })).map((e) => e.targetId)).toEqual(['target-1']);
      expect((await list({ tenantEnvironmentIds: [te2] })).map((e) => e.targetId)).toEqual(['target-2']);
      expect(await list({ tenantEnvironmentIds: [] })).toEqual([]);
      expect((await list({ breakGlassOnly: true })).map((e) => e.targetId)).toEqual(['target-2']);
      expect((await list({ breakGlassSessionId: 'bgs-1' })).map((e) => e.targetId)).toEqual(['target-2']);
      expect((await list({}, { limit: 1, beforeId: all[0]!.id })).map((e) => e.targetId)).toEqual(['target-2']);
      expect((await list({}, { limit: 10, beforeId: null, above: all[2]!.id })).map((e) => e.targetId)).toEqual(['target-3', 'target-2']);
      expect((await list({}, { limit: 2, beforeId: null, fromOldest: true })).map((e) => e.targetId)).toEqual(['target-2', 'target-1']);
      expect((await list({ action: 'a.one' }, { limit: 1, beforeId: null, fromOldest: true })).map((e) => e.targetId)).toEqual(['target-1']);
      expect((await db.stores.audit.byIds([all[1]!.id, -1, all[0]!.id])).map((e) => e?.targetId ?? null)).toEqual(['target-2', null, 'target-3']);
      expect((await db.stores.audit.byIds([all[2]!.id]))[0]).toEqual(all[2]);
    });

    it('a user\'s audit event is flagged with the break-glass session activeFor finds at its time, by the insert itself', async () => {
      await write(async (s) => {
        await s.breakGlass.insert({ id: 'bgs-old', projectId: 'prj-1', userId: 'usr-1', justification: 'sev1', openedAt: at(0), expiresAt: at(60), closedAt: null });
        await s.breakGlass.insert({ id: 'bgs-new', projectId: 'prj-1', userId: 'usr-1', justification: 'sev1 again', openedAt: at(10), expiresAt: at(30), closedAt: null });
        await s.breakGlass.insert({ id: 'bgs-shut', projectId: 'prj-1', userId: 'usr-2', justification: 'sev2', openedAt: at(0), expiresAt: at(60), closedAt: at(5) });
      });
      const cases = [
        ['usr-1', at(5), 'bgs-old'],
        ['usr-1', at(20), 'bgs-new'],
        ['usr-1', at(30), 'bgs-old'],
        ['usr-1', at(60), null],
        ['usr-2', at(20), null],
      ] as const;
      for (const [i, [user, time]] of cases.entries()) {
        await write((s) =>
          s.audit.insertFlaggingBreakGlass({ projectId: 'prj-1', actorUserId: user, action: 'a.flagged', targetType: 'Test', targetId: `case-${i}`, tenantEnvironmentId: te1, details: { i }, createdAt: time }),
        );
      }
      const events = (await db.stores.audit.list('prj-1', { action: 'a.flagged' }, { limit: 10, beforeId: null })).reverse();
      expect(events.map((e) => [e.targetId, e.actorUserId, e.actorAgentId, e.breakGlassSessionId])).toEqual(
        cases.map(([user, , session], i) => [`case-${i}`, user, null, session]),
      );
      for (const [user, time, session] of cases) expect((await db.stores.breakGlass.activeFor(user, 'prj-1', time))?.id ?? null).toBe(session);
      expect(events[1]).toMatchObject({ tenantEnvironmentId: te1, details: { i: 1 }, createdAt: at(20) });
    });

    it('sync reports: the latest per tenant-environment, and when each last reported', async () => {
      await write((s) => s.agents.insert({ id: 'agt-1', projectId: 'prj-1', name: 'eu' }, [te1]));
      const report = (minute: number, revision: string) => ({
        tenantEnvironmentId: te1,
        agentId: 'agt-1',
        revision,
        syncState: 'SYNCED' as const,
        health: 'HEALTHY' as const,
        liveValues: [{ service: 'api', imageTag: 'v1', replicas: 2 }],
        reportedAt: at(minute),
      });
      const first = await write((s) => s.syncReports.insert(report(1, 'r1')));
      const second = await write((s) => s.syncReports.insert(report(2, 'r2')));
      expect(second.id).toBeGreaterThan(first.id);
      expect(await db.stores.syncReports.latest(te1)).toEqual(second);
      expect(await db.stores.syncReports.latest(te2)).toBeNull();
      const times = new Map((await db.stores.syncReports.latestReportTimes()).map((row) => [row.tenantEnvironmentId, row.reportedAt]));
      expect(times.get(te1)).toEqual(at(2));
      expect(times.get(te2)).toBeNull();
    });

    it('transactions: a failed one leaves nothing; reads outside see only committed data', async () => {
      await expect(
        write(async (s) => {
          await s.users.insert({ id: 'usr-9', email: 'gone@example.com', name: 'Gone' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await db.stores.users.byEmail('gone@example.com')).toBeNull();
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      let inserted!: () => void;
      const didInsert = new Promise<void>((resolve) => (inserted = resolve));
      const open = write(async (s) => {
        await s.users.insert({ id: 'usr-8', email: 'later@example.com', name: 'Later' });
        inserted();
        await paused;
      });
      await didInsert;
      expect(await db.stores.users.byEmail('later@example.com')).toBeNull();
      resume();
      await open;
      expect((await db.stores.users.byEmail('later@example.com'))!.id).toBe('usr-8');
    });

    it('notification outbox: one row per target and event; leases take each target\'s due head only, once, until released', async () => {
      const target = (id: string, name: string) => ({ id, projectId: 'prj-1', name, kind: 'WEBHOOK' as const, url: `https://${name}.example.com/`, secret: null, eventKinds: [], tenantEnvironmentIds: [], updatedAt: T0 });
      await write(async (s) => {
        await s.notificationTargets.upsert(target('ntt-a', 'a'));
        await s.notificationTargets.upsert(target('ntt-b', 'b'));
      });
      const replaced = await write((s) => s.notificationTargets.upsert({ ...target('ntt-other-id', 'a'), secret: 'x' }));
      expect(replaced).toMatchObject({ id: 'ntt-a', secret: 'x' });
      expect((await db.stores.notificationTargets.ofProject('prj-1')).map((x) => x.name)).toEqual(['a', 'b']);
      const row = (targetId: string, eventId: string) => ({ projectId: 'prj-1', targetId, eventId, eventKind: 'REQUEST_CREATED' as const, tenantEnvironmentId: te1, payload: { id: eventId }, nextAttemptAt: at(0), createdAt: at(0) });
      expect(await write((s) => s.notificationDeliveries.insert([row('ntt-a', 'e1'), row('ntt-a', 'e2'), row('ntt-b', 'e1')]))).toBe(3);
      expect(await write((s) => s.notificationDeliveries.insert([row('ntt-a', 'e1')]))).toBe(0);
      expect(await db.stores.notificationDeliveries.anyDue(at(1))).toBe(true);

      const first = await write((s) => s.notificationDeliveries.setLeases('one', at(1), at(2), 10));
      expect(first.map((d) => [d.targetId, d.eventId])).toEqual([['ntt-a', 'e1'], ['ntt-b', 'e1']]);
      // Leased rows, and the rows behind them, are nobody else's.
      expect(await write((s) => s.notificationDeliveries.setLeases('two', at(1), at(2), 10))).toEqual([]);
      expect(await db.stores.notificationDeliveries.anyDue(at(1))).toBe(false);
      // Only the holder records an outcome.
      const outcome = { state: 'DELIVERED' as const, attempts: 1, nextAttemptAt: at(1), lastStatus: 200, lastError: null, lastAttemptAt: at(1), deliveredAt: at(1) };
      expect(await write((s) => s.notificationDeliveries.setOutcome(first[0]!.id, 'two', outcome))).toBe(false);
      expect(await write((s) => s.notificationDeliveries.setOutcome(first[0]!.id, 'one', outcome))).toBe(true);
      const next = await write((s) => s.notificationDeliveries.setLeases('two', at(1), at(2), 10));
      expect(next.map((d) => d.eventId)).toEqual(['e2']);
      // A lapsed lease frees the row for another dispatcher.
      const lapsed = await write((s) => s.notificationDeliveries.setLeases('two', at(3), at(4), 10));
      expect(lapsed.map((d) => [d.targetId, d.eventId]).sort()).toEqual([['ntt-a', 'e2'], ['ntt-b', 'e1']]);
      const again = await write((s) => s.notificationDeliveries.setRedeliver(first[0]!.id, at(5)));
      expect(again).toMatchObject({ state: 'PENDING', attempts: 0, leaseOwner: null });
      const page = await db.stores.notificationDeliveries.list('prj-1', { targetId: 'ntt-a' }, { limit: 10, beforeId: null });
      expect(page.map((d) => d.eventId)).toEqual(['e2', 'e1']);
      expect(await write((s) => s.notificationTargets.remove('ntt-a'))).toBe(true);
      expect(await db.stores.notificationDeliveries.list('prj-1', {}, { limit: 10, beforeId: null })).toHaveLength(1);
    });
  });
}
