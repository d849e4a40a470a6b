/**
 * graphql-ws subscriptions with the same operation, variables and permissions share one execution per
 * event, also across users with the same roles; each socket still gets every event, closes
 * independently, nothing crosses permissions, and fields about the viewer stay per user.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { authenticate } from '../../src/domain/auth';
import { requestEvent } from '../../src/domain/events';
import { rollbackRequestById } from '../../src/domain/requests/rollback-requests';
import { schema } from '../../src/graphql';
import { selectsViewerIdentity } from '../../src/graphql/subscriptions';
import { createTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { RollbackRequestUpdatedDocument, SyncStatusChangedDocument } from '../kit/documents/live';
import {
  connectWs,
  outsider,
  PROD,
  STAGING,
  subscribeSse,
  subscribeWs,
  subscriberCount,
  until,
  untilLive,
  untilSubscribers,
  type WsConnection,
} from './helpers';
import { approve, report, reportInput, requestTagRollback, tenantEnvironment } from './scenario';

interface RequesterRolesEvent {
  rollbackRequestUpdated: {
    request: { id: string; requestedBy: { email: string; projectRoles: Array<{ role: string; project: { slug: string } }> } };
  };
}

/** Reaches User.projectRoles (a viewer-identity field) through a fragment. */
const RequesterRolesDocument = parse(`
  subscription RequesterRoles($requestId: ID!) {
    rollbackRequestUpdated(requestId: $requestId) {
      request { id requestedBy { email ...ViewerRoles } }
    }
  }
  fragment ViewerRoles on User { projectRoles { role project { slug } } }
`) as TypedDocumentNode<RequesterRolesEvent, { requestId: string }>;


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
    const streams = dashboards.map((d) => subscribeWs(d, SyncStatusChangedDocument, { tenantEnvironmentId: te.id }));
    await untilSubscribers(t, baseline + 1);
    // A different operation or different variables is a subscription of its own.
    const requests = subscribeWs(dashboards[0]!, RollbackRequestUpdatedDocument, { tenantEnvironmentId: te.id });
    const staging = subscribeWs(dashboards[1]!, SyncStatusChangedDocument, { tenantEnvironmentId: (await tenantEnvironment(t, STAGING)).id });
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
    const late = subscribeWs(await ws(t.token('DEPLOYER')), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
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
    const completed = subscribeWs(first, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    subscribeWs(second, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    subscribeWs(second, RollbackRequestUpdatedDocument, {});
    const sse = subscribeSse(baseUrl, t.token('ADMIN'), RollbackRequestUpdatedDocument, {});
    await untilSubscribers(t, baseline + 4);
    completed.stop();
    await until(() => subscriberCount(t) === baseline + 3, 'the completed subscription to be released');
    await second.dispose();
    await until(() => subscriberCount(t) === baseline + 1, 'the closed socket to release its subscriptions');
    sse.stop();
    await until(() => subscriberCount(t) === baseline, 'the aborted SSE stream to be released');
  });

  it('never shares across permissions: same operation and variables, different roles, projects or agents', async () => {
    const te = await tenantEnvironment(t, PROD);
    const staging = await tenantEnvironment(t, STAGING);
    const other = await outsider(t);
    const narrow = await createAgent(t.app.backend, { projectId: te.projectId, name: 'staging-agent', tenantEnvironmentIds: [staging.id] });
    const deployer = subscribeWs(await ws(t.token('DEPLOYER')), RollbackRequestUpdatedDocument, {});
    const stranger = subscribeWs(await ws(other.token), RollbackRequestUpdatedDocument, {});
    const agent = subscribeWs(await ws(t.token('AGENT')), RollbackRequestUpdatedDocument, {});
    const stagingAgent = subscribeWs(await ws(narrow.token), RollbackRequestUpdatedDocument, {});
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

  it('shares one execution between different users with the same roles, and each receives the event', async () => {
    const te = await tenantEnvironment(t, PROD);
    // Alex and Blake: two people, both APPROVER in shop.
    const alex = subscribeWs(await ws(t.token('APPROVER')), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    const blake = subscribeWs(await ws(t.token('APPROVER2')), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    await untilLive([alex, blake], async () => ok(await report(t, 'AGENT', reportInput(PROD, te.head))));
    expect(subscriberCount(t)).toBe(baseline + 1);

    const [seenByAlex, seenByBlake] = [alex.events.length, blake.events.length];
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { health: 'PROGRESSING', syncState: 'OUT_OF_SYNC' })));
    const [fromAlex, fromBlake] = [(await alex.waitFor(seenByAlex + 1)).at(-1)!, (await blake.waitFor(seenByBlake + 1)).at(-1)!];
    expect(fromAlex.syncStatusChanged).toMatchObject({ health: 'PROGRESSING', syncState: 'OUT_OF_SYNC', syncedRevision: te.head, reported: true });
    expect(fromBlake).toEqual(fromAlex);
  });

  it('does not share between users with different roles, and each receives the event', async () => {
    const te = await tenantEnvironment(t, PROD);
    const deployer = subscribeWs(await ws(t.token('DEPLOYER')), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    const approver = subscribeWs(await ws(t.token('APPROVER')), SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    await untilLive([deployer, approver], async () => ok(await report(t, 'AGENT', reportInput(PROD, te.head))));
    expect(subscriberCount(t)).toBe(baseline + 2);

    const [seenByDeployer, seenByApprover] = [deployer.events.length, approver.events.length];
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { health: 'PROGRESSING' })));
    expect((await deployer.waitFor(seenByDeployer + 1)).at(-1)!.syncStatusChanged.health).toBe('PROGRESSING');
    expect((await approver.waitFor(seenByApprover + 1)).at(-1)!.syncStatusChanged.health).toBe('PROGRESSING');
  });

  it('does not share an operation selecting a viewer-identity field across users: each sees its own projectRoles', async () => {
    const te = await tenantEnvironment(t, PROD);
    const services = t.app.backend;
    // A second DEPLOYER: the same roles as Dana, who makes the request.
    const erinId = await createUser(services, { email: 'erin.deployer@acme.example.com', name: 'Erin Deployer' });
    await grantRole(services, { userId: erinId, projectId: te.projectId, role: 'DEPLOYER' });
    const erinToken = (await createUserToken(services, erinId, 'erin')).token;
    const created = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const request = (await rollbackRequestById(services, await authenticate(services.stores, t.token('DEPLOYER')), created.id))!;
    const noteAdded = () =>
      services.events.publish(requestEvent(request, 'NOTE_ADDED', new Date()));

    const variables = { requestId: request.id };
    const dana = subscribeWs(await ws(t.token('DEPLOYER')), RequesterRolesDocument, variables);
    const danaAgain = subscribeWs(await ws(t.token('DEPLOYER')), RequesterRolesDocument, variables);
    const erin = subscribeWs(await ws(erinToken), RequesterRolesDocument, variables);
    await untilLive([dana, danaAgain, erin], noteAdded);

    const seen = [dana, danaAgain, erin].map((s) => s.events.length);
    noteAdded();
    const [fromDana, fromDanaAgain, fromErin] = await Promise.all(
      [dana, danaAgain, erin].map(async (s, i) => (await s.waitFor(seen[i]! + 1)).at(-1)!.rollbackRequestUpdated.request),
    );
    const danaEmail = 'dana.deployer@acme.example.com';
    expect(fromDana).toEqual({ id: request.id, requestedBy: { email: danaEmail, projectRoles: [{ role: 'DEPLOYER', project: { slug: 'shop' } }] } });
    expect(fromDanaAgain).toEqual(fromDana);
    expect(fromErin).toEqual({ id: request.id, requestedBy: { email: danaEmail, projectRoles: [] } });
    // Dana's two sockets still share; Erin has her own execution.
    expect(subscriberCount(t)).toBe(baseline + 2);
  });

  it('finds viewer-identity fields through fragments and inline fragments, and only those', () => {
    const doc = (source: string) => parse(source);
    expect(selectsViewerIdentity(schema, RequesterRolesDocument)).toBe(true);
    expect(
      selectsViewerIdentity(
        schema,
        doc(`subscription { rollbackRequestUpdated { request { reviews { reviewer { ... on User { ...Roles } } } } } }
             fragment Roles on User { ... { projectRoles { role } } }`),
      ),
    ).toBe(true);
    expect(selectsViewerIdentity(schema, RollbackRequestUpdatedDocument)).toBe(false);
    expect(selectsViewerIdentity(schema, SyncStatusChangedDocument)).toBe(false);
    // Roles alone are covered by the share key: viewerRole is not about identity.
    expect(
      selectsViewerIdentity(schema, doc(`subscription { rollbackRequestUpdated { request { tenantEnvironment { project { viewerRole } } } } }`)),
    ).toBe(false);
  });
});
