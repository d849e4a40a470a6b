/**
 * Concurrency: execution re-plans on the head it finds under the writer lock; a change in the
 * rollback's scope since the preview is a conflict (nothing written), a change elsewhere is not,
 * and racing writers — in this process, in another process, or the git CLI — never both write
 * against the same base.
 */
import { describe, expect } from 'vitest';
import type { Backend } from '../../src/domain/ports';
import { previewRollback, type RollbackInput } from '../../src/domain/rollback/preview';
import { executeRollback } from '../../src/domain/rollback/execute';
import { commitWithGitCli, RepositoryRegistry, type GitStore } from '../../src/git';
import { openBackend } from '../../src/server/backend';
import { git } from '../kit/git-cli';
import { it } from '../kit/fixtures';
import { changedPaths, dirOf, domainError, execute, rollbackInput, setField, show, tag, DEPLOYER_EMAIL, type Fixture } from './fixture';

const DIR = dirOf('acme', 'staging');
const VALUES = `${DIR}/services/api-gateway/values.yaml`;

const preview = (fx: Fixture, input: RollbackInput, backend: Backend = fx.backend) => previewRollback(backend, fx.deployer, input);
const fieldInput = (target: string) =>
  rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] });

function parentOf(fx: Fixture, sha: string): string {
  return git(fx.repoDir, ['rev-parse', `${sha}^`]);
}

describe('a change landing after the preview', () => {
  it('in the same field: execution fails with ROLLBACK_CONFLICT and nothing is written', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, fieldInput(t0));
    const moved = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.1')]);

    const error = await domainError(execute(fx, p));
    expect(error.code).toBe('ROLLBACK_CONFLICT');
    expect(error.status).toBe(409);
    expect(fx.head()).toBe(moved);
    expect(show(fx.repoDir, 'main', VALUES)).toContain('tag: v2.1.1');
  });

  it('in a file of a SERVICE rollback\'s service: conflict, nothing written', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    const moved = await fx.release('acme', 'staging', [{ service: 'api-gateway', setFields: [{ file: 'bindings.yaml', path: 'kustomize.base', value: 'bases/edge' }] }]);

    expect((await domainError(execute(fx, p))).code).toBe('ROLLBACK_CONFLICT');
    expect(fx.head()).toBe(moved);
  });

  it('in the service-scoped variables of a SERVICE rollback\'s service: conflict, nothing written', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    const moved = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '100' }]);

    expect((await domainError(execute(fx, p))).code).toBe('ROLLBACK_CONFLICT');
    expect(fx.head()).toBe(moved);
  });

  it('anywhere in the tenant-environment of a FULL rollback: conflict, nothing written', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));
    const moved = await fx.release('acme', 'staging', [tag('payments', 'v1.5.0')]);

    expect((await domainError(execute(fx, p))).code).toBe('ROLLBACK_CONFLICT');
    expect(fx.head()).toBe(moved);
  });

  it('in another tenant-environment: execution succeeds on the new head', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    for (const mode of ['FULL', 'SERVICE', 'FIELD'] as const) {
      await fx.release('acme', 'staging', [tag('api-gateway', `v2.1.${mode.length}`)]);
      const p = await preview(fx, { ...fieldInput(t0), mode });
      const moved = await fx.release('acme', 'production', [tag('api-gateway', `v3.${mode.length}`)]);

      const { sha } = await execute(fx, p);
      expect(fx.head()).toBe(sha);
      expect(parentOf(fx, sha)).toBe(moved);
      expect(show(fx.repoDir, sha, VALUES)).toContain('tag: v2.0.8');
      expect(show(fx.repoDir, sha, `${dirOf('acme', 'production')}/services/api-gateway/values.yaml`)).toContain(`tag: v3.${mode.length}`);
    }
  });

  it('in another service of the same tenant-environment (SERVICE and FIELD): succeeds on the new head', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    for (const mode of ['SERVICE', 'FIELD'] as const) {
      await fx.release('acme', 'staging', [tag('api-gateway', `v2.1.${mode.length}`)]);
      const p = await preview(fx, { ...fieldInput(t0), mode });
      const moved = await fx.release('acme', 'staging', [tag('payments', `v1.${mode.length}`)]);
      const { sha } = await execute(fx, p);
      expect(parentOf(fx, sha)).toBe(moved);
      expect(changedPaths(fx.repoDir, moved, sha)).toEqual([`${DIR}/manifests/api-gateway.yaml`, VALUES]);
    }
  });

  it('in another field of the same file (FIELD): succeeds and keeps that change', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, fieldInput(t0));
    // replicas sits three lines below image.tag: inside the text diff's context, outside the planned change.
    const moved = await fx.release('acme', 'staging', [setField('api-gateway', 'replicas', 9)]);

    const { sha } = await execute(fx, p);
    expect(parentOf(fx, sha)).toBe(moved);
    const values = show(fx.repoDir, sha, VALUES);
    expect(values).toContain('tag: v2.0.8');
    expect(values).toContain('replicas: 9  # scaled by the platform team');
  });
});

describe('racing executions', () => {
  it('two executions of the same rollback (Promise.all): exactly one commit; the other finds nothing to roll back', async ({ fx }) => {
    const t0 = fx.head();
    const base = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, fieldInput(t0));

    const results = await Promise.allSettled([execute(fx, p, { requestId: 'rbk-a' }), execute(fx, p, { requestId: 'rbk-b' })]);
    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(succeeded).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(['NOTHING_TO_ROLL_BACK', 'ROLLBACK_CONFLICT']).toContain((failed[0]!.reason as { code: string }).code);
    expect(git(fx.repoDir, ['rev-list', '--count', `${base}..main`])).toBe('1');
  });

  it('two different rollbacks of the same tenant-environment never write against the same base', async ({ fx }) => {
    const t0 = fx.head();
    const base = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), tag('payments', 'v1.5.0')]);
    const a = await preview(fx, fieldInput(t0));
    const b = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'payments', targetRevision: t0 }));

    const [ra, rb] = await Promise.all([execute(fx, a), execute(fx, b)]);
    expect(git(fx.repoDir, ['rev-list', '--count', `${base}..main`])).toBe('2');
    expect(new Set([parentOf(fx, ra.sha), parentOf(fx, rb.sha)]).size).toBe(2);
    expect(show(fx.repoDir, 'main', VALUES)).toContain('tag: v2.0.8');
    expect(show(fx.repoDir, 'main', `${DIR}/services/payments/values.yaml`)).toContain('tag: v1.4.2');
  });

  it('two server processes (separate writer locks, same repository) executing at once: compare-and-swap keeps both or refuses one', async ({ fx }) => {
    const t0 = fx.head();
    const base = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), tag('payments', 'v1.5.0')]);
    const other = openBackend(fx.t.config);
    try {
      const a = await preview(fx, fieldInput(t0));
      const b = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'payments', targetRevision: t0 }), other.backend);
      const settled = await Promise.allSettled([
        execute(fx, a),
        executeRollback(other.backend, {
          tenantEnvironment: b.tenantEnvironment,
          scope: b.scope,
          targetSha: b.targetRevision,
          expectedPreviewHash: b.previewHash,
          requestId: 'rbk-other',
          justification: 'other process',
          author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
          approval: 'Not required by the environment policy',
        }),
      ]);
      const shas = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.sha] : []));
      for (const r of settled) if (r.status === 'rejected') expect((r.reason as { status?: number }).status, String((r.reason as Error).stack)).toBe(409);
      // Every successful rollback is on main (none overwritten), each on its own base.
      for (const sha of shas) expect(git(fx.repoDir, ['merge-base', '--is-ancestor', sha, 'main']) === '').toBe(true);
      expect(new Set(shas.map((sha) => parentOf(fx, sha))).size).toBe(shas.length);
      expect(Number(git(fx.repoDir, ['rev-list', '--count', `${base}..main`]))).toBe(shas.length);
    } finally {
      await other.database.close();
    }
  });
});

/** A backend whose repository moves main with the git CLI after Backtrack read head, right before it writes and swaps (once). */
function backendWithInterloper(fx: Fixture, backend: Backend, change: (head: string) => Promise<string>): { backend: Backend; moved: () => string | null } {
  let moved: string | null = null;
  const registry = new RepositoryRegistry(fx.t.config.repositoriesDir);
  const forProject = async (slug: string): Promise<GitStore> => {
    const store = (await backend.repositories.forProject(slug)) as GitStore;
    return new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'commitToBranch') {
          return async (options: Parameters<GitStore['commitToBranch']>[0]) => {
            if (moved === null) moved = await change(options.expectedHead!);
            return target.commitToBranch(options);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  registry.forProject = forProject;
  return { backend: { ...backend, repositories: registry }, moved: () => moved };
}

describe('main moved by the git CLI between read and update', () => {
  it('in the rollback\'s scope: conflict, the CLI commit is not overwritten', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, fieldInput(t0));
    const values = show(fx.repoDir, 'main', VALUES);
    const interloper = backendWithInterloper(fx, fx.backend, (head) =>
      commitWithGitCli(fx.repoDir, head, [{ path: VALUES, content: values.replace('tag: v2.1.0', 'tag: v2.1.9') }], 'hotfix by hand', { name: 'CLI', email: 'cli@example.com' }),
    );

    const error = await domainError(
      executeRollback(interloper.backend, {
        tenantEnvironment: p.tenantEnvironment,
        scope: p.scope,
        targetSha: p.targetRevision,
        expectedPreviewHash: p.previewHash,
        requestId: 'rbk-cli',
        justification: 'race with the CLI',
        author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
        approval: 'Not required by the environment policy',
      }),
    );
    expect(error.code).toBe('ROLLBACK_CONFLICT');
    expect(interloper.moved()).not.toBeNull();
    expect(fx.head()).toBe(interloper.moved());
    expect(show(fx.repoDir, 'main', VALUES)).toContain('tag: v2.1.9');
  });

  it('elsewhere: the CLI commit is kept and the rollback lands on top of it', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, fieldInput(t0));
    const elsewhere = `${dirOf('globex', 'staging')}/README.md`;
    const interloper = backendWithInterloper(fx, fx.backend, (head) =>
      commitWithGitCli(fx.repoDir, head, [{ path: elsewhere, content: 'notes\n' }], 'notes by hand', { name: 'CLI', email: 'cli@example.com' }),
    );

    const { sha } = await executeRollback(interloper.backend, {
      tenantEnvironment: p.tenantEnvironment,
      scope: p.scope,
      targetSha: p.targetRevision,
      expectedPreviewHash: p.previewHash,
      requestId: 'rbk-cli',
      justification: 'race with the CLI',
      author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
      approval: 'Not required by the environment policy',
    });
    expect(interloper.moved()).not.toBeNull();
    expect(parentOf(fx, sha)).toBe(interloper.moved());
    expect(show(fx.repoDir, 'main', elsewhere)).toBe('notes\n');
    expect(show(fx.repoDir, 'main', VALUES)).toContain('tag: v2.0.8');
  });
});
