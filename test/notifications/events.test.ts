/** Every kind of state change writes its notification in its own transaction: releases through approval, rollbacks to completion, drift, agent silence. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, openTestApp, type TestApp } from '../kit/app';
import { git } from '../kit/git-cli';
import { FAST_NOTIFY, REQUEST_ROLLBACK, SET_TARGET, data, eventually, gql, startReceiver, tagRollbackInput, type Receiver } from './helpers';

let t: TestApp | null = null;
const receivers: Receiver[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function setUp(env: Record<string, string> = {}, eventKinds: string[] = []) {
  t = await createTestApp({ env: { ...FAST_NOTIFY, ...env } });
  await t.listen();
  const receiver = await startReceiver();
  receivers.push(receiver);
  data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'all', kind: 'WEBHOOK', url: receiver.url, eventKinds } }));
  return { t, receiver };
}

const kinds = (receiver: Receiver) => receiver.received.map((r) => r.json.kind);
const REVIEW = `mutation R($id: ID!) { reviewRollbackRequest(input: { id: $id, decision: APPROVE }) { state } }`;

describe('notifications of state changes', () => {
  it('a rollback request approved by another user: created, awaiting approval, approved, completed, the deployment and the push, in commit order', async () => {
    const { t, receiver } = await setUp();
    const request = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, await tagRollbackInput(t, t.token('DEPLOYER')))).requestRollback;
    expect(data(await gql(t, t.token('APPROVER'), REVIEW, { id: request.id })).reviewRollbackRequest.state).toBe('COMPLETED');
    await eventually(async () => kinds(receiver).length >= 6, 'six events');
    // The commit's transaction completes the request, then records the deployment: rows go out in that order.
    expect(kinds(receiver)).toEqual(['REQUEST_CREATED', 'REQUEST_AWAITING_APPROVAL', 'REQUEST_APPROVED', 'REQUEST_COMPLETED', 'DEPLOYMENT_RECORDED', 'COMMIT_PUSHED']);
    const head = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const byKind = Object.fromEntries(receiver.received.map((r) => [r.json.kind, r.json]));
    expect(byKind.REQUEST_COMPLETED.request).toMatchObject({ id: request.id, state: 'COMPLETED', resultRevision: head, approvals: 1 });
    expect(byKind.REQUEST_COMPLETED.links.approveCommand).toBeUndefined();
    expect(byKind.DEPLOYMENT_RECORDED.deployment).toMatchObject({ revision: head, source: 'ROLLBACK', rollbackRequestId: request.id });
    expect(byKind.COMMIT_PUSHED.commit).toMatchObject({ revision: head, ref: 'refs/heads/main' });
    // A refused review writes nothing.
    const again = await gql(t, t.token('APPROVER'), REVIEW, { id: request.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('REQUEST_NOT_PENDING');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(6);
  });

  it('a release request on production: RELEASE events through approval', async () => {
    const { t, receiver } = await setUp({}, ['REQUEST_AWAITING_APPROVAL', 'REQUEST_APPROVED', 'REQUEST_COMPLETED']);
    const release = data(
      await gql(t, t.token('DEPLOYER'), `mutation R($input: DeployReleaseInput!) { requestRelease(input: $input) { id state } }`, {
        input: { project: 'shop', tenant: 'acme', environment: 'production', description: 'payments v1.5.1', services: [{ service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.5.1' }] }] },
      }),
    ).requestRelease;
    expect(release.state).toBe('PENDING');
    const [awaiting] = await receiver.waitFor(1);
    expect(awaiting!.json).toMatchObject({ kind: 'REQUEST_AWAITING_APPROVAL', request: { id: release.id, type: 'RELEASE', description: 'payments v1.5.1', affectedServices: ['payments'] } });
    // Reviewed on the incident screen: the on-call CLI's approve takes rollback requests only.
    expect(awaiting!.json.links.approveCommand).toBeUndefined();
    expect(awaiting!.json.links.incident).toMatch(/\/incident#\/shop\/acme\/production$/);
    data(await gql(t, t.token('APPROVER'), `mutation R($id: ID!) { reviewApprovalRequest(input: { id: $id, decision: APPROVE }) { state } }`, { id: release.id }));
    await receiver.waitFor(3);
    expect(kinds(receiver)).toEqual(['REQUEST_AWAITING_APPROVAL', 'REQUEST_APPROVED', 'REQUEST_COMPLETED']);
  });

  it('drift after a SYNCED report, and an agent that goes silent', async () => {
    const { t, receiver } = await setUp({ AGENT_SILENCE_SECONDS: '1' }, ['DRIFT_DETECTED', 'AGENT_UNREACHABLE']);
    const head = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const report = (imageTag: string) =>
      gql(t, t.token('AGENT'), `mutation R($input: SyncReportInput!) { reportSyncStatus(input: $input) { agentReachable } }`, {
        input: { project: 'shop', tenant: 'acme', environment: 'production', revision: head, syncState: 'SYNCED', health: 'HEALTHY', services: [{ service: 'api-gateway', imageTag }, { service: 'catalog' }, { service: 'checkout' }, { service: 'payments' }] },
      });
    data(await report('v2.1.1-rc0'));
    data(await report('v9.9.9-hotfix'));
    const [drift] = await receiver.waitFor(1);
    expect(drift!.json).toMatchObject({ kind: 'DRIFT_DETECTED', tenantEnvironment: { tenant: 'acme', environment: 'production' }, drift: { revision: head } });
    expect(drift!.json.drift.fields).toContainEqual({ service: 'api-gateway', field: 'image.tag', desired: 'v2.1.1-rc0', live: 'v9.9.9-hotfix' });
    const silent = await eventually(async () => receiver.received.find((r) => r.json.kind === 'AGENT_UNREACHABLE'), 'the agent reported unreachable', 10_000);
    expect(silent.json).toMatchObject({ tenantEnvironment: { tenant: 'acme', environment: 'production' }, agent: { silenceSeconds: 1 } });
    // One drift report (the first report matched), one silence.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(kinds(receiver).filter((k) => k === 'DRIFT_DETECTED')).toHaveLength(1);
    expect(receiver.received.filter((r) => r.json.kind === 'AGENT_UNREACHABLE' && r.json.tenantEnvironment.environment === 'production')).toHaveLength(1);
  });

  it('an agent that went silent while no server ran is announced at the next start, once', async () => {
    const first = await setUp({ AGENT_SILENCE_SECONDS: '3600' }, ['AGENT_UNREACHABLE']);
    const head = git(first.t.repoDir, ['rev-parse', 'refs/heads/main']);
    data(
      await gql(first.t, first.t.token('AGENT'), `mutation R($input: SyncReportInput!) { reportSyncStatus(input: $input) { agentReachable } }`, {
        input: { project: 'shop', tenant: 'acme', environment: 'production', revision: head, syncState: 'SYNCED', health: 'HEALTHY', services: [] },
      }),
    );
    const { dataDir, credentials } = first.t;
    await first.t.app.stop();
    t = null;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const silentFor = (receiver: Receiver) => receiver.received.filter((r) => r.json.kind === 'AGENT_UNREACHABLE' && r.json.tenantEnvironment.environment === 'production');
    for (const start of [1, 2]) {
      t = openTestApp(dataDir, credentials, { env: { ...FAST_NOTIFY, AGENT_SILENCE_SECONDS: '1' } });
      await t.listen();
      if (start === 1) await eventually(async () => silentFor(first.receiver).length > 0, 'the silence announced after the start');
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
      await t.app.stop();
      t = null;
    }
    // The second start finds the same silence (the same last report): nothing new to send.
    expect(silentFor(first.receiver)).toHaveLength(1);
  });
});
