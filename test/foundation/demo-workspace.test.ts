import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { ProjectDocument, TenantEnvironmentDocument } from '../kit/documents/workspace';

const TENANT_ENVIRONMENTS = [
  ['acme', 'staging'],
  ['acme', 'production'],
  ['globex', 'staging'],
  ['globex', 'production'],
] as const;

describe('the demo workspace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is acme-corp on ENTERPRISE with all four flags, project shop, production needing one approval without self-approval', async () => {
    const { data, errors } = await t.gql('ADMIN', ProjectDocument, { slug: 'shop' });
    expect(errors).toBeUndefined();
    const project = data!.project!;
    expect(project.organization).toEqual({
      slug: 'acme-corp',
      plan: 'ENTERPRISE',
      featureFlags: expect.arrayContaining(['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval']),
    });
    expect(project.organization.featureFlags).toHaveLength(4);
    const production = project.approvalPolicies.find((p) => p.environment === 'production');
    expect(production).toMatchObject({ approvalRequired: true, quorum: 1, blockSelfApproval: true });
    expect(project.approvalPolicies.find((p) => p.environment === 'staging')?.approvalRequired).toBe(false);
    const pairs = project.tenantEnvironments.map((te) => `${te.tenant}/${te.environment}`).sort();
    expect(pairs).toEqual(['acme/production', 'acme/staging', 'globex/production', 'globex/staging']);
    for (const te of project.tenantEnvironments) {
      expect(te.services.length).toBeGreaterThanOrEqual(3);
      expect(te.services.length).toBeLessThanOrEqual(4);
    }
  });

  it.each(TENANT_ENVIRONMENTS)('%s/%s has every input file and a generated manifest per service', (tenant, environment) => {
    const files = git(t.repoDir, ['ls-tree', '-r', '--name-only', 'main', `tenants/${tenant}/${environment}`])
      .split('\n')
      .map((f) => f.slice(`tenants/${tenant}/${environment}/`.length));
    expect(files).toContain('environment.yaml');
    expect(files).toContain('variables.yaml');
    const services = [...new Set(files.filter((f) => f.startsWith('services/')).map((f) => f.split('/')[1]!))];
    expect(services.length).toBeGreaterThanOrEqual(3);
    for (const service of services) {
      expect(files).toContain(`services/${service}/values.yaml`);
      expect(files).toContain(`services/${service}/bindings.yaml`);
      expect(files).toContain(`manifests/${service}.yaml`);
    }
  });

  it.each(TENANT_ENVIRONMENTS)('%s/%s has at least 6 commits in Git and as many deployments in history', async (tenant, environment) => {
    const commits = git(t.repoDir, ['rev-list', 'main', '--', `tenants/${tenant}/${environment}`]).split('\n');
    expect(commits.length).toBeGreaterThanOrEqual(6);
    const { data, errors } = await t.gql('DEPLOYER', TenantEnvironmentDocument, { project: 'shop', tenant, environment });
    expect(errors).toBeUndefined();
    const revisions = data!.tenantEnvironment!.deployments.edges.map((e) => e.node.revision);
    expect(revisions).toEqual(commits);
    for (const edge of data!.tenantEnvironment!.deployments.edges) {
      expect(edge.node.status).toBe('SUCCESS');
      expect(edge.node.changes.length).toBeGreaterThan(0);
    }
  });

  it('made its history through the release path: commits carry the Backtrack source trailer and a demo author', () => {
    const log = git(t.repoDir, ['log', '--format=%ae%x09%(trailers:key=Backtrack-Source,valueonly,separator=)', 'main']).split('\n');
    expect(log.length).toBeGreaterThanOrEqual(24);
    for (const line of log) {
      const [email, source] = line.split('\t');
      expect(email).toMatch(/@acme\.example\.com$/);
      expect(['RELEASE', 'PROMOTION']).toContain(source);
    }
    expect(log.filter((line) => line.endsWith('PROMOTION')).length).toBeGreaterThanOrEqual(1);
  });

  it('has the bad image tag v2.1.1-rc0 deployed on acme/production api-gateway, with its manifest', async () => {
    const values = git(t.repoDir, ['show', 'main:tenants/acme/production/services/api-gateway/values.yaml']);
    expect(values).toMatch(/^ {2}tag: v2\.1\.1-rc0$/m);
    const manifest = git(t.repoDir, ['show', 'main:tenants/acme/production/manifests/api-gateway.yaml']);
    expect(manifest).toContain('image: registry.acme.example.com/shop/api-gateway:v2.1.1-rc0');
    // Only production has it: staging still runs the good tag.
    expect(git(t.repoDir, ['show', 'main:tenants/acme/staging/services/api-gateway/values.yaml'])).not.toContain('v2.1.1-rc0');

    const { data } = await t.gql('DEPLOYER', TenantEnvironmentDocument, { project: 'shop', tenant: 'acme', environment: 'production' });
    const newest = data!.tenantEnvironment!.deployments.edges[0]!.node;
    expect(newest.revision).toBe(git(t.repoDir, ['rev-parse', 'main']));
    expect(newest.source).toBe('RELEASE');
    expect(newest.changes).toContain('api-gateway: image.tag v2.1.0 → v2.1.1-rc0');
  });
});
