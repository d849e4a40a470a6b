/**
 * A subscription to an id the caller cannot see, unknown or of another team, is refused with
 * NOT_FOUND at once over graphql-ws and SSE, like a query would answer, instead of waiting forever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { RollbackRequestUpdatedDocument, SyncStatusChangedDocument } from '../kit/documents/live';
import { connectWs, outsider, PROD, subscribeSse, subscribeWs, subscriberCount, until, untilSubscribers, type Collector, type WsConnection } from './helpers';
import { requestTagRollback, tenantEnvironment } from './scenario';

describe('subscriptions to ids the caller cannot see', () => {
  let t: TestApp;
  let baseUrl: string;
  let baseline: number;
  let socket: WsConnection;
  const stops: Array<() => void> = [];

  beforeEach(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    baseline = subscriberCount(t);
    socket = connectWs(baseUrl, t.token('DEPLOYER'));
    await socket.connected;
  });

  afterEach(async () => {
    stops.splice(0).forEach((stop) => stop());
    await socket.dispose();
    await t.close();
  });

  /** Waits for the refusal and returns its errors as text. */
  const refusal = async (collector: Collector<unknown>) => {
    stops.push(collector.stop);
    await until(() => collector.errors.length > 0 || collector.events.length > 0, 'a refusal', 5_000);
    expect(collector.events).toEqual([]);
    return JSON.stringify(collector.errors);
  };

  it('rollbackRequestUpdated: an unknown tenant-environment, project or request is NOT_FOUND, over graphql-ws and SSE', async () => {
    for (const variables of [{ tenantEnvironmentId: 'te-bogus' }, { projectId: 'prj-bogus' }, { requestId: 'rbk-bogus' }, { tenantEnvironmentId: 'bogus' }]) {
      const ws = await refusal(subscribeWs(socket, RollbackRequestUpdatedDocument, variables));
      expect(ws, JSON.stringify(variables)).toContain('"code":"NOT_FOUND"');
      const sse = await refusal(subscribeSse(baseUrl, t.token('DEPLOYER'), RollbackRequestUpdatedDocument, variables));
      expect(sse, JSON.stringify(variables)).toContain('"code":"NOT_FOUND"');
    }
    expect(subscriberCount(t)).toBe(baseline);
  });

  it("rollbackRequestUpdated: another team's tenant-environment, project and request read as unknown", async () => {
    const te = await tenantEnvironment(t, PROD);
    const request = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const other = await outsider(t);
    const stranger = connectWs(baseUrl, other.token);
    try {
      await stranger.connected;
      for (const variables of [{ tenantEnvironmentId: te.id }, { projectId: te.projectId }, { requestId: request.id }]) {
        expect(await refusal(subscribeWs(stranger, RollbackRequestUpdatedDocument, variables)), JSON.stringify(variables)).toContain('"code":"NOT_FOUND"');
      }
      // Their own project is theirs to watch.
      const own = subscribeWs(stranger, RollbackRequestUpdatedDocument, { projectId: other.projectId });
      stops.push(own.stop);
      await untilSubscribers(t, baseline + 1);
      expect(own.errors).toEqual([]);
    } finally {
      await stranger.dispose();
    }
  });

  it('readable ids subscribe as before, and the events arrive', async () => {
    const te = await tenantEnvironment(t, PROD);
    const byProject = subscribeWs(socket, RollbackRequestUpdatedDocument, { projectId: te.projectId, tenantEnvironmentId: te.id });
    stops.push(byProject.stop);
    await untilSubscribers(t, baseline + 1);
    const request = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const [created] = await byProject.waitFor(1);
    expect(created!.rollbackRequestUpdated).toMatchObject({ change: 'CREATED', request: { id: request.id } });

    const byRequest = subscribeWs(socket, RollbackRequestUpdatedDocument, { requestId: request.id });
    stops.push(byRequest.stop);
    await untilSubscribers(t, baseline + 2);
    expect(byRequest.errors).toEqual([]);
  });

  it('syncStatusChanged refuses an unknown tenant-environment the same way', async () => {
    expect(await refusal(subscribeWs(socket, SyncStatusChangedDocument, { tenantEnvironmentId: 'te-bogus' }))).toContain('"code":"NOT_FOUND"');
  });
});
