import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { failure, ok } from '../kit/client';
import { DeploymentsDocument, DeployReleaseDocument } from '../kit/documents/history';
import type { DeployReleaseInput } from '../gql/graphql';
import { STAGING, deploymentCount, fileAt, head, teDir } from './helpers';

const VALUES = `${teDir(STAGING)}/services/api-gateway/values.yaml`;

/** `after` must be `before` with exactly the value after `anchor` replaced: every other byte identical. */
function expectOnlyValueChanged(before: string, after: string, anchor: string, oldValue: string, newValue: string): void {
  const at = before.indexOf(anchor);
  expect(at, `anchor ${JSON.stringify(anchor)}`).toBeGreaterThanOrEqual(0);
  expect(before.indexOf(anchor, at + 1), 'anchor must be unique').toBe(-1);
  const start = at + anchor.length;
  expect(before.slice(start, start + oldValue.length)).toBe(oldValue);
  expect(after).toBe(before.slice(0, start) + newValue + before.slice(start + oldValue.length));
}

describe('deployRelease', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  let before: string;
  beforeEach(() => {
    before = head(t);
  });

  const release = (input: Omit<DeployReleaseInput, 'project' | 'tenant' | 'environment'>) =>
    t.gql('DEPLOYER', DeployReleaseDocument, { input: { ...STAGING, ...input } });

  it('writes one commit whose field edits change only the edited values, read back with git', async () => {
    const valuesBefore = fileAt(t, before, VALUES);
    const { deployRelease } = ok(
      await release({
        description: 'api-gateway 2.1.1',
        services: [{ service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v2.1.1' }] }],
      }),
    );
    expect(head(t)).toBe(deployRelease.revision);
    expect(git(t.repoDir, ['rev-parse', `${deployRelease.revision}^`])).toBe(before);
    expect(git(t.repoDir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    const valuesAfter = fileAt(t, 'main', VALUES);
    expectOnlyValueChanged(valuesBefore, valuesAfter, '\n  tag: ', 'v2.1.0', 'v2.1.1');
    // The commit touches the values file and the regenerated manifest, nothing else.
    expect(git(t.repoDir, ['diff', '--name-only', before, 'main']).split('\n')).toEqual([
      `${teDir(STAGING)}/manifests/api-gateway.yaml`,
      VALUES,
    ]);
    expect(deployRelease).toMatchObject({
      source: 'RELEASE',
      status: 'SUCCESS',
      changes: ['api-gateway: image.tag v2.1.0 → v2.1.1'],
      changedFiles: ['manifests/api-gateway.yaml', 'services/api-gateway/values.yaml'],
      author: { name: 'Dana Deployer', email: 'dana.deployer@acme.example.com', user: { email: 'dana.deployer@acme.example.com' } },
    });
    const message = git(t.repoDir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^Release: tenant\/acme env\/staging\n\napi-gateway 2\.1\.1\n/);
    expect(git(t.repoDir, ['log', '-1', '--format=%(trailers:key=Backtrack-Source,valueonly)', 'main']).trim()).toBe('RELEASE');
    expect(git(t.repoDir, ['log', '-1', '--format=%an <%ae>', 'main'])).toBe('Dana Deployer <dana.deployer@acme.example.com>');
  });

  it('keeps a trailing comment and the quoting style of edited values', async () => {
    const valuesBefore = fileAt(t, before, VALUES);
    ok(
      await release({
        services: [
          {
            service: 'api-gateway',
            setFields: [
              { path: 'replicas', value: 4 },
              { path: 'env.LOG_LEVEL', value: 'warn' },
            ],
          },
        ],
      }),
    );
    const valuesAfter = fileAt(t, 'main', VALUES);
    expect(valuesAfter).toContain('\nreplicas: 4  # scaled by the platform team\n');
    expect(valuesAfter).toContain('\n  LOG_LEVEL: "warn"\n');
    const expected = valuesBefore
      .replace('\nreplicas: 1  # scaled', '\nreplicas: 4  # scaled')
      .replace('\n  LOG_LEVEL: "debug"\n', '\n  LOG_LEVEL: "warn"\n');
    expect(valuesAfter).toBe(expected);
  });

  it('edits environment fields (variables.yaml) and regenerates every manifest in the same commit', async () => {
    const variablesBefore = fileAt(t, before, `${teDir(STAGING)}/variables.yaml`);
    const { deployRelease } = ok(
      await release({ environmentFields: [{ file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', value: '4500' }] }),
    );
    const variablesAfter = fileAt(t, 'main', `${teDir(STAGING)}/variables.yaml`);
    expectOnlyValueChanged(variablesBefore, variablesAfter, '  payments:\n    SERVICE_NAME: payments\n    TIMEOUT_MS: ', '"5000"', '"4500"');
    expect(deployRelease.changes).toEqual(['payments: variables.TIMEOUT_MS 5000 → 4500']);
    const changed = git(t.repoDir, ['diff', '--name-only', before, 'main']).split('\n');
    expect(changed).toContain(`${teDir(STAGING)}/manifests/payments.yaml`);
    expect(fileAt(t, 'main', `${teDir(STAGING)}/manifests/payments.yaml`)).toContain('TIMEOUT_MS: "4500"');
  });

  it('replaces whole files byte for byte, and a replacement can add a service', async () => {
    const content = '# checkout, rewritten by the release train\nimage:\n  repository: registry.acme.example.com/shop/checkout\n  tag: v3.5.0\nreplicas: 2\nports:\n  http: 8082\n';
    const newService = 'image:\n  repository: registry.acme.example.com/shop/reviews\n  tag: v0.1.0\nreplicas: 1\n';
    const { deployRelease } = ok(
      await release({
        services: [
          { service: 'checkout', replaceFiles: [{ file: 'values.yaml', content }] },
          { service: 'reviews', replaceFiles: [{ file: 'values.yaml', content: newService }] },
        ],
      }),
    );
    expect(fileAt(t, 'main', `${teDir(STAGING)}/services/checkout/values.yaml`)).toBe(content);
    expect(fileAt(t, 'main', `${teDir(STAGING)}/services/reviews/values.yaml`)).toBe(newService);
    expect(fileAt(t, 'main', `${teDir(STAGING)}/manifests/reviews.yaml`)).toContain('image: registry.acme.example.com/shop/reviews:v0.1.0');
    expect(fileAt(t, 'main', `${teDir(STAGING)}/manifests/checkout.yaml`)).toContain('image: registry.acme.example.com/shop/checkout:v3.5.0');
    expect(deployRelease.changes).toContain('checkout: image.tag v3.4.1 → v3.5.0');
    expect(deployRelease.changes).toContain('reviews: service added');
    expect(git(t.repoDir, ['rev-list', '--count', `${before}..main`])).toBe('1');
  });

  it('describes a change inside a list by the element that changed', async () => {
    const bindings = fileAt(t, before, `${teDir(STAGING)}/services/api-gateway/bindings.yaml`);
    const changed = bindings
      .replace('host: api.staging.acme.example.com', 'host: api-v2.staging.acme.example.com')
      .replace('    - patches/pod-disruption-budget.yaml\n', '    - patches/pod-disruption-budget.yaml\n    - patches/hpa.yaml\n');
    expect(changed).not.toBe(bindings);
    const { deployRelease } = ok(
      await release({ services: [{ service: 'api-gateway', replaceFiles: [{ file: 'bindings.yaml', content: changed }] }] }),
    );
    expect(deployRelease.changes).toEqual([
      'api-gateway: kustomize.patches[1] added (patches/hpa.yaml)',
      'api-gateway: manifests[0].host api.staging.acme.example.com → api-v2.staging.acme.example.com',
    ]);
  });

  describe('bad input: a clear error and nothing committed', () => {
    it.each([
      [
        'a field path that does not exist',
        { services: [{ service: 'api-gateway', setFields: [{ path: 'image.digest', value: 'sha256:abc' }] }] },
        'FIELD_NOT_FOUND',
        /field "image\.digest" not found in services\/api-gateway\/values\.yaml/,
      ],
      [
        'a valid edit followed by a missing field in another service',
        {
          services: [
            { service: 'api-gateway', setFields: [{ path: 'image.tag', value: 'v9.9.9' }] },
            { service: 'checkout', setFields: [{ path: 'spec.replicas', value: 3 }] },
          ],
        },
        'FIELD_NOT_FOUND',
        /spec\.replicas/,
      ],
      [
        'a missing environment field',
        { environmentFields: [{ file: 'variables.yaml', path: 'services.payments.RETRIES', value: '3' }] },
        'FIELD_NOT_FOUND',
        /RETRIES/,
      ],
      ['an unknown service', { services: [{ service: 'billing', setFields: [{ path: 'image.tag', value: 'v1' }] }] }, 'NOT_FOUND', /service billing not found/],
      ['a file that is not a service file', { services: [{ service: 'checkout', setFields: [{ file: 'Chart.yaml', path: 'version', value: '1' }] }] }, 'INVALID_FILE', /Chart\.yaml/],
      ['an empty release', { services: [] }, 'EMPTY_RELEASE', /at least one/],
      ['the value already deployed', { services: [{ service: 'payments', setFields: [{ path: 'image.tag', value: 'v1.5.0' }] }] }, 'NOTHING_TO_CHANGE', /nothing to change/],
      ['a replacement that is not YAML', { services: [{ service: 'catalog', replaceFiles: [{ file: 'values.yaml', content: 'image: [unclosed\n' }] }] }, 'INVALID_YAML', /values\.yaml/],
      ['a service name that is not a DNS label', { services: [{ service: '../etc', replaceFiles: [{ file: 'values.yaml', content: 'a: 1\n' }] }] }, 'INVALID_SERVICE_NAME', /invalid service name/],
    ])('%s', async (_label, input, code, message) => {
      const deployments = await deploymentCount(t);
      const error = failure(await release(input));
      expect(error.extensions.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(head(t)).toBe(before);
      expect(await deploymentCount(t)).toBe(deployments);
    });

    it('refuses a cluster agent token and an unknown tenant-environment', async () => {
      const agent = await t.gql('AGENT', DeployReleaseDocument, {
        input: { ...STAGING, services: [{ service: 'payments', setFields: [{ path: 'replicas', value: 2 }] }] },
      });
      expect(failure(agent).extensions.code).toBe('USER_REQUIRED');
      const unknown = await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: { ...STAGING, environment: 'qa', services: [{ service: 'payments', setFields: [{ path: 'replicas', value: 2 }] }] },
      });
      expect(failure(unknown).extensions.code).toBe('NOT_FOUND');
      expect(head(t)).toBe(before);
    });
  });

  it('records the release in history at once, newest first', async () => {
    const { deployRelease } = ok(await release({ services: [{ service: 'catalog', setFields: [{ path: 'replicas', value: 2 }] }] }));
    const { tenantEnvironment } = ok(await t.gql('DEPLOYER', DeploymentsDocument, { ...STAGING, first: 1 }));
    expect(tenantEnvironment!.deployments.edges[0]!.node.id).toBe(deployRelease.id);
    expect(tenantEnvironment!.headRevision).toBe(deployRelease.revision);
    // The regenerated manifest parses and says the same as its inputs.
    const documents = parseAllDocuments(fileAt(t, 'main', `${teDir(STAGING)}/manifests/catalog.yaml`)).map((d) => d.toJS());
    expect(documents[0]).toMatchObject({ kind: 'Deployment', spec: { replicas: 2 } });
  });
});
