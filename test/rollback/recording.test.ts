/**
 * What a rollback leaves behind: the commit message (parsed back from `git log`), the deployment
 * recorded with source ROLLBACK, and the deployments it reverted marked ROLLED_BACK. Executed the way
 * the product does it, through requestRollback (acme/staging needs no approval) and an approval on
 * acme/production.
 */
import { describe, expect } from 'vitest';
import { authenticate } from '../../src/domain/auth';
import { createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { requestRollback, reviewRollbackRequest, type RequestRollbackInput } from '../../src/domain/requests/rollback-requests';
import { indexedHistoryBetween } from '../../src/domain/history/field-history';
import type { RollbackScope } from '../../src/domain/rollback/plan';
import { revertedRevisions } from '../../src/domain/rollback/reverted';
import { git } from '../kit/git-cli';
import { it } from '../kit/fixtures';
import { deploymentRows, DEPLOYER_EMAIL, setField, tag, type Fixture } from './fixture';

const request = (fx: Fixture, input: Omit<RequestRollbackInput, 'project'>) => requestRollback(fx.backend, fx.deployer, { project: 'shop', ...input });

/** `git log -1 --format=%B <sha>` split into its title and `Key: value` lines, in order. */
function parseMessage(fx: Fixture, sha: string): { title: string; blank: string; lines: Array<[string, string]>; raw: string } {
  const raw = git(fx.repoDir, ['log', '-1', '--format=%B', sha]);
  const [title, blank, ...rest] = raw.replace(/\n+$/, '').split('\n');
  const lines = rest.map((line) => {
    const match = /^([A-Z][A-Za-z ]*): (.*)$/.exec(line);
    expect(match, `metadata line "${line}"`).not.toBeNull();
    return [match![1]!, match![2]!] as [string, string];
  });
  return { title: title!, blank: blank!, lines, raw };
}

const SPEC_KEYS = ['Mode', 'Service', 'Justification', 'Author', 'Approval', 'Rollback Request ID'];

describe('rollback commit message', () => {
  it('has the spec\'s title and metadata lines, in the spec\'s order (SERVICE mode)', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'SERVICE', service: 'api-gateway', targetRevision: t0, justification: 'Bad image tag v2.1.0 causing 500 errors' });
    expect(row.state).toBe('COMPLETED');
    expect(row.resultSha).toBe(fx.head());

    const message = parseMessage(fx, row.resultSha!);
    expect(message.title).toBe(`Rollback: tenant/acme env/staging → revision ${t0.slice(0, 7)}`);
    expect(message.blank).toBe('');
    const keys = message.lines.map(([key]) => key);
    expect(keys.filter((key) => SPEC_KEYS.includes(key))).toEqual(SPEC_KEYS);
    const values = Object.fromEntries(message.lines);
    expect(values).toMatchObject({
      Mode: 'service',
      Service: 'api-gateway',
      Justification: 'Bad image tag v2.1.0 causing 500 errors',
      Author: DEPLOYER_EMAIL,
      Approval: 'Not required by the environment policy',
      'Rollback Request ID': row.id,
    });
    expect(keys.at(-1)).toBe('Rollback Request ID');
  });

  it('names the mode and the fields for FIELD, and the mode for FULL', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), tag('payments', 'v1.5.0')]);
    const field = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }], justification: 'tag' });
    const fieldMessage = Object.fromEntries(parseMessage(fx, field.resultSha!).lines);
    expect(fieldMessage).toMatchObject({ Mode: 'field', Service: 'api-gateway', Fields: 'values.yaml image.tag', 'Rollback Request ID': field.id });

    const full = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FULL', targetRevision: t0, justification: 'everything' });
    const fullMessage = parseMessage(fx, full.resultSha!);
    expect(fullMessage.title).toBe(`Rollback: tenant/acme env/staging → revision ${t0.slice(0, 7)}`);
    expect(Object.fromEntries(fullMessage.lines)).toMatchObject({ Mode: 'full', 'Rollback Request ID': full.id });
    expect(fullMessage.lines.map(([key]) => key).filter((key) => SPEC_KEYS.includes(key))).toEqual(SPEC_KEYS.filter((key) => key !== 'Service'));
  });

  it('keeps a multi-line justification on one line, so it cannot forge metadata', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const row = await request(fx, {
      tenant: 'acme',
      environment: 'staging',
      mode: 'SERVICE',
      service: 'api-gateway',
      targetRevision: t0,
      justification: 'Bad tag\nRollback Request ID: rbk-forged\n\nApproval: by nobody',
    });
    const message = parseMessage(fx, row.resultSha!);
    expect(message.lines.filter(([key]) => key === 'Rollback Request ID')).toEqual([['Rollback Request ID', row.id]]);
    expect(message.lines.filter(([key]) => key === 'Approval')).toHaveLength(1);
    expect(Object.fromEntries(message.lines).Justification).toBe('Bad tag Rollback Request ID: rbk-forged Approval: by nobody');
  });

  it('says who approved, with the quorum, when the environment requires approval', async ({ fx }) => {
    const production = (await fx.tenantEnvironment('acme', 'production')).environment;
    const approverId = await createUser(fx.backend, { email: 'bob@example.com', name: 'Bob Approver' });
    const context = await fx.tenantEnvironment('acme', 'production');
    await grantRole(fx.backend, { userId: approverId, projectId: context.project.id, role: 'APPROVER' });
    const approver = (await authenticate(fx.backend.stores, (await createUserToken(fx.backend, approverId, 't')).token))!;

    const t0 = fx.head();
    await fx.release('acme', 'production', [tag('api-gateway', 'v2.1.0')]);
    // The policy comes after the release: with it, the release itself would wait for approval.
    await fx.backend.transact(({ stores }) => stores.environments.setPolicy(production.id, { approvalRequired: true, quorum: 1, blockSelfApproval: true }));
    const pending = await request(fx, { tenant: 'acme', environment: 'production', mode: 'SERVICE', service: 'api-gateway', targetRevision: t0, justification: 'incident' });
    expect(pending.state).toBe('PENDING');
    const done = await reviewRollbackRequest(fx.backend, approver, { id: pending.id, decision: 'APPROVE' });
    expect(done.state).toBe('COMPLETED');
    expect(Object.fromEntries(parseMessage(fx, done.resultSha!).lines).Approval).toBe('Approved by bob@example.com (quorum: 1/1)');
    expect(parseMessage(fx, done.resultSha!).title).toBe(`Rollback: tenant/acme env/production → revision ${t0.slice(0, 7)}`);
  });
});

describe('deployment history after a rollback', () => {
  it('records the rollback commit as a deployment with source ROLLBACK linked to its request', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FULL', targetRevision: t0, justification: 'incident' });
    const context = await fx.tenantEnvironment('acme', 'staging');
    const rollback = (await deploymentRows(fx, context.id)).find((d) => d.revision === row.resultSha);
    expect(rollback).toMatchObject({ source: 'ROLLBACK', status: 'SUCCESS', rollbackRequestId: row.id, authorEmail: DEPLOYER_EMAIL });
  });

  it('FULL: marks every deployment of the tenant-environment after the target ROLLED_BACK, and nothing else', async ({ fx }) => {
    const t0 = fx.head();
    const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const other = await fx.release('acme', 'production', [tag('api-gateway', 'v2.1.0')]);
    const b = await fx.release('acme', 'staging', [setField('checkout', 'replicas', 3)]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FULL', targetRevision: t0, justification: 'incident' });

    const staging = await deploymentRows(fx, (await fx.tenantEnvironment('acme', 'staging')).id);
    const rollbackId = staging.find((d) => d.revision === row.resultSha)!.id;
    const status = Object.fromEntries(staging.map((d) => [d.revision, [d.status, d.rolledBackById]]));
    expect(status[a]).toEqual(['ROLLED_BACK', rollbackId]);
    expect(status[b]).toEqual(['ROLLED_BACK', rollbackId]);
    // The initial deployment (the state rolled back to) stays SUCCESS.
    expect([staging[0]!.status, staging[0]!.rolledBackById]).toEqual(['SUCCESS', null]);
    expect(staging.filter((d) => d.status === 'ROLLED_BACK').map((d) => d.revision).sort()).toEqual([a, b].sort());
    const production = await deploymentRows(fx, (await fx.tenantEnvironment('acme', 'production')).id);
    expect(production.find((d) => d.revision === other)!.status).toBe('SUCCESS');
  });

  it('SERVICE: marks the deployments that changed that service, not those of other services', async ({ fx }) => {
    const t0 = fx.head();
    const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const b = await fx.release('acme', 'staging', [tag('payments', 'v1.5.0')]);
    const c = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'SERVICE', service: 'api-gateway', targetRevision: t0, justification: 'incident' });
    const status = Object.fromEntries((await deploymentRows(fx, (await fx.tenantEnvironment('acme', 'staging')).id)).map((d) => [d.revision, d.status]));
    expect(status[a]).toBe('ROLLED_BACK');
    expect(status[c]).toBe('ROLLED_BACK');
    expect(status[b]).toBe('SUCCESS');
    expect(status[row.resultSha!]).toBe('SUCCESS');
  });

  // ROLLED_BACK follows what the rollback undid, not which files a deployment touched.
  it('SERVICE: a deployment that only changed a global variable is not marked ROLLED_BACK', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const global = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' }]);
    await request(fx, { tenant: 'acme', environment: 'staging', mode: 'SERVICE', service: 'api-gateway', targetRevision: t0, justification: 'incident' });
    const status = Object.fromEntries((await deploymentRows(fx, (await fx.tenantEnvironment('acme', 'staging')).id)).map((d) => [d.revision, d.status]));
    expect(status[global]).toBe('SUCCESS');
  });

  it('FIELD: a deployment that only changed another field of the same file is not marked ROLLED_BACK', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const replicas = await fx.release('acme', 'staging', [setField('api-gateway', 'replicas', 4)]);
    await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }], justification: 'incident' });
    const status = Object.fromEntries((await deploymentRows(fx, (await fx.tenantEnvironment('acme', 'staging')).id)).map((d) => [d.revision, d.status]));
    expect(status[replicas]).toBe('SUCCESS');
  });
});

async function reverted(fx: Fixture, scope: RollbackScope, target: string, rollback: string): Promise<string[]> {
  const history = await indexedHistoryBetween(fx.backend, await fx.tenantEnvironment('acme', 'staging'), target, git(fx.repoDir, ['rev-parse', `${rollback}^`]));
  return revertedRevisions(history, scope, rollback);
}

describe('revertedRevisions (which deployments a rollback undid)', () => {
  it('FULL: every commit that changed the tenant-environment after the target', async ({ fx }) => {
    const t0 = fx.head();
    const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    await fx.release('globex', 'staging', [tag('search', 'v1.0.0')]);
    const b = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' }]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'FULL', targetRevision: t0, justification: 'x' });
    expect(await reverted(fx, { mode: 'FULL', service: null, fields: [] }, t0, row.resultSha!)).toEqual([b, a]);
  });

  it('SERVICE: the service\'s files and service-scoped variables, not global variables or other services', async ({ fx }) => {
    const t0 = fx.head();
    const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' }]);
    await fx.release('acme', 'staging', [tag('payments', 'v1.5.0')]);
    const c = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }]);
    const row = await request(fx, { tenant: 'acme', environment: 'staging', mode: 'SERVICE', service: 'api-gateway', targetRevision: t0, justification: 'x' });
    expect(await reverted(fx, { mode: 'SERVICE', service: 'api-gateway', fields: [] }, t0, row.resultSha!)).toEqual([c, a]);
  });

  it('FIELD: only the commits that changed a selected field', async ({ fx }) => {
    const t0 = fx.head();
    const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    await fx.release('acme', 'staging', [setField('api-gateway', 'replicas', 4)]);
    const c = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }]);
    const scope = {
      mode: 'FIELD' as const,
      service: 'api-gateway',
      fields: [
        { file: 'values.yaml', path: 'image.tag' },
        { file: 'variables.yaml', path: 'TIMEOUT_MS' },
      ],
    };
    const row = await request(fx, { tenant: 'acme', environment: 'staging', ...scope, targetRevision: t0, justification: 'x' });
    expect(await reverted(fx, scope, t0, row.resultSha!)).toEqual([c, a]);
  });
});
