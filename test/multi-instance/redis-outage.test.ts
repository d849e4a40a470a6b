/**
 * Redis restarted under connected subscribers: the relay cannot know what it missed meanwhile, so
 * every subscription of every instance ends with EVENTS_INTERRUPTED (over graphql-ws and SSE) rather
 * than go on with a silent gap — including the event caused while Redis was down. New subscriptions
 * are refused the same way until the channel is back; then events flow again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllSpawned } from '../hardening/helpers';
import { ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { DeploymentRecordedDocument } from '../kit/documents/live';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { connectWs, subscribeSse, subscribeWs, until } from '../live/helpers';
import { eventually, startCluster, type Cluster, type Instance } from './cluster';

const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(2);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await killAllSpawned();
});

const interrupted = (errors: unknown[]) => JSON.stringify(errors).includes('EVENTS_INTERRUPTED');

describe('a Redis outage under connected subscribers', () => {
  it('ends the subscriptions with EVENTS_INTERRUPTED, an event caused meanwhile included; after the restart new subscriptions receive later events', async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const token = cluster.token('DEPLOYER');
    const te = ok(await a.gql(token, TenantEnvironmentDocument, STAGING)).tenantEnvironment!;
    let tag = 0;
    const release = () =>
      a.gql(token, DeployReleaseDocument, {
        input: { ...STAGING, description: 'outage test', services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v7.0.${++tag}` }] }] },
      });

    const socket = connectWs(b.base, token);
    await socket.connected;
    const onB = subscribeWs(socket, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    const onA = subscribeSse(a.base, token, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    // Subscribing takes a moment on a busy machine: releases go out until one reaches both.
    await eventually('a release reaching both subscriptions', async () => {
      ok(await release());
      await new Promise((resolve) => setTimeout(resolve, 300));
      return onB.events.length > 0 && onA.events.length > 0 ? true : undefined;
    }, 15_000, 0);
    expect([onB.errors, onA.errors]).toEqual([[], []]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [seenOnB, seenOnA] = [onB.events.length, onA.events.length];

    await cluster.redis.kill();
    // Caused while Redis is down: committed and recorded, but no instance can relay it.
    const duringOutage = ok(await release()).deployRelease.revision;
    await until(() => interrupted(onB.errors), `EVENTS_INTERRUPTED on B (errors: ${JSON.stringify(onB.errors)})`, 5_000);
    await until(() => interrupted(onA.errors), `EVENTS_INTERRUPTED on A (errors: ${JSON.stringify(onA.errors)})`, 5_000);
    expect(onB.events).toHaveLength(seenOnB);
    expect(onA.events).toHaveLength(seenOnA);
    // The release itself is not lost: it is in the history every client refetches.
    const history = ok(await b.gql(token, TenantEnvironmentDocument, STAGING)).tenantEnvironment!.deployments.edges.map((e) => e.node.revision);
    expect(history[0]).toBe(duringOutage);

    // Meanwhile a new subscription is refused the same way, not left waiting in silence.
    const refused = subscribeWs(socket, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    await until(() => interrupted(refused.errors), 'a subscription opened during the outage ends with EVENTS_INTERRUPTED', 5_000);

    await cluster.redis.restart();
    // The relay reconnects by itself; a dashboard subscribes again (and refetches) once it is accepted.
    const again = await eventually('a subscription that stays open after the restart', async () => {
      const attempt = subscribeWs(socket, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (attempt.errors.length === 0 && !attempt.completed) return attempt;
      attempt.stop();
      return undefined;
    }, 15_000, 200);
    const sseAgain = subscribeSse(a.base, token, DeploymentRecordedDocument, { tenantEnvironmentId: te.id });
    const lastRevision = (events: unknown[]) => (events.at(-1) as { deploymentRecorded: { revision: string } } | undefined)?.deploymentRecorded.revision;
    await eventually('a release after the restart reaching both new subscriptions', async () => {
      const after = ok(await release()).deployRelease.revision;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return lastRevision(again.events) === after && lastRevision(sseAgain.events) === after ? true : undefined;
    }, 15_000, 0);
    expect([again.errors, sseAgain.errors]).toEqual([[], []]);
    again.stop();
    sseAgain.stop();
    await socket.dispose();
  }, 120_000);
});
