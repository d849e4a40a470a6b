/** The per-repository cache of tenant-environment files: what it returns is what Git holds. */
import { describe, expect } from 'vitest';
import { forgetCachedFiles, readFiles, rememberFiles } from '../../src/domain/tenant-environment-files';
import { it } from '../kit/fixtures';
import { rollback, rollbackInput, setField, tag } from './fixture';

const REF = { project: 'shop', tenant: 'acme', environment: 'staging' };

describe('tenant-environment file cache', () => {
  it('returns, for commits just written, exactly what a cold read of Git returns', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), setField('checkout', 'replicas', 4)]);
    await fx.writeFiles('acme', 'staging', (files) => files.set('services/payments/values.yaml', 'image:\r\n  tag: "v1"\r\n# ünïcödé 🚀\r\n'));
    await rollback(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    const git = await fx.backend.repositories.forProject('shop');
    const revisions = (await git.log({ from: fx.head() })).map((c) => c.sha);

    const warm = await Promise.all(revisions.map((sha) => readFiles(git, sha, REF)));
    forgetCachedFiles();
    const cold = await Promise.all(revisions.map((sha) => readFiles(git, sha, REF)));
    expect(warm).toEqual(cold);
  });

  it('hands out copies: changing a returned map does not change the next read', async ({ fx }) => {
    const git = await fx.backend.repositories.forProject('shop');
    const head = fx.head();
    const first = await readFiles(git, head, REF);
    first.set('environment.yaml', 'tampered');
    first.delete('variables.yaml');
    const second = await readFiles(git, head, REF);
    expect(second.get('environment.yaml')).not.toBe('tampered');
    expect(second.has('variables.yaml')).toBe(true);
  });

  it('does not remember content that would not read back as the same string', async ({ fx }) => {
    const git = await fx.backend.repositories.forProject('shop');
    const head = fx.head();
    const files = await readFiles(git, head, REF);
    const lone = new Map(files).set('environment.yaml', 'name: \uD800\n');
    // Pretend `head` was just written with a lone surrogate: Git would hold U+FFFD instead, so it is not cached.
    forgetCachedFiles();
    rememberFiles(git, head, REF, lone, ['environment.yaml']);
    expect((await readFiles(git, head, REF)).get('environment.yaml')).toBe(files.get('environment.yaml'));
  });
});
