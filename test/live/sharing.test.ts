/**
 * graphql-ws subscriptions with the same operation, variables and permissions share one execution per
 * event; each socket still gets every event, closes independently, and nothing crosses permissions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { LiveRollbackRequestUpdatedDocument, LiveSyncStatusChangedDocument } from './documents';
import { connectWs, ok, outsider, PROD, STAGING, subscribeSse, subscribeWs, subscriberCount, until, untilSubscribers, type WsConnection } from './helpers';
import { approve, report, reportInput, requestTagRollback, tenantEnvironment } from './scenario';


describe('shared subscription execution over graphql-ws', () => {
  let t: TestApp;
  let baseUrl: string;
  let baseline = 0;
  const sockets: WsConnection[] = [];

  beforeEach(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    baseline = subscriberCount(t);
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.dispose()));
    await t.close();
  });

  const ws = async (token: string) => {
    const connection = connectWs(baseUrl, token);
    sockets.push(connection);
    await connection.connected;
    return connection;
  };

  it('gives every socket of the same user every event, with one server-side subscription, and lets them leave one by one', async () => {
    const te = await tenantEnvironment(t, PROD);
    const dashboards = await Promise.all([0, 1, 2].map(() => ws(t.token('DEPLOYER'))));
    const streams = dashboards.map((d) => subscribeWs(d, LiveSyncStatusChangedDocument, { tenantEnvironmentId: te.id }));
    await untilSubscribers(t, baseline + 1);
    // A different operation or different variables is a subscription of its own.
    const requests = subscribeWs(dashboards[0]!, LiveRollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const staging = subscribeWs(dashboards[1]!, LiveSyncStatusChangedDocument, { tenantEnvironmentId: (await tenantEnvironment(t, STAGING)).id });
    await untilSubscribers(t, baseline + 3);

    // The first one in is not special: the stream survives its subscriber leaving.
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { health: 'PROGRESSING' })));
    for (const stream of streams) expect((await stream.waitFor(1)).map((e) => e.syncStatusChanged.health)).toEqual(['PROGRESSING']);
    streams[0]!.stop();
    ok(await report(t, 'AGENT', reportInput(PROD, te.head)));
    for (const stream of streams.slice(1)) expect((await stream.waitFor(2)).map((e) => e.syncStatusChanged.health)).toEqual(['PROGRESSING', 'HEALTHY']);
    expect(streams[0]!.events).toHaveLength(1);
    expect(subscriberCount(t)).toBe(baseline + 3);

    // Once the last of them leaves, the shared subscription ends; a new dashboard starts a new one.
    streams[1]!.stop();
    streams[2]!.stop();
    await until(() => subscriberCount(t) === baseline + 2, 'the shared subscription to end');
    const late = subscribeWs(await ws(t.token('DEPLOYER')), LiveSyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    await untilSubscribers(t, baseline + 3);
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { health: 'DEGRADED' })));
    expect((await late.waitFor(1)).map((e) => e.syncStatusChanged.health)).toEqual(['DEGRADED']);
    expect(requests.events).toEqual([]);
    expect(staging.events).toEqual([]);
  });

  it('releases server-side subscriptions when clients complete, sockets close or SSE streams are aborted', async () => {
    const te = await tenantEnvironment(t, PROD);
    const first = await ws(t.token('DEPLOYER'));
    const second = await ws(t.token('APPROVER'));
    const completed = subscribeWs(first, LiveSyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    subscribeWs(second, LiveSyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    subscribeWs(second, LiveRollbackRequestUpdatedDocument, {});
    const sse = subscribeSse(baseUrl, t.token('ADMIN'), LiveRollbackRequestUpdatedDocument, {});
    await untilSubscribers(t, baseline + 4);
    completed.stop();
    await until(() => subscriberCount(t) === baseline + 3, 'the completed subscription to be released');
    await second.dispose();
    await until(() => subscriberCount(t) === baseline + 1, 'the closed socket to release its subscriptions');
    sse.stop();
    await until(() => subscriberCount(t) === baseline, 'the aborted SSE stream to be released');
  });

  it('never shares across permissions: same operation and variables, different users or agents', async () => {
    const te = await tenantEnvironment(t, PROD);
    const staging = await tenantEnvironment(t, STAGING);
    const other = await outsider(t);
    const narrow = await createAgent(t.app.services, { projectId: te.projectId, name: 'staging-agent', tenantEnvironmentIds: [staging.id] });
    const deployer = subscribeWs(await ws(t.token('DEPLOYER')), LiveRollbackRequestUpdatedDocument, {});
    const stranger = subscribeWs(await ws(other.token), LiveRollbackRequestUpdatedDocument, {});
    const agent = subscribeWs(await ws(t.token('AGENT')), LiveRollbackRequestUpdatedDocument, {});
    const stagingAgent = subscribeWs(await ws(narrow.token), LiveRollbackRequestUpdatedDocument, {});
    await untilSubscribers(t, baseline + 4);

    const request = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    ok(await approve(t, 'APPROVER', request.id));
    const states = ['PENDING', 'APPROVED', 'APPROVED', 'EXECUTING', 'COMPLETED'];
    expect((await deployer.waitFor(5)).map((e) => e.rollbackRequestUpdated.state)).toEqual(states);
    expect((await agent.waitFor(5)).map((e) => e.rollbackRequestUpdated.state)).toEqual(states);
    // A staging rollback reaches the staging agent: everything before it was processed, and nothing of production arrived.
    const done = await requestTagRollback(t, 'DEPLOYER', staging.tagTarget, STAGING);
    expect((await stagingAgent.waitFor(3)).map((e) => e.rollbackRequestUpdated.request.id)).toEqual([done.id, done.id, done.id]);
    expect(stranger.events).toEqual([]);
  });
});
