/** Onboarding over GraphQL, as an ADMIN of the project: tenants, environments, tenant-environments, services, members, tokens. */
import { describe, expect } from 'vitest';
import { createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { generateManifest } from '../../src/domain/delivery/generate-manifest';
import { createToken } from '../../src/domain/onboarding/tokens';
import { OPERATOR } from '../../src/domain/onboarding/caller';
import { parseYaml } from '../../src/yaml';
import type { TestApp } from '../kit/app';
import { call, expectError, ok, type Caller } from '../kit/client';
import { AuditEventsDocument } from '../kit/documents/governance';
import { RequestReleaseDocument, ReviewApprovalRequestDocument } from '../kit/documents/approvals';
import { DeployReleaseDocument } from '../kit/documents/history';
import {
  CreateEnvironmentDocument,
  CreateServiceDocument,
  CreateTenantDocument,
  CreateTenantEnvironmentDocument,
  ProjectMembersDocument,
  RemoveProjectMemberDocument,
  RevokeTokenDocument,
  SetProjectMemberDocument,
  ViewerTokensDocument,
  WorkspaceOverviewDocument,
} from '../kit/documents/onboarding';
import { ViewerDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';

/** A user with a token, and a role in shop when one is given. */
async function person(t: TestApp, email: string, role?: 'VIEWER' | 'DEPLOYER' | 'APPROVER' | 'ADMIN'): Promise<Caller & { token: string }> {
  const backend = t.app.backend;
  const userId = await createUser(backend, { email, name: email.split('@')[0]! });
  if (role) await grantRole(backend, { userId, projectId: (await backend.stores.projects.bySlug('shop'))!.id, role });
  return { token: (await createUserToken(backend, userId, 'test')).token };
}

async function auditActions(t: TestApp): Promise<string[]> {
  const events = ok(await t.gql('ADMIN', AuditEventsDocument, { slug: 'shop', first: 100 })).project!.auditEvents.edges.map((e) => e.node);
  return events.map((e) => e.action);
}

describe('onboarding a tenant-environment over GraphQL', () => {
  it('an ADMIN creates a tenant, an environment with its policy, their tenant-environment and a service; each is listed and audited', async ({ t }) => {
    const tenant = ok(await t.gql('ADMIN', CreateTenantDocument, { input: { project: 'shop', slug: 'initech', name: 'Initech' } })).createTenant;
    expect(tenant).toMatchObject({ slug: 'initech', name: 'Initech', archivedAt: null });
    const environment = ok(
      await t.gql('ADMIN', CreateEnvironmentDocument, { input: { project: 'shop', slug: 'qa', approvalRequired: true, quorum: 2, blockSelfApproval: false } }),
    ).createEnvironment;
    expect(environment.approvalPolicy).toEqual({ environment: 'qa', approvalRequired: true, quorum: 2, blockSelfApproval: false });
    const te = ok(await t.gql('ADMIN', CreateTenantEnvironmentDocument, { input: { project: 'shop', tenant: 'initech', environment: 'qa' } })).createTenantEnvironment;
    expect(te).toMatchObject({ tenant: 'initech', environment: 'qa', services: [], archivedAt: null });

    const headBefore = git(t.repoDir, ['rev-parse', 'main']);
    const created = ok(
      await t.gql('ADMIN', CreateServiceDocument, {
        input: { project: 'shop', tenant: 'initech', environment: 'qa', service: 'billing', imageRepository: 'registry.initech.example.com/billing', imageTag: 'v1.0.0', replicas: 2, port: 9000 },
      }),
    ).createService;
    expect(created).toMatchObject({ source: 'RELEASE', author: { email: 'ada.admin@acme.example.com' } });

    // One commit on top of the old head, holding the skeletons, the environment's first files and the manifest.
    expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(created.revision);
    expect(git(t.repoDir, ['rev-parse', `${created.revision}^`])).toBe(headBefore);
    const files = git(t.repoDir, ['diff-tree', '--no-commit-id', '--name-only', '-r', created.revision]).split('\n').sort();
    expect(files).toEqual([
      'tenants/initech/qa/environment.yaml',
      'tenants/initech/qa/manifests/billing.yaml',
      'tenants/initech/qa/services/billing/bindings.yaml',
      'tenants/initech/qa/services/billing/values.yaml',
      'tenants/initech/qa/variables.yaml',
    ]);
    expect(git(t.repoDir, ['log', '-1', '--format=%B', created.revision]).trim()).toBe(
      'Release: tenant/initech env/qa\n\nCreate service billing\n\nBacktrack-Source: RELEASE\nAuthor: ada.admin@acme.example.com',
    );
    const show = (file: string) => git(t.repoDir, ['show', `main:tenants/initech/qa/${file}`]);
    const values = parseYaml(show('services/billing/values.yaml')) as Record<string, unknown>;
    expect(values).toMatchObject({ image: { repository: 'registry.initech.example.com/billing', tag: 'v1.0.0' }, replicas: 2, ports: { http: 9000 } });
    // The manifest is the generator's, from those very files.
    expect(`${show('manifests/billing.yaml')}\n`).toBe(
      generateManifest({
        project: 'shop',
        tenant: 'initech',
        environment: 'qa',
        service: 'billing',
        values,
        bindings: parseYaml(show('services/billing/bindings.yaml')) as Record<string, unknown>,
        variables: parseYaml(show('variables.yaml')) as Record<string, unknown>,
        environmentConfig: parseYaml(show('environment.yaml')) as Record<string, unknown>,
      }),
    );

    // A second service goes into the existing files: only its own three files change.
    const second = ok(await t.gql('ADMIN', CreateServiceDocument, { input: { project: 'shop', tenant: 'initech', environment: 'qa', service: 'ledger' } })).createService;
    expect(git(t.repoDir, ['diff-tree', '--no-commit-id', '--name-only', '-r', second.revision]).split('\n').sort()).toEqual([
      'tenants/initech/qa/manifests/ledger.yaml',
      'tenants/initech/qa/services/ledger/bindings.yaml',
      'tenants/initech/qa/services/ledger/values.yaml',
    ]);
    expectError(await t.gql('ADMIN', CreateServiceDocument, { input: { project: 'shop', tenant: 'initech', environment: 'qa', service: 'ledger' } }), {
      code: 'SERVICE_EXISTS',
      status: 409,
    });

    const overview = ok(await t.gql('ADMIN', WorkspaceOverviewDocument, { slug: 'shop' })).project!;
    expect(overview.tenants.map((x) => x.slug)).toEqual(['acme', 'globex', 'initech']);
    expect(overview.environments.map((x) => x.slug)).toEqual(['production', 'qa', 'staging']);
    expect(overview.tenantEnvironments.find((x) => x.tenant === 'initech')).toEqual({ tenant: 'initech', environment: 'qa', archivedAt: null, services: ['billing', 'ledger'] });
    // Releases work on it at once, as on any other tenant-environment: through its approval policy (quorum 2).
    const input = { project: 'shop', tenant: 'initech', environment: 'qa', services: [{ service: 'billing', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.0.1' }] }] };
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, { input }), { code: 'APPROVAL_REQUIRED', status: 403 });
    const requested = ok(await t.gql('DEPLOYER', RequestReleaseDocument, { input })).requestRelease;
    ok(await t.gql('APPROVER', ReviewApprovalRequestDocument, { input: { id: requested.id, decision: 'APPROVE' } }));
    expect(ok(await t.gql('APPROVER2', ReviewApprovalRequestDocument, { input: { id: requested.id, decision: 'APPROVE' } })).reviewApprovalRequest.state).toBe('COMPLETED');
    expect(await auditActions(t)).toEqual(
      expect.arrayContaining(['tenant.created', 'environment.created', 'tenant_environment.created', 'service.created']),
    );
  });

  it('is for ADMINs: a DEPLOYER is refused, a user without a role and an agent see nothing; bad input is refused with a code', async ({ t }) => {
    const input = { project: 'shop', slug: 'umbrella' };
    expectError(await t.gql('DEPLOYER', CreateTenantDocument, { input }), { code: 'INSUFFICIENT_ROLE', status: 403 });
    const outsider = await person(t, 'outsider@example.com');
    expectError(await call(t, outsider, CreateTenantDocument, { input }), { code: 'NOT_FOUND', status: 404 });
    expectError(await t.gql('AGENT', CreateTenantDocument, { input }), { code: 'USER_REQUIRED', status: 403 });
    expectError(await t.gql('ADMIN', CreateTenantDocument, { input: { project: 'shop', slug: 'Umbrella Corp' } }), { code: 'INVALID_SLUG', status: 400 });
    expectError(await t.gql('ADMIN', CreateTenantDocument, { input: { project: 'shop', slug: 'acme' } }), { code: 'TENANT_EXISTS', status: 409 });
    expectError(await t.gql('ADMIN', CreateEnvironmentDocument, { input: { project: 'shop', slug: 'qa', quorum: 11 } }), { code: 'INVALID_QUORUM', status: 400 });
    expectError(await t.gql('ADMIN', CreateTenantEnvironmentDocument, { input: { project: 'shop', tenant: 'acme', environment: 'qa' } }), { code: 'NOT_FOUND', status: 404 });
    expectError(await t.gql('ADMIN', CreateTenantEnvironmentDocument, { input: { project: 'shop', tenant: 'acme', environment: 'staging' } }), {
      code: 'TENANT_ENVIRONMENT_EXISTS',
      status: 409,
    });
    expectError(await t.gql('ADMIN', CreateServiceDocument, { input: { project: 'shop', tenant: 'acme', environment: 'staging', service: 'x', imageTag: 'bad tag' } }), {
      code: 'INVALID_IMAGE',
      status: 400,
    });
    const overview = ok(await t.gql('ADMIN', WorkspaceOverviewDocument, { slug: 'shop' })).project!;
    expect(overview.tenants.map((x) => x.slug)).toEqual(['acme', 'globex']);
    expect(overview.environments.map((x) => x.slug)).toEqual(['production', 'staging']);
  });

  it('lists the caller\'s organizations and projects', async ({ t }) => {
    const data = ok(await t.gql('DEPLOYER', WorkspaceOverviewDocument, { slug: 'shop' }));
    expect(data.organizations).toEqual([{ slug: 'acme-corp', plan: 'ENTERPRISE', featureFlags: expect.arrayContaining(['rollback']), archivedAt: null }]);
    expect(data.projects).toEqual([{ slug: 'shop', archivedAt: null }]);
    const outsider = await person(t, 'nobody@example.com');
    const none = ok(await call(t, outsider, WorkspaceOverviewDocument, { slug: 'shop' }));
    expect(none).toEqual({ organizations: [], projects: [], project: null });
  });
});

describe('project members over GraphQL', () => {
  it('an ADMIN adds a new user with a role, changes it, lists members and removes them; each change audited', async ({ t }) => {
    const added = ok(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: 'Sam@Example.com', name: 'Sam', role: 'VIEWER' } })).setProjectMember;
    expect(added).toMatchObject({ role: 'VIEWER', user: { email: 'sam@example.com', name: 'Sam' } });
    ok(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: 'sam@example.com', role: 'APPROVER' } }));
    const members = ok(await t.gql('ADMIN', ProjectMembersDocument, { slug: 'shop' })).project!.members;
    expect(members.find((m) => m.user.email === 'sam@example.com')?.role).toBe('APPROVER');
    expect(members.map((m) => m.user.email)).toEqual([...members.map((m) => m.user.email)].sort());

    // The role is real: the user's token (issued by the operator) reads shop as an APPROVER.
    const { token } = await createToken(t.app.backend, OPERATOR, { email: 'sam@example.com' });
    expect(ok(await call(t, { token }, ViewerDocument)).viewer.projectRoles).toEqual([{ role: 'APPROVER', project: { slug: 'shop' } }]);

    const removed = ok(await t.gql('ADMIN', RemoveProjectMemberDocument, { input: { project: 'shop', email: 'sam@example.com' } })).removeProjectMember;
    expect(removed.role).toBe('APPROVER');
    expect(ok(await call(t, { token }, ViewerDocument)).viewer.projectRoles).toEqual([]);
    expectError(await t.gql('ADMIN', RemoveProjectMemberDocument, { input: { project: 'shop', email: 'sam@example.com' } }), { code: 'NOT_FOUND', status: 404 });
    expect(await auditActions(t)).toEqual(expect.arrayContaining(['member.added', 'member.role_changed', 'member.removed']));
  });

  it('never leaves a project without an ADMIN; a user not known yet needs a name; members are for ADMINs to see', async ({ t }) => {
    const ada = 'ada.admin@acme.example.com';
    expectError(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: ada, role: 'VIEWER' } }), { code: 'LAST_ADMIN', status: 403 });
    expectError(await t.gql('ADMIN', RemoveProjectMemberDocument, { input: { project: 'shop', email: ada } }), { code: 'LAST_ADMIN', status: 403 });
    expectError(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: 'new@example.com', role: 'VIEWER' } }), { code: 'NAME_REQUIRED', status: 400 });
    // With a second ADMIN, the first may step down.
    ok(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: 'alex.approver@acme.example.com', role: 'ADMIN' } }));
    expect(ok(await t.gql('ADMIN', SetProjectMemberDocument, { input: { project: 'shop', email: ada, role: 'DEPLOYER' } })).setProjectMember.role).toBe('DEPLOYER');
    expect(ok(await t.gql('DEPLOYER', ProjectMembersDocument, { slug: 'shop' })).project!.members).toEqual([]);
    expect(ok(await t.gql('AGENT', ProjectMembersDocument, { slug: 'shop' })).project!.members).toEqual([]);
    expectError(await t.gql('DEPLOYER', SetProjectMemberDocument, { input: { project: 'shop', email: 'dana.deployer@acme.example.com', role: 'ADMIN' } }), {
      code: 'INSUFFICIENT_ROLE',
      status: 403,
    });
  });
});

describe('tokens over GraphQL', () => {
  it('a user lists and revokes their own tokens; another user\'s token reads as not found', async ({ t }) => {
    const laptop = await createToken(t.app.backend, OPERATOR, { email: 'dana.deployer@acme.example.com', name: 'laptop', expiresIn: '30d' });
    const listed = ok(await t.gql('DEPLOYER', ViewerTokensDocument)).viewer.tokens;
    expect(listed.map((x) => x.name)).toEqual(['laptop', 'demo token']);
    const expiresAt = new Date(listed[0]!.expiresAt!).getTime();
    expect(expiresAt - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(listed.every((x) => x.active)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(laptop.token);

    expectError(await t.gql('APPROVER', RevokeTokenDocument, { id: laptop.view.id }), { code: 'NOT_FOUND', status: 404 });
    const revoked = ok(await t.gql('DEPLOYER', RevokeTokenDocument, { id: laptop.view.id })).revokeToken;
    expect(revoked).toMatchObject({ id: laptop.view.id, active: false });
    expectError(await call(t, { token: laptop.token }, ViewerDocument), { code: 'UNAUTHENTICATED', status: 401 });
    expectError(await t.gql('DEPLOYER', RevokeTokenDocument, { id: laptop.view.id }), { code: 'TOKEN_ALREADY_REVOKED', status: 400 });
    expect(ok(await t.gql('DEPLOYER', ViewerDocument)).viewer.email).toBe('dana.deployer@acme.example.com');
  });

  it('an expired token is refused with TOKEN_EXPIRED', async ({ t }) => {
    const { token } = await createToken(t.app.backend, OPERATOR, { email: 'alex.approver@acme.example.com', expiresIn: '1s' });
    expect(ok(await call(t, { token }, ViewerDocument)).viewer.email).toBe('alex.approver@acme.example.com');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expectError(await call(t, { token }, ViewerDocument), { code: 'TOKEN_EXPIRED', status: 401 });
    expectError(await call(t, { token: `${token}x` }, ViewerDocument), { code: 'UNAUTHENTICATED', status: 401 });
  });
});
