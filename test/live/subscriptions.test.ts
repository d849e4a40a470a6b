/**
 * Subscriptions over real sockets on 127.0.0.1: graphql-ws and SSE see a rollback request's whole
 * life in order, subscribers of other projects see nothing, and unauthenticated sockets are closed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { requestEvent } from '../../src/domain/events';
import type { RollbackRequest } from '../../src/domain/model';
import { createTestApp, type TestApp } from '../kit/app';
import { call, errorCode, ok } from '../kit/client';
import { SetApprovalPolicyDocument } from '../kit/documents/governance';
import { DeploymentRecordedDocument, RollbackRequestUpdatedDocument, SyncStatusChangedDocument } from '../kit/documents/live';
import { AddNoteDocument, ReviewDocument } from '../kit/documents/rollbacks';
import {
  connectWs,
  outsider,
  PROD,
  STAGING,
  subscribeSse,
  subscribeWs,
  subscriberCount,
  untilSubscribers,
  until,
  type WsConnection,
} from './helpers';
import { approve, release, report, reportInput, requestTagRollback, tenantEnvironment } from './scenario';


const APPROVER_EMAIL = 'alex.approver@acme.example.com';

describe('live subscriptions over real sockets', () => {
  let t: TestApp;
  let baseUrl: string;
  /** Listeners on the bus before any client subscribed (the metrics observer is one). */
  let baseline = 0;
  const subscribed = (count: number) => untilSubscribers(t, baseline + count);
  const sockets: WsConnection[] = [];
  const stops: Array<() => void> = [];

  beforeEach(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    baseline = subscriberCount(t);
  });

  afterEach(async () => {
    stops.splice(0).forEach((stop) => stop());
    await Promise.all(sockets.splice(0).map((s) => s.dispose()));
    await t.close();
  });

  const ws = (token: string | null) => {
    const connection = connectWs(baseUrl, token);
    sockets.push(connection);
    return connection;
  };

  /** Publishes an event of the outsider's own project: once it arrives, everything published before it was processed. */
  const sentinel = (projectId: string, template: RollbackRequest) =>
    t.app.backend.events.publish(
      requestEvent({ ...template, id: 'rbk_sentinel', projectId, tenantEnvironmentId: 'te_sentinel', state: 'COMPLETED' }, 'NOTE_ADDED', new Date()),
    );

  it('streams PENDING → review → APPROVED → EXECUTING → COMPLETED over graphql-ws and SSE, and nothing to another project', async () => {
    const te = await tenantEnvironment(t, PROD);
    const other = await outsider(t);

    const deployer = ws(t.token('DEPLOYER'));
    const stranger = ws(other.token);
    await Promise.all([deployer.connected, stranger.connected]);
    const watched = subscribeWs(deployer, RollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const leaked = subscribeWs(stranger, RollbackRequestUpdatedDocument, {});
    const sse = subscribeSse(baseUrl, t.token('APPROVER'), RollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const recorded = subscribeWs(deployer, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    stops.push(watched.stop, leaked.stop, sse.stop, recorded.stop);
    await subscribed(4);

    const created = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    expect(created.state).toBe('PENDING');
    const approved = ok(await approve(t, 'APPROVER', created.id)).reviewRollbackRequest;
    expect(approved.state).toBe('COMPLETED');
    ok(await call(t, 'DEPLOYER', AddNoteDocument, { id: created.id, note: 'Root cause: image was never pushed' }));

    const expected = [
      ['CREATED', 'PENDING'],
      ['REVIEWED', 'APPROVED'],
      ['STATE_CHANGED', 'APPROVED'],
      ['STATE_CHANGED', 'EXECUTING'],
      ['STATE_CHANGED', 'COMPLETED'],
      ['NOTE_ADDED', 'COMPLETED'],
    ];
    for (const collector of [watched, sse]) {
      const events = (await collector.waitFor(expected.length)).map((e) => e.rollbackRequestUpdated);
      expect(events.map((e) => [e.change, e.state])).toEqual(expected);
      expect(events.every((e) => e.request.id === created.id)).toBe(true);
      expect(events.map((e) => e.request.state)).toEqual(expected.map(([, state]) => state));
      // Each event shows the request as it is at that event, not a cached earlier view.
      expect(events.map((e) => e.request.approvals)).toEqual([0, 1, 1, 1, 1, 1]);
      expect(events[1]!.request.reviews).toEqual([{ decision: 'APPROVE', reviewer: { email: APPROVER_EMAIL } }]);
      expect(events[0]!.request.deployment).toBeNull();
      expect(events[4]!.request.resultRevision).toBe(approved.resultRevision);
      expect(events[4]!.request.deployment).toEqual({ revision: approved.resultRevision, source: 'ROLLBACK' });
      expect(events[5]!.request.notes).toEqual([{ note: 'Root cause: image was never pushed' }]);
    }
    expect(sse.events).toEqual(watched.events);

    const deployments = await recorded.waitFor(1);
    expect(deployments.map((d) => [d.deploymentRecorded.revision, d.deploymentRecorded.source])).toEqual([[approved.resultRevision, 'ROLLBACK']]);

    // The stranger's stream has processed everything published before its own project's event, and saw none of shop's.
    const [row] = await t.app.backend.stores.requests.inStates(['COMPLETED']);
    sentinel(other.projectId, row!);
    const seen = await leaked.waitFor(1);
    expect(seen.map((e) => e.rollbackRequestUpdated.request.id)).toEqual(['rbk_sentinel']);
    expect(watched.events).toHaveLength(expected.length);
  });

  it('filters by project and by request, and publishes nothing for a review that was refused', async () => {
    const te = await tenantEnvironment(t, PROD);
    ok(await call(t, 'ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 2 } }));
    const approver = ws(t.token('APPROVER'));
    await approver.connected;
    const byProject = subscribeWs(approver, RollbackRequestUpdatedDocument, { projectId: te.projectId });
    const elsewhere = subscribeWs(approver, RollbackRequestUpdatedDocument, { tenantEnvironmentId: (await tenantEnvironment(t, STAGING)).id });
    stops.push(byProject.stop, elsewhere.stop);
    await subscribed(2);

    // The APPROVER requests; reviewing their own request is refused inside the transaction.
    const request = await requestTagRollback(t, 'APPROVER', te.tagTarget);
    const byRequest = subscribeWs(approver, RollbackRequestUpdatedDocument, { requestId: request.id });
    stops.push(byRequest.stop);
    await subscribed(3);
    expect(errorCode(await approve(t, 'APPROVER', request.id))).toBe('SELF_REVIEW_FORBIDDEN');
    ok(await approve(t, 'APPROVER2', request.id));
    expect(errorCode(await approve(t, 'APPROVER2', request.id))).toBe('ALREADY_REVIEWED');
    ok(await call(t, 'ADMIN', ReviewDocument, { input: { id: request.id, decision: 'REJECT', comment: 'use a service rollback' } }));

    const events = (await byProject.waitFor(4)).map((e) => [e.rollbackRequestUpdated.change, e.rollbackRequestUpdated.state]);
    expect(events).toEqual([
      ['CREATED', 'PENDING'],
      ['REVIEWED', 'PENDING'],
      ['REVIEWED', 'REJECTED'],
      ['STATE_CHANGED', 'REJECTED'],
    ]);
    const afterSubscribe = await byRequest.waitFor(3);
    expect(afterSubscribe.map((e) => [e.rollbackRequestUpdated.change, e.rollbackRequestUpdated.state])).toEqual([
      ['REVIEWED', 'PENDING'],
      ['REVIEWED', 'REJECTED'],
      ['STATE_CHANGED', 'REJECTED'],
    ]);
    expect(afterSubscribe[1]!.rollbackRequestUpdated.request.reviews.map((r) => r.decision)).toEqual(['APPROVE', 'REJECT']);

    // A staging rollback reaches the staging subscriber; the production events never did.
    const staging = await tenantEnvironment(t, STAGING);
    const done = await requestTagRollback(t, 'DEPLOYER', staging.tagTarget, STAGING);
    const stagingEvents = (await elsewhere.waitFor(3)).map((e) => e.rollbackRequestUpdated);
    expect(stagingEvents.map((e) => [e.request.id, e.change, e.state])).toEqual([
      [done.id, 'CREATED', 'APPROVED'],
      [done.id, 'STATE_CHANGED', 'EXECUTING'],
      [done.id, 'STATE_CHANGED', 'COMPLETED'],
    ]);
    await byProject.waitFor(7);
    expect(byProject.events.slice(4).map((e) => e.rollbackRequestUpdated.request.id)).toEqual([done.id, done.id, done.id]);
  });

  it('deploymentRecorded fires for every release and syncStatusChanged for every agent report, on both transports', async () => {
    const te = await tenantEnvironment(t, STAGING);
    const deployer = ws(t.token('DEPLOYER'));
    const agent = ws(t.token('AGENT'));
    await Promise.all([deployer.connected, agent.connected]);
    const releases = subscribeWs(deployer, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    const releasesSse = subscribeSse(baseUrl, t.token('DEPLOYER'), DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    const reports = subscribeWs(agent, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    const reportsSse = subscribeSse(baseUrl, t.token('APPROVER'), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    stops.push(releases.stop, releasesSse.stop, reports.stop, reportsSse.stop);
    await subscribed(4);

    const first = await release(t, STAGING, 'checkout', 'v3.5.0');
    const second = await release(t, STAGING, 'payments', 'v1.6.0');
    for (const collector of [releases, releasesSse]) {
      const events = (await collector.waitFor(2)).map((e) => e.deploymentRecorded);
      expect(events.map((e) => [e.id, e.revision, e.source, e.status])).toEqual([
        [first.id, first.revision, 'RELEASE', 'SUCCESS'],
        [second.id, second.revision, 'RELEASE', 'SUCCESS'],
      ]);
      expect(events[0]!.changes).toEqual(['checkout: image.tag v3.4.1 → v3.5.0']);
      expect(events[0]!.author.email).toBe('dana.deployer@acme.example.com');
    }

    ok(await report(t, 'AGENT', reportInput(STAGING, first.revision, { syncState: 'OUT_OF_SYNC', health: 'PROGRESSING' })));
    ok(await report(t, 'AGENT', reportInput(STAGING, second.revision)));
    ok(await report(t, 'AGENT', reportInput(STAGING, second.revision, { health: 'DEGRADED' })));
    for (const collector of [reports, reportsSse]) {
      const events = (await collector.waitFor(3)).map((e) => e.syncStatusChanged);
      expect(events.map((e) => [e.syncedRevision, e.syncState, e.health, e.syncedHead, e.agentReachable])).toEqual([
        [first.revision, 'OUT_OF_SYNC', 'PROGRESSING', false, true],
        [second.revision, 'SYNCED', 'HEALTHY', true, true],
        [second.revision, 'SYNCED', 'DEGRADED', true, true],
      ]);
    }
  });

  it('closes sockets without a known token with 4403, and refuses subscriptions to what the caller cannot read', async () => {
    const anonymous = ws(null);
    const unknown = ws('btu_not-a-real-token');
    const wrongScheme = ws(t.token('DEPLOYER').replace(/^/, 'x'));
    for (const socket of [anonymous, unknown, wrongScheme]) {
      expect((await socket.closed).code).toBe(4403);
    }

    const te = await tenantEnvironment(t, PROD);
    const other = await outsider(t);
    const stranger = ws(other.token);
    await stranger.connected;
    const refused = subscribeWs(stranger, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    const refusedDeployments = subscribeWs(stranger, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    stops.push(refused.stop, refusedDeployments.stop);
    await until(() => refused.errors.length > 0 && refusedDeployments.errors.length > 0, 'refusals');
    expect(JSON.stringify(refused.errors)).toContain('NOT_FOUND');
    expect(JSON.stringify(refusedDeployments.errors)).toContain('NOT_FOUND');

    // An agent scoped to acme/staging cannot watch acme/production, nor receive its request events.
    const staging = await tenantEnvironment(t, STAGING);
    const narrow = await createAgent(t.app.backend, { projectId: te.projectId, name: 'staging-agent', tenantEnvironmentIds: [staging.id] });
    const agent = ws(narrow.token);
    await agent.connected;
    const outOfScope = subscribeWs(agent, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    const requests = subscribeWs(agent, RollbackRequestUpdatedDocument, {});
    stops.push(outOfScope.stop, requests.stop);
    await until(() => outOfScope.errors.length > 0, 'out-of-scope refusal');
    await subscribed(1);
    const production = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const done = await requestTagRollback(t, 'DEPLOYER', staging.tagTarget, STAGING);
    const seen = await requests.waitFor(3);
    expect(seen.map((e) => e.rollbackRequestUpdated.request.id)).not.toContain(production.id);
    expect(seen.every((e) => e.rollbackRequestUpdated.request.id === done.id)).toBe(true);

    // Without a token, SSE is refused too.
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { syncStatusChanged(tenantEnvironmentId: "x") { reported } }' }),
    });
    expect(await response.text()).toContain('UNAUTHENTICATED');
  });
});
