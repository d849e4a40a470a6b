/**
 * Two server processes on one PostgreSQL database and one Redis: a request made on A and approved
 * on B reaches subscribers of either instance once per change, over graphql-ws and SSE alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllSpawned } from '../hardening/helpers';
import { ok } from '../kit/client';
import { DeploymentRecordedDocument, RollbackRequestUpdatedDocument } from '../kit/documents/live';
import { RequestRollbackDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { connectWs, subscribeSse, subscribeWs, until } from '../live/helpers';
import { startCluster, type Cluster } from './cluster';

const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(2);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await killAllSpawned();
});

describe('domain events across instances (Redis relay)', () => {
  it('a request created on A and approved on B reaches a graphql-ws subscriber on B and an SSE subscriber on A, each event once, within 2 s', async () => {
    const [a, b] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const te = ok(await a.gql(cluster.token('DEPLOYER'), TenantEnvironmentDocument, PROD)).tenantEnvironment!;
    const target = te.deployments.edges[1]!.node.revision;

    const socket = connectWs(b.base, cluster.token('APPROVER'));
    await socket.connected;
    const wsRequests = subscribeWs(socket, RollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const wsDeployments = subscribeWs(socket, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    const sseRequests = subscribeSse(a.base, cluster.token('DEPLOYER'), RollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const sseDeployments = subscribeSse(a.base, cluster.token('DEPLOYER'), DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    // Subscriptions are registered once the servers answered them; give both transports a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const created = ok(
      await a.gql(cluster.token('DEPLOYER'), RequestRollbackDocument, {
        input: { rollback: { ...PROD, mode: 'FIELD', targetSha: target, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] }, justification: 'Bad image tag' },
      }),
    ).requestRollback;
    expect(created.state).toBe('PENDING');
    let state: string = created.state;
    for (const approver of ['APPROVER', 'APPROVER2'] as const) {
      if (state !== 'PENDING') break;
      state = ok(await b.gql(cluster.token(approver), ReviewDocument, { input: { id: created.id, decision: 'APPROVE' } })).reviewRollbackRequest.state;
    }
    expect(state).toBe('COMPLETED');
    const approved = Date.now();

    // Within 2 s of the approval that executed it, on both instances and transports.
    const [[wsDeployment], [sseDeployment]] = await Promise.all([wsDeployments.waitFor(1, 2_000), sseDeployments.waitFor(1, 2_000)]);
    const completedOn = (events: unknown[]) => (events as Array<{ rollbackRequestUpdated: { state: string } }>).some((e) => e.rollbackRequestUpdated.state === 'COMPLETED');
    await until(() => completedOn(wsRequests.events) && completedOn(sseRequests.events), 'COMPLETED on both transports', 2_000);
    expect(Date.now() - approved).toBeLessThan(2_000);
    // Anything delivered twice would arrive right behind the first copy.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const changes = (events: Array<{ rollbackRequestUpdated: { change: string; state: string } }>) =>
      events.map((e) => `${e.rollbackRequestUpdated.change}:${e.rollbackRequestUpdated.state}`);
    const onB = changes(wsRequests.events as never);
    expect(onB.at(-1)).toBe('STATE_CHANGED:COMPLETED');
    expect(onB[0]).toBe('CREATED:PENDING');
    // Delivered twice, an event would arrive as two identical payloads (each change has its own time and state).
    expect(new Set(wsRequests.events.map((e) => JSON.stringify(e))).size, JSON.stringify(onB)).toBe(wsRequests.events.length);
    expect(onB.filter((c) => c === 'STATE_CHANGED:COMPLETED')).toHaveLength(1);
    expect(changes(sseRequests.events as never)).toEqual(onB);
    expect(wsDeployments.events).toHaveLength(1);
    expect(sseDeployments.events).toHaveLength(1);
    expect(wsDeployment).toEqual(sseDeployment);
    expect((wsDeployment as { deploymentRecorded: { source: string } }).deploymentRecorded.source).toBe('ROLLBACK');
    expect(wsRequests.errors).toEqual([]);
    expect(sseRequests.errors).toEqual([]);
    wsRequests.stop();
    wsDeployments.stop();
    sseRequests.stop();
    sseDeployments.stop();
    await socket.dispose();
  });
});
