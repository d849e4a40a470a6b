/** Archiving: hidden from lists, new writes refused with ARCHIVED, history, requests and audit still readable; restoring undoes it. */
import { describe, expect } from 'vitest';
import type { TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { AuditEventsDocument, OpenBreakGlassDocument, SetApprovalPolicyDocument } from '../kit/documents/governance';
import { RequestReleaseDocument, ReviewApprovalRequestDocument } from '../kit/documents/approvals';
import { DeployReleaseDocument, PromoteDocument } from '../kit/documents/history';
import {
  ArchiveEnvironmentDocument,
  ArchiveProjectDocument,
  ArchiveServiceDocument,
  ArchiveTenantDocument,
  ArchiveTenantEnvironmentDocument,
  CreateServiceDocument,
  CreateTenantDocument,
  CreateTenantEnvironmentDocument,
  WorkspaceOverviewDocument,
} from '../kit/documents/onboarding';
import { RequestRollbackDocument, RollbackRequestDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';

const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' };
const PRODUCTION = { project: 'shop', tenant: 'acme', environment: 'production' };

const tagRelease = (where: typeof STAGING, service = 'api-gateway', tag = 'v9.9.9') => ({
  input: { ...where, services: [{ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: tag }] }] },
});

async function previous(t: TestApp, where: typeof STAGING): Promise<string> {
  return ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, where)).tenantEnvironment!.deployments.edges[1]!.node.revision;
}

const rollback = (where: typeof STAGING, targetSha: string) => ({
  input: { rollback: { ...where, mode: 'FULL' as const, targetSha }, justification: 'revert the last release' },
});

/** Production requires approval: a release there is requested and approved, and then committed. */
async function releaseThroughApproval(t: TestApp, where: typeof STAGING) {
  const requested = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(where))).requestRelease;
  const approved = ok(await t.gql('APPROVER', ReviewApprovalRequestDocument, { input: { id: requested.id, decision: 'APPROVE' } })).reviewApprovalRequest;
  expect(approved.state).toBe('COMPLETED');
}

/** Every write on the tenant-environment is refused with ARCHIVED, and main does not move. */
async function expectWritesRefused(t: TestApp, where: typeof STAGING) {
  const head = git(t.repoDir, ['rev-parse', 'main']);
  const target = await previous(t, where);
  const archived = { code: 'ARCHIVED', status: 409 };
  expectError(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(where)), archived);
  expectError(await t.gql('DEPLOYER', RequestRollbackDocument, rollback(where, target)), archived);
  expectError(await t.gql('ADMIN', CreateServiceDocument, { input: { ...where, service: 'newcomer' } }), archived);
  expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(head);
}

describe('archiving', () => {
  it('a tenant-environment: left out of lists, writes refused, its history and requests still readable; restored, it takes writes again', async ({ t }) => {
    const requested = ok(await t.gql('DEPLOYER', RequestRollbackDocument, rollback(PRODUCTION, await previous(t, PRODUCTION)))).requestRollback;
    const archived = ok(await t.gql('ADMIN', ArchiveTenantEnvironmentDocument, { input: { ...PRODUCTION } })).archiveTenantEnvironment;
    expect(archived.archivedAt).not.toBeNull();
    const listed = (includeArchived: boolean) =>
      t.gql('ADMIN', WorkspaceOverviewDocument, { slug: 'shop', includeArchived }).then((r) => ok(r).project!.tenantEnvironments.map((te) => `${te.tenant}/${te.environment}`));
    expect(await listed(false)).not.toContain('acme/production');
    expect(await listed(true)).toContain('acme/production');

    await expectWritesRefused(t, PRODUCTION);
    expectError(await t.gql('DEPLOYER', PromoteDocument, { input: { project: 'shop', tenant: 'acme', fromEnvironment: 'staging', toEnvironment: 'production', service: 'catalog' } }), {
      code: 'ARCHIVED',
      status: 409,
    });
    // History, the request made before and the audit trail are all still there.
    const history = ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, PRODUCTION)).tenantEnvironment!;
    expect(history.deployments.edges.length).toBeGreaterThan(5);
    expect(ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: requested.id })).rollbackRequest!.state).toBe('PENDING');
    const audit = ok(await t.gql('ADMIN', AuditEventsDocument, { slug: 'shop', first: 5 })).project!.auditEvents.edges.map((e) => e.node.action);
    expect(audit[0]).toBe('tenant_environment.archived');
    // Its neighbour is not affected.
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING)));

    ok(await t.gql('ADMIN', ArchiveTenantEnvironmentDocument, { input: { ...PRODUCTION, archived: false } }));
    expect(await listed(false)).toContain('acme/production');
    // The FULL rollback still pending covers the whole tenant-environment (one request in flight per scope): decided first.
    expect(ok(await t.gql('APPROVER', ReviewDocument, { input: { id: requested.id, decision: 'REJECT' } })).reviewRollbackRequest.state).toBe('REJECTED');
    await releaseThroughApproval(t, PRODUCTION);
    // The release through approval writes its request's five events and the deployment's after the restore.
    const actions = ok(await t.gql('ADMIN', AuditEventsDocument, { slug: 'shop', first: 20 })).project!.auditEvents.edges.map((e) => e.node.action);
    expect(actions).toContain('tenant_environment.restored');
  });

  it('a tenant or an environment archives every tenant-environment of it; archived environments take no policy and no new tenant-environment', async ({ t }) => {
    ok(await t.gql('ADMIN', ArchiveTenantDocument, { input: { project: 'shop', tenant: 'acme' } }));
    await expectWritesRefused(t, STAGING);
    await expectWritesRefused(t, PRODUCTION);
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease({ project: 'shop', tenant: 'globex', environment: 'staging' })));
    const overview = ok(await t.gql('ADMIN', WorkspaceOverviewDocument, { slug: 'shop' })).project!;
    expect(overview.tenants.map((x) => x.slug)).toEqual(['globex']);
    expect(overview.tenantEnvironments.map((te) => te.tenant)).toEqual(['globex', 'globex']);
    const te = ok(await t.gql('ADMIN', TenantEnvironmentDocument, STAGING)).tenantEnvironment!;
    expect(te.id).toBeTruthy();
    ok(await t.gql('ADMIN', ArchiveTenantDocument, { input: { project: 'shop', tenant: 'acme', archived: false } }));

    ok(await t.gql('ADMIN', ArchiveEnvironmentDocument, { input: { project: 'shop', environment: 'staging' } }));
    await expectWritesRefused(t, { project: 'shop', tenant: 'globex', environment: 'staging' });
    expectError(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'staging', approvalRequired: true } }), { code: 'ARCHIVED', status: 409 });
    ok(await t.gql('ADMIN', CreateTenantDocument, { input: { project: 'shop', slug: 'initech' } }));
    expectError(await t.gql('ADMIN', CreateTenantEnvironmentDocument, { input: { project: 'shop', tenant: 'initech', environment: 'staging' } }), { code: 'ARCHIVED', status: 409 });
    const after = ok(await t.gql('ADMIN', WorkspaceOverviewDocument, { slug: 'shop' })).project!;
    expect(after.environments.map((e) => e.slug)).toEqual(['production']);
    await releaseThroughApproval(t, PRODUCTION);
  });

  it('a project: left out of projects, readable by its slug, every write refused, break-glass too', async ({ t }) => {
    const archived = ok(await t.gql('ADMIN', ArchiveProjectDocument, { input: { project: 'shop' } })).archiveProject;
    expect(archived.archivedAt).not.toBeNull();
    expectError(await t.gql('DEPLOYER', ArchiveProjectDocument, { input: { project: 'shop', archived: false } }), { code: 'INSUFFICIENT_ROLE', status: 403 });
    const overview = ok(await t.gql('DEPLOYER', WorkspaceOverviewDocument, { slug: 'shop' }));
    expect(overview.projects).toEqual([]);
    expect(overview.project?.slug).toBe('shop');
    expect(overview.project?.tenantEnvironments).toEqual([]);
    expect(ok(await t.gql('DEPLOYER', WorkspaceOverviewDocument, { slug: 'shop', includeArchived: true })).projects).toEqual([{ slug: 'shop', archivedAt: archived.archivedAt }]);
    await expectWritesRefused(t, STAGING);
    expectError(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'sev1' } }), { code: 'ARCHIVED', status: 409 });
    expectError(await t.gql('ADMIN', CreateTenantEnvironmentDocument, { input: { project: 'shop', tenant: 'acme', environment: 'staging' } }), { code: 'ARCHIVED', status: 409 });
    expect(ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, STAGING)).tenantEnvironment!.deployments.edges.length).toBeGreaterThan(5);
    ok(await t.gql('ADMIN', ArchiveProjectDocument, { input: { project: 'shop', archived: false } }));
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING)));
  });

  it('a service: left out of services, its files stay, changes to it are refused while the other services take releases', async ({ t }) => {
    const before = git(t.repoDir, ['show', 'main:tenants/acme/staging/services/checkout/values.yaml']);
    const archived = ok(await t.gql('ADMIN', ArchiveServiceDocument, { input: { ...STAGING, service: 'checkout' } })).archiveService;
    expect(archived.services).not.toContain('checkout');
    expect(archived.all).toContain('checkout');
    expect(git(t.repoDir, ['show', 'main:tenants/acme/staging/services/checkout/values.yaml'])).toBe(before);
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'checkout')), { code: 'ARCHIVED', status: 409 });
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'payments')));
    expectError(await t.gql('ADMIN', ArchiveServiceDocument, { input: { ...STAGING, service: 'nope' } }), { code: 'NOT_FOUND', status: 404 });
    const restored = ok(await t.gql('ADMIN', ArchiveServiceDocument, { input: { ...STAGING, service: 'checkout', archived: false } })).archiveService;
    expect(restored.services).toContain('checkout');
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'checkout')));
  });
});
