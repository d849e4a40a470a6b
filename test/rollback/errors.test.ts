/** Errors: each with a stable code and the spec's message, and nothing written on any of them. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestRollback } from '../../src/domain/requests/rollback-requests';
import { previewRollback, type RollbackInput } from '../../src/domain/rollback/preview';
import { normalizeScope } from '../../src/domain/rollback/plan';
import { forgetCachedFiles } from '../../src/domain/tenant-environment-files';
import { git } from '../kit/git-cli';
import { commitCount, createFixture, deploymentRows, domainError, execute, rollbackInput, tag, type Fixture } from './fixture';

let fx: Fixture;
let t0: string;
let head: string;
beforeEach(async () => {
  fx = await createFixture();
  t0 = fx.head();
  head = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
});
afterEach(() => fx.close());

/** Runs the rollback both ways (preview alone, and a request that would execute at once) and checks nothing was written. */
async function expectRefused(input: RollbackInput, code: string, message?: string | RegExp) {
  const context = await fx.tenantEnvironment(input.tenant, input.environment);
  const deploymentsBefore = (await deploymentRows(fx, context.id)).length;
  const commitsBefore = commitCount(fx.repoDir);
  const refs = git(fx.repoDir, ['for-each-ref']);
  for (const attempt of [
    () => previewRollback(fx.backend, fx.deployer, input),
    () => requestRollback(fx.backend, fx.deployer, { ...input, justification: 'incident' }),
  ]) {
    const error = await domainError(attempt());
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else if (message) expect(error.message).toMatch(message);
  }
  expect(fx.head()).toBe(head);
  expect(commitCount(fx.repoDir)).toBe(commitsBefore);
  expect(git(fx.repoDir, ['for-each-ref'])).toBe(refs);
  expect((await deploymentRows(fx, context.id)).length).toBe(deploymentsBefore);
  expect(await fx.t.app.database.query('select * from rollback_requests')).toEqual([]);
}

describe('rollback errors', () => {
  it('missing target → TARGET_SHA_REQUIRED, "targetSha is required"', async () => {
    for (const targetRevision of [undefined, null, '', '   ']) {
      await expectRefused(rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision }), 'TARGET_SHA_REQUIRED', 'targetSha is required');
    }
  });

  it('unknown or malformed target → INVALID_TARGET_REVISION', async () => {
    const tree = git(fx.repoDir, ['rev-parse', 'main^{tree}']);
    const blob = git(fx.repoDir, ['rev-parse', 'main:tenants/acme/staging/variables.yaml']);
    for (const targetRevision of ['deadbeef', 'f'.repeat(40), 'not-a-revision', 'main~1', '--all', tree, blob]) {
      await expectRefused(rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision }), 'INVALID_TARGET_REVISION', /^invalid target revision/);
    }
  });

  it('a commit that is not in main\'s history, or predates the tenant-environment → INVALID_TARGET_REVISION', async () => {
    const dangling = git(fx.repoDir, ['commit-tree', `${t0}^{tree}`, '-p', t0, '-m', 'side branch']);
    await expectRefused(rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: dangling }), 'INVALID_TARGET_REVISION', /not in main's history/);
    const first = git(fx.repoDir, ['rev-list', '--max-parents=0', 'main']);
    await expectRefused(rollbackInput('globex', 'staging', { mode: 'FULL', targetRevision: first }), 'INVALID_TARGET_REVISION', /did not exist/);
  });

  it('a corrupted target (unreadable object, garbage commit) → INVALID_TARGET_REVISION, not a server error', async () => {
    const garbage = git(fx.repoDir, ['hash-object', '-t', 'commit', '--literally', '-w', '--stdin'], { input: 'garbage\n' });
    await expectRefused(rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: garbage }), 'INVALID_TARGET_REVISION');

    // Corrupt a blob only the target has (written loose, as every commit Backtrack makes is).
    const target = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.7-corrupt-me')]);
    head = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const blob = git(fx.repoDir, ['rev-parse', `${target}:tenants/acme/staging/services/api-gateway/values.yaml`]);
    const file = path.join(fx.repoDir, 'objects', blob.slice(0, 2), blob.slice(2));
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'corrupted');
    // As a freshly started server would: nothing of this revision is remembered from writing it.
    forgetCachedFiles();
    for (const mode of ['FULL', 'SERVICE', 'FIELD'] as const) {
      await expectRefused(
        rollbackInput('acme', 'staging', { mode, service: 'api-gateway', targetRevision: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] }),
        'INVALID_TARGET_REVISION',
        /corrupted/,
      );
    }
  });

  it('FIELD mode with no fields → SELECTED_FIELDS_EMPTY, "selected fields cannot be empty for field mode"', async () => {
    for (const fields of [[], null, undefined]) {
      await expectRefused(
        rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields }),
        'SELECTED_FIELDS_EMPTY',
        'selected fields cannot be empty for field mode',
      );
    }
    expect(() => normalizeScope({ mode: 'FIELD', service: 'api-gateway', fields: [] })).toThrow('selected fields cannot be empty for field mode');
  });

  it('a field path with a line break → INVALID_FIELD_PATH (it would forge commit metadata lines)', async () => {
    await expectRefused(
      rollbackInput('acme', 'staging', {
        mode: 'FIELD',
        service: 'api-gateway',
        targetRevision: t0,
        fields: [{ file: 'values.yaml', path: 'image.tag\nRollback Request ID: rbk-forged' }],
      }),
      'INVALID_FIELD_PATH',
      /control characters or line breaks/,
    );
  });

  it('a selected field absent at both revisions → FIELD_NOT_FOUND naming it', async () => {
    await expectRefused(
      rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }, { file: 'values.yaml', path: 'image.digest' }] }),
      'FIELD_NOT_FOUND',
      /image\.digest/,
    );
    await expectRefused(
      rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'variables.yaml', path: 'NO_SUCH_VARIABLE' }] }),
      'FIELD_NOT_FOUND',
      /NO_SUCH_VARIABLE/,
    );
    // Below a scalar: still "not found", not a crash.
    await expectRefused(
      rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag.major' }] }),
      'FIELD_NOT_FOUND',
      /image\.tag\.major/,
    );
  });

  it('a service absent at both revisions → SERVICE_NOT_FOUND naming it', async () => {
    for (const mode of ['SERVICE', 'FIELD'] as const) {
      await expectRefused(
        rollbackInput('acme', 'staging', { mode, service: 'no-such-service', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] }),
        'SERVICE_NOT_FOUND',
        /no-such-service/,
      );
    }
  });

  it('a target equal to the current state → NOTHING_TO_ROLL_BACK, no empty commit', async () => {
    await expectRefused(rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: head }), 'NOTHING_TO_ROLL_BACK', /^nothing to roll back/);
    await expectRefused(rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'payments', targetRevision: t0 }), 'NOTHING_TO_ROLL_BACK');
    await expectRefused(
      rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'replicas' }] }),
      'NOTHING_TO_ROLL_BACK',
    );
    // Another tenant-environment's later commit does not make acme/production's state differ from it.
    await expectRefused(rollbackInput('acme', 'production', { mode: 'FULL', targetRevision: t0 }), 'NOTHING_TO_ROLL_BACK');
  });

  it('an execution that finds nothing left to roll back writes no empty commit', async () => {
    const preview = await previewRollback(fx.backend, fx.deployer, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.8')]);
    const before = fx.head();
    const error = await domainError(execute(fx, preview, { expectedPreviewHash: null }));
    expect(error.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(fx.head()).toBe(before);
  });
});
