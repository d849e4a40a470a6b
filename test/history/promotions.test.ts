import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { failure, ok } from '../kit/client';
import { OpenBreakGlassDocument } from '../kit/documents/governance';
import { DeployReleaseDocument, PromoteDocument } from '../kit/documents/history';
import type { PromoteInput } from '../gql/graphql';
import { PROD, STAGING, deploymentCount, fileAt, head, objectId, teDir } from './helpers';

const promote = (t: TestApp, input: Partial<PromoteInput>) =>
  t.gql('DEPLOYER', PromoteDocument, {
    input: { project: 'shop', tenant: 'acme', fromEnvironment: 'staging', toEnvironment: 'production', ...input },
  });

const servicesAt = (t: TestApp, revision: string, te: { tenant: string; environment: string }) =>
  git(t.repoDir, ['ls-tree', '--name-only', `${revision}:${teDir(te)}/services`]).split('\n');

describe('promote', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    // Production requires approval: promote (the plain mutation) commits at once under a break-glass session.
    ok(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'promotion tests' } }));
    // Give staging something production does not have yet.
    ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: { ...STAGING, services: [{ service: 'api-gateway', setFields: [{ path: 'image.tag', value: 'v2.1.1' }] }] },
      }),
    );
  });
  afterAll(() => t.close());

  it('copies one service from staging to production in one commit, source PROMOTION', async () => {
    const before = head(t);
    const others = ['checkout', 'payments', 'catalog'].map((s) => objectId(t, before, `${teDir(PROD)}/services/${s}`));
    const { promote: deployment } = ok(await promote(t, { service: 'api-gateway', description: 'ship the fix' }));

    expect(head(t)).toBe(deployment.revision);
    expect(git(t.repoDir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    // The service's directory in production is now byte-identical to staging's.
    expect(objectId(t, 'main', `${teDir(PROD)}/services/api-gateway`)).toBe(objectId(t, 'main', `${teDir(STAGING)}/services/api-gateway`));
    // Other services, environment.yaml and variables.yaml are untouched.
    expect(['checkout', 'payments', 'catalog'].map((s) => objectId(t, 'main', `${teDir(PROD)}/services/${s}`))).toEqual(others);
    for (const file of ['environment.yaml', 'variables.yaml']) {
      expect(objectId(t, 'main', `${teDir(PROD)}/${file}`)).toBe(objectId(t, before, `${teDir(PROD)}/${file}`));
    }
    // Nothing outside production changed.
    const changed = git(t.repoDir, ['diff', '--name-only', before, 'main']).split('\n');
    expect(changed.every((p) => p.startsWith(`${teDir(PROD)}/`))).toBe(true);
    expect(changed).toContain(`${teDir(PROD)}/manifests/api-gateway.yaml`);

    // The manifest is generated for production (namespace, variables), from the promoted values.
    const manifest = fileAt(t, 'main', `${teDir(PROD)}/manifests/api-gateway.yaml`);
    expect(manifest).toContain('namespace: acme-production');
    expect(manifest).not.toContain('acme-staging');
    expect(manifest).toContain('image: registry.acme.example.com/shop/api-gateway:v2.1.1');

    expect(deployment.source).toBe('PROMOTION');
    expect(deployment.status).toBe('SUCCESS');
    expect(deployment.changes).toContain('api-gateway: image.tag v2.1.1-rc0 → v2.1.1');
    const message = git(t.repoDir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^Promotion: tenant\/acme env\/production\n\nship the fix\n/);
    expect(message).toContain('From: tenant/acme env/staging');
    expect(message).toContain('Services: api-gateway');
    expect(git(t.repoDir, ['log', '-1', '--format=%(trailers:key=Backtrack-Source,valueonly)', 'main']).trim()).toBe('PROMOTION');
    expect(message).toMatch(/\nApproval: Bypassed by break-glass session bgs-\S+ \(dana\.deployer@acme\.example\.com: promotion tests\)\n/);
  });

  it('copies every service when none is named', async () => {
    const before = head(t);
    const { promote: deployment } = ok(await promote(t, {}));
    expect(deployment.source).toBe('PROMOTION');
    expect(git(t.repoDir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    const stagingServices = servicesAt(t, 'main', STAGING);
    for (const service of stagingServices) {
      expect(objectId(t, 'main', `${teDir(PROD)}/services/${service}`), service).toBe(objectId(t, 'main', `${teDir(STAGING)}/services/${service}`));
      expect(fileAt(t, 'main', `${teDir(PROD)}/manifests/${service}.yaml`)).toContain('namespace: acme-production');
    }
    expect(git(t.repoDir, ['log', '-1', '--format=%B', 'main'])).toContain(`Services: ${[...stagingServices].sort().join(', ')}`);
    // checkout was scaled to 5 in production and 2 in staging: the promotion brings staging's value.
    expect(deployment.changes).toContain('checkout: replicas 5 → 2');
  });

  it('refuses bad input and commits nothing', async () => {
    const before = head(t);
    const deployments = await deploymentCount(t);
    const cases: Array<[Partial<PromoteInput>, string, RegExp]> = [
      [{ service: 'billing' }, 'NOT_FOUND', /service billing in acme\/staging not found/],
      [{ toEnvironment: 'staging' }, 'INVALID_PROMOTION', /onto itself/],
      [{ fromEnvironment: 'qa' }, 'NOT_FOUND', /tenant-environment shop\/acme\/qa not found/],
      [{ service: 'api-gateway' }, 'NOTHING_TO_CHANGE', /nothing to change/],
    ];
    for (const [input, code, message] of cases) {
      const error = failure(await promote(t, input));
      expect(error.extensions.code, JSON.stringify(input)).toBe(code);
      expect(error.message).toMatch(message);
    }
    expect(head(t)).toBe(before);
    expect(await deploymentCount(t)).toBe(deployments);
  });
});
