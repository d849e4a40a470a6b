/**
 * Each rollback mode's exact Git effect (the README's "Modes and their exact Git effect"), read back from the bare repository with the
 * git CLI: FULL restores the directory byte for byte, SERVICE touches one service, FIELD one value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { parseYaml, readField } from '../../src/yaml';
import { previewRollback } from '../../src/domain/rollback/preview';
import { withRegeneratedManifests, servicesIn } from '../../src/domain/tenant-environment-files';
import { git } from '../kit/git-cli';
import { it } from '../kit/fixtures';
import {
  changedPaths,
  changedWindow,
  dirOf,
  domainError,
  execute,
  expectOnlyValueReplaced,
  rollback,
  rollbackInput,
  setField,
  show,
  showBuffer,
  tag,
  treeEntries,
  type Fixture,
} from './fixture';

const DIR = dirOf('acme', 'staging');

/** The tenant-environment's files at a revision, read with the git CLI (relative paths). */
function filesAt(fx: Fixture, revision: string, dir = DIR): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of treeEntries(fx.repoDir, revision, dir).keys()) files.set(path.slice(dir.length + 1), show(fx.repoDir, revision, path));
  return files;
}

/** Asserts every manifest of `services` at `revision` is what the delivery generator makes of that revision's inputs. */
function expectManifestsGenerated(fx: Fixture, revision: string, services: string[]): void {
  const files = filesAt(fx, revision);
  const regenerated = withRegeneratedManifests(files, services, { project: 'shop', tenant: 'acme', environment: 'staging' });
  for (const service of services) {
    expect(files.get(`manifests/${service}.yaml`), `manifests/${service}.yaml at the rollback commit`).toBe(regenerated.get(`manifests/${service}.yaml`));
  }
}

/** A history with image tags, replicas, global and service-scoped variables, an added and a removed service. */
async function buildHistory(fx: Fixture) {
  const t0 = fx.head();
  const t1 = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.9')]);
  await fx.release('acme', 'staging', [setField('checkout', 'replicas', 2)], [
    { file: 'variables.yaml', path: 'services.checkout.TIMEOUT_MS', value: '4000' },
  ]);
  await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' }]);
  await fx.release(
    'acme',
    'staging',
    [
      { service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v2.1.0' }, { file: 'bindings.yaml', path: 'kustomize.base', value: 'bases/edge-service' }] },
    ],
    [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }],
  );
  await fx.writeFiles('acme', 'staging', (files) => {
    files.set('services/search/values.yaml', 'image:\n  repository: registry.acme.example.com/shop/search\n  tag: v0.1.0\nreplicas: 1\n');
    files.set('services/search/bindings.yaml', 'manifests: []\n');
    files.delete('services/catalog/values.yaml');
    files.delete('services/catalog/bindings.yaml');
    files.set('README.md', '# acme staging\n');
  });
  // Other tenant-environments move too; no rollback of acme/staging may touch them.
  await fx.release('globex', 'staging', [tag('search', 'v0.9.4')]);
  await fx.release('acme', 'production', [tag('api-gateway', 'v2.2.0')]);
  return { t0, t1 };
}

describe('FULL rollback', () => {
  it('makes the tenant-environment directory byte-identical to the target, manifests included', async ({ fx }) => {
    const { t1 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t1 }));

    expect(git(fx.repoDir, ['diff', t1, sha, '--', DIR])).toBe('');
    expect(treeEntries(fx.repoDir, sha, DIR)).toEqual(treeEntries(fx.repoDir, t1, DIR));
    expect(git(fx.repoDir, ['rev-parse', `${sha}^`])).toBe(before);
    expect(git(fx.repoDir, ['rev-list', '--count', `${before}..${sha}`])).toBe('1');
  });

  it('reuses the target\'s tree: the directory becomes the target\'s very tree, file modes included, in one tree entry', async ({ fx }) => {
    await buildHistory(fx);
    // An executable hook at the target that is a plain file with other content now: rewriting files would keep today's mode.
    const script = `${DIR}/hooks/check.sh`;
    const withHook = await fx.cliCommit([{ path: script, content: '#!/bin/sh\nexit 0\n' }]);
    const index = { GIT_INDEX_FILE: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'index-')), 'index') };
    git(fx.repoDir, ['read-tree', withHook], { env: index });
    git(fx.repoDir, ['update-index', '--index-info'], { env: index, input: `100755 ${git(fx.repoDir, ['rev-parse', `${withHook}:${script}`])}\t${script}\n` });
    const target = git(fx.repoDir, ['commit-tree', git(fx.repoDir, ['write-tree'], { env: index }), '-p', withHook, '-m', 'executable hook'], { env: index });
    git(fx.repoDir, ['update-ref', 'refs/heads/main', target, withHook]);
    await fx.cliCommit([{ path: script, content: '#!/bin/sh\nexit 1\n' }]);
    await fx.release('acme', 'staging', [tag('api-gateway', 'v9.9.9')]);

    const preview = await previewRollback(fx.backend, fx.deployer, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: target }));
    const treeId = git(fx.repoDir, ['rev-parse', `${target}:${DIR}`]);
    expect(preview.write.changes).toEqual([{ path: DIR, treeId }]);
    const { sha } = await execute(fx, preview);

    expect(git(fx.repoDir, ['rev-parse', `${sha}:${DIR}`])).toBe(treeId);
    expect(git(fx.repoDir, ['ls-tree', `${sha}:${DIR}/hooks`])).toMatch(/^100755 blob /);
    git(fx.repoDir, ['fsck', '--strict', '--no-dangling']);
  });

  it('removes files added since the target and brings back files removed since', async ({ fx }) => {
    const { t1 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t1 }));
    const paths = [...treeEntries(fx.repoDir, sha, DIR).keys()];

    expect(paths).not.toContain(`${DIR}/services/search/values.yaml`);
    expect(paths).not.toContain(`${DIR}/manifests/search.yaml`);
    expect(paths).not.toContain(`${DIR}/README.md`);
    expect(paths).toContain(`${DIR}/services/catalog/values.yaml`);
    expect(paths).toContain(`${DIR}/manifests/catalog.yaml`);
    expect(show(fx.repoDir, sha, `${DIR}/services/catalog/values.yaml`)).toBe(show(fx.repoDir, t1, `${DIR}/services/catalog/values.yaml`));
    expect(git(fx.repoDir, ['diff', '--name-status', before, sha, '--', `${DIR}/services/search`]).split('\n').every((l) => l.startsWith('D'))).toBe(true);
  });

  it('leaves every other tenant-environment (and the rest of the repository) untouched', async ({ fx }) => {
    const { t1 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t1 }));

    expect(changedPaths(fx.repoDir, before, sha).every((path) => path.startsWith(`${DIR}/`))).toBe(true);
    for (const other of [dirOf('acme', 'production'), dirOf('globex', 'staging')]) {
      expect(treeEntries(fx.repoDir, sha, other)).toEqual(treeEntries(fx.repoDir, before, other));
    }
  });

  it('restores the target even when the target\'s manifests are stale (byte for byte, not regenerated)', async ({ fx }) => {
    // A manifest committed by another tool that the generator would not produce.
    const stale = await fx.cliCommit([{ path: `${DIR}/manifests/payments.yaml`, content: '# hand-written\nkind: Deployment\n' }]);
    await fx.release('acme', 'staging', [tag('payments', 'v9.9.9')]);
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: stale }));
    expect(git(fx.repoDir, ['diff', stale, sha, '--', DIR])).toBe('');
  });
  it('restores files that are not UTF-8 (a Latin-1 YAML file, an image) byte for byte', async ({ fx }) => {
    const latin1 = Buffer.from('# Verantwortlich: M\xfcller\nowner: team-m\xfcller\n', 'latin1');
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);
    const target = await fx.cliCommit([
      { path: `${DIR}/owners.yaml`, content: latin1 },
      { path: `${DIR}/services/payments/logo.png`, content: image },
    ]);
    await fx.cliCommit([
      { path: `${DIR}/owners.yaml`, content: 'owner: platform\n' },
      { path: `${DIR}/services/payments/logo.png`, content: Buffer.from([1, 2, 3]) },
    ]);
    await fx.release('acme', 'staging', [tag('payments', 'v9.0.0')]);

    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: target }));
    expect(git(fx.repoDir, ['diff', '--stat', target, sha, '--', DIR])).toBe('');
    expect(showBuffer(fx.repoDir, sha, `${DIR}/owners.yaml`).equals(latin1)).toBe(true);
  });
});

describe('SERVICE rollback', () => {
  it('changes only the service\'s files, its manifest and its services.<svc> variables; every other file is byte-identical', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));

    expect(changedPaths(fx.repoDir, before, sha)).toEqual([
      `${DIR}/manifests/api-gateway.yaml`,
      `${DIR}/services/api-gateway/bindings.yaml`,
      `${DIR}/services/api-gateway/values.yaml`,
      `${DIR}/variables.yaml`,
    ]);
    const afterEntries = treeEntries(fx.repoDir, sha);
    for (const [path, blob] of treeEntries(fx.repoDir, before)) {
      if (path.startsWith(`${DIR}/services/api-gateway/`) || path === `${DIR}/manifests/api-gateway.yaml` || path === `${DIR}/variables.yaml`) continue;
      expect(afterEntries.get(path), path).toBe(blob);
    }
    for (const file of ['values.yaml', 'bindings.yaml']) {
      const path = `${DIR}/services/api-gateway/${file}`;
      expect(show(fx.repoDir, sha, path)).toBe(show(fx.repoDir, t0, path));
    }
    expectManifestsGenerated(fx, sha, ['api-gateway']);
    expect(show(fx.repoDir, sha, `${DIR}/manifests/api-gateway.yaml`)).toContain('image: registry.acme.example.com/shop/api-gateway:v2.0.8');
  });

  it('replaces only the services.<svc> key of variables.yaml; the other keys stay byte-identical', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    const was = show(fx.repoDir, before, `${DIR}/variables.yaml`);
    const now = show(fx.repoDir, sha, `${DIR}/variables.yaml`);
    const target = show(fx.repoDir, t0, `${DIR}/variables.yaml`);

    expectOnlyValueReplaced(was, now, ['services', 'api-gateway'], readField(target, 'services.api-gateway').found ? (readField(target, 'services.api-gateway') as { raw: string }).raw : '');
    // LOG_FORMAT (global) and services.checkout keep their head values.
    expect((parseYaml(now) as Record<string, unknown>).LOG_FORMAT).toBe('text');
    expect(readField(now, 'services.checkout')).toEqual(readField(was, 'services.checkout'));
  });

  it('brings back a service removed since the target, with its manifest', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'catalog', targetRevision: t0 }));

    expect(changedPaths(fx.repoDir, before, sha)).toEqual([
      `${DIR}/manifests/catalog.yaml`,
      `${DIR}/services/catalog/bindings.yaml`,
      `${DIR}/services/catalog/values.yaml`,
    ]);
    expect(show(fx.repoDir, sha, `${DIR}/services/catalog/values.yaml`)).toBe(show(fx.repoDir, t0, `${DIR}/services/catalog/values.yaml`));
    expectManifestsGenerated(fx, sha, ['catalog']);
  });

  it('removes a service added since the target, with its manifest', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'search', targetRevision: t0 }));

    expect(changedPaths(fx.repoDir, before, sha)).toEqual([
      `${DIR}/manifests/search.yaml`,
      `${DIR}/services/search/bindings.yaml`,
      `${DIR}/services/search/values.yaml`,
    ]);
    expect(servicesIn(filesAt(fx, sha))).not.toContain('search');
  });

  it('regenerates the service\'s manifest (never deletes it) when only its values differ', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [setField('checkout', 'replicas', 7)]);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'checkout', targetRevision: t0 }));
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([`${DIR}/manifests/checkout.yaml`, `${DIR}/services/checkout/values.yaml`]);
    expect(show(fx.repoDir, sha, `${DIR}/manifests/checkout.yaml`)).toBe(show(fx.repoDir, t0, `${DIR}/manifests/checkout.yaml`));
  });

  it('restores a service\'s non-UTF-8 files byte for byte and leaves those of other services alone', async ({ fx }) => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    const target = await fx.cliCommit([
      { path: `${DIR}/services/payments/notes.txt`, content: latin1('Zust\xe4ndig: Zahlungsteam\n') },
      { path: `${DIR}/services/checkout/notes.txt`, content: latin1('Zust\xe4ndig: Kasse\n') },
    ]);
    await fx.cliCommit([{ path: `${DIR}/services/payments/notes.txt`, content: latin1('Zust\xe4ndig: niemand\n') }]);
    await fx.release('acme', 'staging', [tag('payments', 'v9.0.0')]);
    const before = fx.head();

    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'payments', targetRevision: target }));
    expect(showBuffer(fx.repoDir, sha, `${DIR}/services/payments/notes.txt`).equals(latin1('Zust\xe4ndig: Zahlungsteam\n'))).toBe(true);
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([
      `${DIR}/manifests/payments.yaml`,
      `${DIR}/services/payments/notes.txt`,
      `${DIR}/services/payments/values.yaml`,
    ]);
  });

  it('reports nothing to roll back for a service that did not change since the target (and never deletes its manifest)', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.9')]);
    const before = fx.head();
    const error = await domainError(rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'payments', targetRevision: t0 })));
    expect(error.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(fx.head()).toBe(before);
  });

  it('leaves other services\' manifests byte-identical even when they are stale and variables.yaml changes', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }]);
    // Another tool wrote checkout's manifest by hand (e.g. an older generator); a rollback of api-gateway must not rewrite it.
    await fx.cliCommit([{ path: `${DIR}/manifests/checkout.yaml`, content: '# generated by generator v0\nkind: Deployment\n' }]);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([`${DIR}/manifests/api-gateway.yaml`, `${DIR}/variables.yaml`]);
  });
});

describe('FIELD rollback', () => {
  it('changes only the selected value; every other byte of the file is identical', async ({ fx }) => {
    const { t1 } = await buildHistory(fx);
    // A comment-heavy values.yaml edit after the target that must survive the rollback.
    await fx.release('acme', 'staging', [setField('api-gateway', 'replicas', 4)]);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t1, fields: [{ file: 'values.yaml', path: 'image.tag' }] }));
    const path = `${DIR}/services/api-gateway/values.yaml`;

    expect(changedPaths(fx.repoDir, before, sha)).toEqual([`${DIR}/manifests/api-gateway.yaml`, path]);
    expectOnlyValueReplaced(show(fx.repoDir, before, path), show(fx.repoDir, sha, path), ['image', 'tag'], 'v2.0.9');
    expect(show(fx.repoDir, sha, path)).toContain('replicas: 4  # scaled by the platform team');
    expectManifestsGenerated(fx, sha, ['api-gateway']);
    expect(show(fx.repoDir, sha, `${DIR}/manifests/api-gateway.yaml`)).toContain(':v2.0.9');
  });

  it('keeps the file\'s comments, quoting, blank lines and key order', async ({ fx }) => {
    const target = await fx.writeFiles('acme', 'staging', (files) => {
      files.set(
        'services/payments/values.yaml',
        [
          '# payments — PCI scope, talk to #payments before editing',
          'image:',
          "  repository: 'registry.acme.example.com/shop/payments'   # single-quoted on purpose",
          '  tag: "v1.4.2"',
          '',
          '',
          'replicas: 3',
          'env: {LOG_LEVEL: info, REGION: "eu-west-1"}',
          'zeta: last',
          'alpha: first',
          '',
        ].join('\n'),
      );
    });
    await fx.release('acme', 'staging', [{ service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.5.0' }, { file: 'values.yaml', path: 'env.LOG_LEVEL', value: 'debug' }] }]);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'env.LOG_LEVEL' }] }));
    const path = `${DIR}/services/payments/values.yaml`;
    const now = show(fx.repoDir, sha, path);

    expectOnlyValueReplaced(show(fx.repoDir, before, path), now, ['env', 'LOG_LEVEL'], 'info');
    expect(now).toContain('  tag: "v1.5.0"');
    expect(now).toContain("'registry.acme.example.com/shop/payments'   # single-quoted on purpose");
    expect(now).toContain('"v1.5.0"\n\n\nreplicas: 3\nenv: {LOG_LEVEL: info, REGION: "eu-west-1"}\nzeta: last\nalpha: first\n');
  });

  it('rolls back a service-scoped variable (variables.yaml, path relative to services.<svc>) and nothing else', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'variables.yaml', path: 'TIMEOUT_MS' }] }));

    expect(changedPaths(fx.repoDir, before, sha)).toEqual([`${DIR}/manifests/api-gateway.yaml`, `${DIR}/variables.yaml`]);
    expectOnlyValueReplaced(show(fx.repoDir, before, `${DIR}/variables.yaml`), show(fx.repoDir, sha, `${DIR}/variables.yaml`), ['services', 'api-gateway', 'TIMEOUT_MS'], '"3000"');
    expectManifestsGenerated(fx, sha, ['api-gateway']);
    expect(show(fx.repoDir, sha, `${DIR}/manifests/api-gateway.yaml`)).toContain('TIMEOUT_MS: "3000"');
  });

  it('inserts a field that is absent at head but present at the target', async ({ fx }) => {
    const target = await fx.release('acme', 'staging', [setField('checkout', 'env.FEATURE_CHECKOUT_V2', 'true')]);
    const withoutEnv = await fx.writeFiles('acme', 'staging', (files) => {
      const values = files.get('services/checkout/values.yaml')!;
      files.set('services/checkout/values.yaml', values.replace('  FEATURE_CHECKOUT_V2: "true"\n', ''));
    });
    const path = `${DIR}/services/checkout/values.yaml`;
    expect(readField(show(fx.repoDir, withoutEnv, path), 'env.FEATURE_CHECKOUT_V2').found).toBe(false);

    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'checkout', targetRevision: target, fields: [{ file: 'values.yaml', path: 'env.FEATURE_CHECKOUT_V2' }] }));
    const was = show(fx.repoDir, withoutEnv, path);
    const now = show(fx.repoDir, sha, path);
    const window = changedWindow(was, now);
    expect(window.removed).toBe('');
    expect(window.added).toContain('FEATURE_CHECKOUT_V2: "true"');
    expect((parseYaml(now) as { env: Record<string, unknown> }).env).toEqual({ LOG_LEVEL: 'info', FEATURE_CHECKOUT_V2: 'true' });
    expect(changedPaths(fx.repoDir, withoutEnv, sha)).toEqual([`${DIR}/manifests/checkout.yaml`, path]);
  });

  it('deletes a field that is present at head but absent at the target', async ({ fx }) => {
    const target = fx.head();
    await fx.writeFiles('acme', 'staging', (files) => {
      const values = files.get('services/payments/values.yaml')!;
      files.set('services/payments/values.yaml', values.replace('  pullPolicy: IfNotPresent\n', '  pullPolicy: IfNotPresent\n  digest: sha256:0123456789abcdef  # pinned during the incident\n'));
    });
    const before = fx.head();
    const path = `${DIR}/services/payments/values.yaml`;
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.digest' }] }));
    const window = changedWindow(show(fx.repoDir, before, path), show(fx.repoDir, sha, path));
    expect(window.added).toBe('');
    expect(window.removed).toContain('digest: sha256:0123456789abcdef');
    expect(show(fx.repoDir, sha, path)).toBe(show(fx.repoDir, target, path));
  });

  it('rolls back a whole block value (a mapping) to the target\'s text', async ({ fx }) => {
    const target = fx.head();
    await fx.release('acme', 'staging', [
      { service: 'payments', setFields: [{ file: 'values.yaml', path: 'resources.limits.cpu', value: '4' }, { file: 'values.yaml', path: 'resources.limits.memory', value: '2Gi' }] },
    ]);
    const before = fx.head();
    const path = `${DIR}/services/payments/values.yaml`;
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'resources.limits' }] }));
    expect(show(fx.repoDir, sha, path)).toBe(show(fx.repoDir, target, path));
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([`${DIR}/manifests/payments.yaml`, path]);
  });

  it('writes the target\'s value when the target\'s text is an alias whose anchor now means something else', async ({ fx }) => {
    const withAlias = (anchor: string, tag: string) =>
      `defaults:\n  tag: &tag ${anchor}  # the fleet-wide tag\nimage:\n  repository: registry.acme.example.com/shop/payments\n  tag: ${tag}\nreplicas: 2\n`;
    const target = await fx.writeFiles('acme', 'staging', (files) => files.set('services/payments/values.yaml', withAlias('v1.0.0', '*tag')));
    await fx.writeFiles('acme', 'staging', (files) => files.set('services/payments/values.yaml', withAlias('v2.0.0', 'v3.0.0-bad')));
    const before = fx.head();
    const path = `${DIR}/services/payments/values.yaml`;
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] }));
    const now = show(fx.repoDir, sha, path);

    expect(readField(now, 'image.tag')).toMatchObject({ found: true, value: 'v1.0.0' });
    expect(readField(now, 'defaults.tag')).toMatchObject({ found: true, value: 'v2.0.0' });
    expectOnlyValueReplaced(show(fx.repoDir, before, path), now, ['image', 'tag'], 'v1.0.0');
  });

  it('regenerates every service\'s manifest when a variables.yaml field of one service is aliased by a global key', async ({ fx }) => {
    const aliased = (timeout: string) =>
      `services:\n  api-gateway:\n    TIMEOUT_MS: &timeout "${timeout}"\n  checkout: {}\n  payments: {}\n  catalog: {}\nDEFAULT_TIMEOUT_MS: *timeout\n`;
    const target = await fx.writeFiles('acme', 'staging', (files) => files.set('variables.yaml', aliased('1500')));
    await fx.writeFiles('acme', 'staging', (files) => files.set('variables.yaml', aliased('3000')));
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: target, fields: [{ file: 'variables.yaml', path: 'TIMEOUT_MS' }] }));
    const services = servicesIn(filesAt(fx, sha));
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([...services.map((service) => `${DIR}/manifests/${service}.yaml`), `${DIR}/variables.yaml`]);
    expectManifestsGenerated(fx, sha, services);
  });

  it('leaves a field alone whose value already equals the target\'s, however it is spelled', async ({ fx }) => {
    const target = fx.head();
    await fx.writeFiles('acme', 'staging', (files) => {
      files.set('services/payments/values.yaml', files.get('services/payments/values.yaml')!.replace('tag: v1.4.2', "tag: 'v1.4.2'"));
    });
    await fx.release('acme', 'staging', [setField('payments', 'replicas', 5)]);
    const before = fx.head();
    const error = await domainError(
      rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] })),
    );
    expect(error.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(fx.head()).toBe(before);
  });

  it('refuses to patch a file that is not UTF-8 rather than rewrite its other bytes', async ({ fx }) => {
    const path = `${DIR}/services/payments/values.yaml`;
    const latin1 = (tagValue: string) => Buffer.from(`# Verantwortlich: M\xfcller\nimage:\n  tag: ${tagValue}\n`, 'latin1');
    const target = await fx.cliCommit([{ path, content: latin1('v1') }]);
    const head = await fx.cliCommit([{ path, content: latin1('v2') }]);
    const error = await domainError(
      rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'payments', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] })),
    );
    expect(error.code).toBe('FILE_NOT_UTF8');
    expect(error.status).toBe(400);
    expect(fx.head()).toBe(head);
  });

  it('rolls back several fields across values.yaml, bindings.yaml and variables.yaml in one commit, manifest regenerated', async ({ fx }) => {
    const { t0 } = await buildHistory(fx);
    const before = fx.head();
    const sha = await rollback(fx, rollbackInput('acme', 'staging', {
      mode: 'FIELD',
      service: 'api-gateway',
      targetRevision: t0,
      fields: [
        { file: 'values.yaml', path: 'image.tag' },
        { file: 'bindings.yaml', path: 'kustomize.base' },
        { file: 'variables.yaml', path: 'TIMEOUT_MS' },
      ],
    }));
    expect(git(fx.repoDir, ['rev-list', '--count', `${before}..${sha}`])).toBe('1');
    expect(changedPaths(fx.repoDir, before, sha)).toEqual([
      `${DIR}/manifests/api-gateway.yaml`,
      `${DIR}/services/api-gateway/bindings.yaml`,
      `${DIR}/services/api-gateway/values.yaml`,
      `${DIR}/variables.yaml`,
    ]);
    expectOnlyValueReplaced(show(fx.repoDir, before, `${DIR}/services/api-gateway/bindings.yaml`), show(fx.repoDir, sha, `${DIR}/services/api-gateway/bindings.yaml`), ['kustomize', 'base'], 'bases/web-service');
    expectManifestsGenerated(fx, sha, ['api-gateway']);
    const manifest = show(fx.repoDir, sha, `${DIR}/manifests/api-gateway.yaml`);
    expect(manifest).toContain(':v2.0.8');
    expect(manifest).toContain('backtrack.dev/kustomize-base: bases/web-service');
    expect(manifest).toContain('TIMEOUT_MS: "3000"');
  });
});
