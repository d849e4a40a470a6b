import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { failure, ok } from '../kit/client';
import { CompareRevisionsDocument, CompareWithCurrentDocument, DeploymentCompareDocument, DeployReleaseDocument } from '../kit/documents/history';
import type { RevisionDiffFieldsFragment } from '../gql/graphql';
import { PROD, STAGING, fileAt, head, pushWithGitCli, teDir } from './helpers';

type Te = { tenant: string; environment: string };
type Diff = RevisionDiffFieldsFragment;

/** `git diff --numstat base head -- <te dir>` as path (relative to the te dir) → [added, removed]. */
function numstat(t: TestApp, base: string, headRevision: string, te: Te): Map<string, [number, number]> {
  const out = git(t.repoDir, ['diff', '--numstat', '--no-renames', base, headRevision, '--', teDir(te)]);
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [added, removed, path] = line.split('\t');
        return [path!.slice(teDir(te).length + 1), [Number(added), Number(removed)]];
      }),
  );
}

function expectMatchesGit(t: TestApp, diff: Diff, te: Te): void {
  const expected = numstat(t, diff.base, diff.head, te);
  const actual = new Map(diff.files.map((f) => [f.path, [f.linesAdded, f.linesRemoved] as [number, number]]));
  expect(actual).toEqual(expected);
  expect(diff.counts.files).toBe(expected.size);
}

describe('compareRevisions and compareWithCurrent', () => {
  let t: TestApp;
  let history: string[];
  beforeAll(async () => {
    t = await createTestApp();
    history = git(t.repoDir, ['rev-list', 'main', '--', teDir(PROD)]).split('\n');
  });
  afterAll(() => t.close());

  const compare = async (te: Te, base: string, headRevision: string) =>
    ok(await t.gql('DEPLOYER', CompareRevisionsDocument, { ...te, base, head: headRevision })).tenantEnvironment!.compareRevisions;
  const withCurrent = async (te: Te, revision: string) =>
    ok(await t.gql('DEPLOYER', CompareWithCurrentDocument, { ...te, revision })).tenantEnvironment!.compareWithCurrent;

  it('from the first acme/production revision to the current one: files and line counts as git diff --numstat shows', async () => {
    const first = history.at(-1)!;
    const diff = await withCurrent(PROD, first);
    expect(diff.base).toBe(first);
    expect(diff.head).toBe(head(t));
    expectMatchesGit(t, diff, PROD);
    expect(diff.files.map((f) => f.path)).toEqual([
      'manifests/api-gateway.yaml',
      'manifests/catalog.yaml',
      'manifests/checkout.yaml',
      'manifests/payments.yaml',
      'services/api-gateway/values.yaml',
      'services/catalog/values.yaml',
      'services/checkout/values.yaml',
      'services/payments/values.yaml',
      'variables.yaml',
    ]);
  });

  it('gives field diffs per service and the environment-level fields, with impact counts', async () => {
    const diff = await withCurrent(PROD, history.at(-1)!);
    const fields = Object.fromEntries(diff.services.map((s) => [s.service, s.fields.map((f) => [f.path, f.kind, f.before, f.after])]));
    expect(fields).toEqual({
      'api-gateway': [['image.tag', 'MODIFIED', 'v2.0.8', 'v2.1.1-rc0']],
      catalog: [['image.tag', 'MODIFIED', 'v5.0.0', 'v5.1.0']],
      checkout: [['replicas', 'MODIFIED', 3, 5]],
      payments: [['image.tag', 'MODIFIED', 'v1.4.2', 'v1.5.0']],
    });
    for (const service of diff.services) {
      expect(service.kind).toBe('MODIFIED');
      expect(service.files.map((f) => f.path)).toEqual([`manifests/${service.service}.yaml`, `services/${service.service}/values.yaml`]);
    }
    expect(diff.environmentFields).toEqual([
      { file: 'variables.yaml', path: 'LOG_FORMAT', service: null, kind: 'MODIFIED', before: 'json', after: 'text' },
    ]);
    expect(diff.counts).toEqual({ files: 9, services: 4, bindings: 0, variables: 1 });
    const values = diff.files.find((f) => f.path === 'services/api-gateway/values.yaml')!;
    expect(values).toMatchObject({ category: 'VALUES', kind: 'MODIFIED', service: 'api-gateway', parseError: null });
    expect(values.unifiedDiff).toContain('-  tag: v2.0.8\n+  tag: v2.1.1-rc0\n');
    expect(diff.files.find((f) => f.path === 'manifests/api-gateway.yaml')).toMatchObject({ category: 'MANIFEST', fields: [] });
  });

  it('matches git diff --numstat for every pair of consecutive deployments, both directions', async () => {
    for (let i = 0; i + 1 < history.length; i++) {
      for (const [base, headRevision] of [
        [history[i + 1]!, history[i]!],
        [history[i]!, history[i + 1]!],
      ]) {
        const diff = await compare(PROD, base, headRevision);
        expect(diff.base).toBe(base);
        expect(diff.head).toBe(headRevision);
        expectMatchesGit(t, diff, PROD);
      }
    }
  });

  it('accepts abbreviated revisions and main', async () => {
    const diff = await compare(PROD, history[1]!.slice(0, 10), 'main');
    expect(diff.base).toBe(history[1]);
    expect(diff.head).toBe(head(t));
    expect(diff.services.map((s) => [s.service, s.fields.map((f) => `${f.path} ${f.before} → ${f.after}`)])).toEqual([
      ['api-gateway', ['image.tag v2.1.0 → v2.1.1-rc0']],
    ]);
  });

  it('is also reachable from a deployment in history', async () => {
    const { tenantEnvironment } = ok(await t.gql('DEPLOYER', DeploymentCompareDocument, PROD));
    const [newest, previous] = tenantEnvironment!.deployments.edges.map((e) => e.node);
    expect(newest!.compareWithCurrent).toMatchObject({ base: newest!.revision, head: head(t), counts: { files: 0, services: 0 }, files: [] });
    expect(previous!.compareWithCurrent.files.map((f) => f.path)).toEqual(['manifests/api-gateway.yaml', 'services/api-gateway/values.yaml']);
  });

  it('accepts a revision that does not touch this tenant-environment (an empty diff)', async () => {
    const globexOnly = git(t.repoDir, ['rev-list', '-1', 'main', '--', 'tenants/globex/production']);
    expect(git(t.repoDir, ['diff', '--name-only', `${globexOnly}^`, globexOnly, '--', teDir(PROD)])).toBe('');
    const diff = await compare(PROD, `${globexOnly}`, git(t.repoDir, ['rev-parse', `${globexOnly}^`]));
    expect(diff).toMatchObject({ files: [], services: [], environmentFields: [], counts: { files: 0, services: 0, bindings: 0, variables: 0 } });
    // A revision from before the tenant-environment existed is accepted too: everything is added.
    const beforeProd = git(t.repoDir, ['rev-list', '--max-parents=0', 'main']);
    const fromNothing = await withCurrent({ tenant: 'globex', environment: 'production' }, beforeProd);
    expect(fromNothing.files.every((f) => f.kind === 'ADDED')).toBe(true);
    expectMatchesGit(t, fromNothing, { tenant: 'globex', environment: 'production' });
  });

  it.each([
    ['an unknown full sha', 'deadbeef'.repeat(5)],
    ['an unknown short sha', 'abcdef1'],
    ['a malformed revision', 'not a revision!'],
    ['revision syntax', 'main~2'],
    ['an empty string', ''],
    ['a path', '../../etc/passwd'],
    ['a tree id', 'TREE'],
    ['a blob id', 'BLOB'],
  ])('refuses %s with REVISION_NOT_FOUND (400) and "revision not found"', async (_label, revision) => {
    const value =
      revision === 'TREE'
        ? git(t.repoDir, ['rev-parse', 'main^{tree}'])
        : revision === 'BLOB'
          ? git(t.repoDir, ['rev-parse', `main:${teDir(PROD)}/variables.yaml`])
          : revision;
    for (const result of [
      await t.gql('DEPLOYER', CompareWithCurrentDocument, { ...PROD, revision: value }),
      await t.gql('DEPLOYER', CompareRevisionsDocument, { ...PROD, base: history[1]!, head: value }),
    ]) {
      const error = failure(result);
      expect(error.extensions.code).toBe('REVISION_NOT_FOUND');
      expect(error.extensions.status).toBe(400);
      expect(error.message).toMatch(/revision not found/);
    }
  });

  it('counts services, bindings and variables that differ', async () => {
    const base = head(t);
    ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: {
          ...STAGING,
          services: [
            {
              service: 'checkout',
              replaceFiles: [{ file: 'bindings.yaml', content: 'kustomize:\n  base: bases/web-service\n  patches: []\nmanifests: []\n' }],
            },
          ],
          environmentFields: [
            { file: 'variables.yaml', path: 'REGION', value: 'eu-central-1' },
            { file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', value: '9000' },
          ],
        },
      }),
    );
    const diff = await withCurrent(STAGING, base);
    expectMatchesGit(t, diff, STAGING);
    expect(diff.counts).toMatchObject({ services: 2, bindings: 1, variables: 2 });
    expect(diff.environmentFields.map((f) => `${f.path} ${f.before} → ${f.after}`)).toEqual(['REGION eu-west-1 → eu-central-1']);
    const payments = diff.services.find((s) => s.service === 'payments')!;
    expect(payments.fields).toEqual([
      { file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', service: 'payments', kind: 'MODIFIED', before: '5000', after: '9000' },
    ]);
    const checkout = diff.services.find((s) => s.service === 'checkout')!;
    expect(checkout.fields.map((f) => [f.file, f.path, f.kind])).toEqual([['services/checkout/bindings.yaml', 'kustomize.patches', 'MODIFIED']]);
    // The global variable changed every ConfigMap: every manifest is listed, but only two services changed inputs.
    expect(diff.files.filter((f) => f.category === 'MANIFEST')).toHaveLength(4);
  });

  it('matches git for CRLF line ends, a missing final newline, deleted files and files that are not YAML', async () => {
    const base = head(t);
    const dir = teDir(STAGING);
    const values = fileAt(t, 'main', `${dir}/services/catalog/values.yaml`);
    pushWithGitCli(
      t,
      {
        [`${dir}/services/catalog/values.yaml`]: values.replace(/\n/g, '\r\n').replace('tag: v5.1.0', 'tag: v5.1.1'),
        [`${dir}/environment.yaml`]: fileAt(t, 'main', `${dir}/environment.yaml`).replace(/\n$/, ''),
        [`${dir}/services/catalog/bindings.yaml`]: null,
        [`${dir}/README.md`]: 'staging notes\n',
      },
      'edge cases',
    );
    const diff = await withCurrent(STAGING, base);
    expectMatchesGit(t, diff, STAGING);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(byPath['README.md']).toMatchObject({ kind: 'ADDED', category: 'OTHER', service: null, fields: [] });
    expect(byPath['services/catalog/bindings.yaml']).toMatchObject({ kind: 'REMOVED', category: 'BINDINGS' });
    expect(byPath['environment.yaml']!.fields).toEqual([]);
    expect(byPath['services/catalog/values.yaml']!.fields.map((f) => [f.path, f.before, f.after])).toEqual([['image.tag', 'v5.1.0', 'v5.1.1']]);
    const { tenantEnvironment } = ok(await t.gql('DEPLOYER', DeploymentCompareDocument, STAGING));
    expect(tenantEnvironment!.deployments.edges[0]!.node.compareWithCurrent.files).toEqual([]);
  });

  it('reports a YAML file that does not parse per file, without failing the query', async () => {
    const base = head(t);
    const broken = 'image:\n  repository: registry.acme.example.com/shop/payments\n  tag: [v1.5.0\nreplicas: 1\n';
    const sha = pushWithGitCli(t, { [`${teDir(STAGING)}/services/payments/values.yaml`]: broken }, 'hand edit gone wrong');
    const diff = await withCurrent(STAGING, base);
    expect(diff.head).toBe(sha);
    expectMatchesGit(t, diff, STAGING);
    const file = diff.files.find((f) => f.path === 'services/payments/values.yaml')!;
    expect(file.parseError).toMatch(/invalid YAML/);
    expect(file.parseError).toMatch(/values\.yaml/);
    expect(file.fields).toEqual([]);
    expect(file.unifiedDiff).toContain('+  tag: [v1.5.0');
    // The other direction, and history, cope as well.
    const back = await compare(STAGING, sha, base);
    expect(back.files.find((f) => f.path === 'services/payments/values.yaml')!.parseError).toMatch(/invalid YAML/);
    expect(fileAt(t, sha, `${teDir(STAGING)}/services/payments/values.yaml`)).toBe(broken);
  });
});
