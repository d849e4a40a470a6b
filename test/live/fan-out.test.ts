/**
 * A shared subscription's result is serialized once and its text written to every socket that
 * shares it, each under its own subscription id: over real sockets, the frames are what graphql-ws
 * would write, a completed id gets nothing more, members with different permissions each get
 * exactly what they may read, errors reach everyone, and a socket that stops reading is ended alone.
 */
import { once } from 'node:events';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { authenticate } from '../../src/domain/auth';
import { domainEvent, requestEvent, type DeploymentRecorded } from '../../src/domain/events';
import { rollbackRequestById } from '../../src/domain/requests/rollback-requests';
import { createTestApp, type TestApp } from '../kit/app';
import { connectWs, PROD, STAGING, subscribeWs, subscriberCount, until, untilLive, wsUrl, type Collector } from './helpers';
import { requestTagRollback, tenantEnvironment } from './scenario';

interface RequestNote {
  rollbackRequestUpdated: { change: string; request: { id: string; justification: string } };
}
const RequestUpdatesDocument = parse(
  'subscription Notes($te: ID) { rollbackRequestUpdated(tenantEnvironmentId: $te) { change request { id justification } } }',
) as TypedDocumentNode<RequestNote, { te?: string }>;
/** As the graphql-ws client sends it: subscriptions share by the operation's text. */
const REQUEST_UPDATES = print(RequestUpdatesDocument);
const DEPLOYMENTS = 'subscription Deployments($te: ID!) { deploymentRecorded(tenantEnvironmentId: $te) { revision } }';

interface Frame {
  text: string;
  message: { id?: string; type: string; payload?: { data?: unknown; errors?: Array<{ message: string }> } & Record<string, unknown> };
}

/** The graphql-transport-ws protocol by hand over a real socket, keeping each frame's text as it arrived. */
async function protocolSocket(baseUrl: string, token: string) {
  const socket = new WebSocket(wsUrl(baseUrl), 'graphql-transport-ws');
  const frames: Frame[] = [];
  socket.on('message', (data) => {
    const text = String(data);
    frames.push({ text, message: JSON.parse(text) as Frame['message'] });
  });
  await once(socket, 'open');
  const send = (message: object) => socket.send(JSON.stringify(message));
  send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  await until(() => frames.some((f) => f.message.type === 'connection_ack'), 'connection_ack');
  let pings = 0;
  return {
    socket,
    frames,
    subscribe: (id: string, query: string, variables: Record<string, unknown>) => send({ id, type: 'subscribe', payload: { query, variables } }),
    complete: (id: string) => send({ id, type: 'complete' }),
    /** Frames of one subscription, by type. */
    of: (id: string, type = 'next') => frames.filter((f) => f.message.id === id && f.message.type === type),
    /** Resolves once the server has handled everything sent before (it answers pings in order). */
    async barrier() {
      const payload = { n: ++pings };
      send({ type: 'ping', payload });
      await until(() => frames.some((f) => f.message.type === 'pong' && (f.message.payload as { n?: number } | undefined)?.n === payload.n), 'pong');
    },
    close: () => socket.close(),
  };
}

type ProtocolSocket = Awaited<ReturnType<typeof protocolSocket>>;

describe('shared subscription results written to many sockets', () => {
  let t: TestApp;
  let baseUrl: string;
  let baseline = 0;
  const cleanups: Array<() => unknown> = [];

  beforeEach(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    baseline = subscriberCount(t);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await t.close();
  });

  const raw = async (token: string) => {
    const socket = await protocolSocket(baseUrl, token);
    cleanups.push(() => socket.close());
    return socket;
  };
  const client = async (token: string) => {
    const connection = connectWs(baseUrl, token);
    cleanups.push(() => connection.dispose());
    await connection.connected;
    return connection;
  };

  /** A pending production request (production needs an approval) and a way to publish a note on it. */
  const pendingRequest = async () => {
    const te = await tenantEnvironment(t, PROD);
    const created = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const services = t.app.backend;
    const request = (await rollbackRequestById(services, await authenticate(services.stores, t.token('DEPLOYER')), created.id))!;
    const note = (justification: string) => services.events.publish(requestEvent({ ...request, justification }, 'NOTE_ADDED', new Date()));
    return { te, request, note };
  };

  it('writes each result to every subscription of every socket under its own id, as graphql-ws frames it, and nothing to a completed id', async () => {
    const { te, note } = await pendingRequest();
    const variables = { te: te.id };
    const socket = await raw(t.token('DEPLOYER'));
    socket.subscribe('a', REQUEST_UPDATES, variables);
    socket.subscribe('b', REQUEST_UPDATES, variables);
    const other = subscribeWs(await client(t.token('DEPLOYER')), RequestUpdatesDocument, variables);
    await untilLive([other], () => note('probe'));
    await until(() => socket.of('a').length > 0 && socket.of('b').length > 0, 'both ids to receive the probe');
    expect(subscriberCount(t)).toBe(baseline + 1);

    const [seenA, seenB, seenOther] = [socket.of('a').length, socket.of('b').length, other.events.length];
    note('first');
    await until(() => socket.of('a').length > seenA && socket.of('b').length > seenB && other.events.length > seenOther, 'the first note everywhere');
    const [a, b] = [socket.of('a').at(-1)!, socket.of('b').at(-1)!];
    // One text for all of them: only the id differs, and the frame is graphql-ws's own serialization.
    expect(a.text.replace('"id":"a"', '"id":"b"')).toBe(b.text);
    expect(b.text).toBe(JSON.stringify({ id: 'b', type: 'next', payload: b.message.payload }));
    expect(Object.keys(b.message.payload!)).toEqual(['data']);
    const data = b.message.payload!.data as RequestNote;
    expect(data.rollbackRequestUpdated).toMatchObject({ change: 'NOTE_ADDED', request: { justification: 'first' } });
    expect(other.events.at(-1)).toEqual(data);

    // Completing one id ends only that subscription; the socket's other one and the other socket go on.
    socket.complete('a');
    await socket.barrier();
    note('second');
    await until(() => socket.of('b').length > seenB + 1 && other.events.length > seenOther + 1, 'the second note');
    expect(socket.of('a')).toHaveLength(seenA + 1);
    expect((socket.of('b').at(-1)!.message.payload!.data as typeof data).rollbackRequestUpdated.request.justification).toBe('second');
    expect(socket.of('a', 'complete')).toEqual([]);
    expect(subscriberCount(t)).toBe(baseline + 1);
  });

  it('gives each member of shared streams exactly the events its permissions allow, with several sockets per permission set', async () => {
    const prod = await tenantEnvironment(t, PROD);
    const staging = await tenantEnvironment(t, STAGING);
    const services = t.app.backend;
    const stagingAgent = await createAgent(services, { projectId: prod.projectId, name: 'staging-agent', tenantEnvironmentIds: [staging.id] });
    // A staging request (it completes at once): its notes are visible to all four permission sets below.
    const created = await requestTagRollback(t, 'DEPLOYER', staging.tagTarget, STAGING);
    const stagingRequest = (await rollbackRequestById(services, await authenticate(services.stores, t.token('DEPLOYER')), created.id))!;
    const stagingNote = (justification: string) => services.events.publish(requestEvent({ ...stagingRequest, justification }, 'NOTE_ADDED', new Date()));

    const viewers: Record<string, string> = { deployer: t.token('DEPLOYER'), approver: t.token('APPROVER'), agent: t.token('AGENT'), stagingAgent: stagingAgent.token };
    // Two sockets per permission set, two subscriptions on the first of them: all share per set.
    const members: Array<{ who: string; stream: Collector<RequestNote> }> = [];
    for (const [who, token] of Object.entries(viewers)) {
      const [first, second] = [await client(token), await client(token)];
      for (const connection of [first, first, second]) members.push({ who, stream: subscribeWs(connection, RequestUpdatesDocument, {}) });
    }
    await untilLive(
      members.map((m) => m.stream),
      () => stagingNote('probe'),
    );
    expect(subscriberCount(t)).toBe(baseline + Object.keys(viewers).length);

    const prodRequest = await requestTagRollback(t, 'DEPLOYER', prod.tagTarget);
    stagingNote('last');
    const expected: Record<string, string[]> = {
      deployer: [prodRequest.id, stagingRequest.id],
      approver: [prodRequest.id, stagingRequest.id],
      agent: [prodRequest.id, stagingRequest.id],
      stagingAgent: [stagingRequest.id],
    };
    for (const [i, { who, stream }] of members.entries()) {
      const noted = () => stream.events.filter((e) => e.rollbackRequestUpdated.request.justification !== 'probe');
      await until(() => noted().some((e) => e.rollbackRequestUpdated.request.justification === 'last'), `the last note at ${who} #${i}`);
      // The last note comes last for everyone, so whatever a member may not read was already passed over.
      expect(noted().map((e) => e.rollbackRequestUpdated.request.id), `${who} #${i}`).toEqual(expected[who]);
    }
  });

  it('gives every member the same errors of a shared result, framed as graphql-ws frames them', async () => {
    const te = await tenantEnvironment(t, PROD);
    const sockets: ProtocolSocket[] = [await raw(t.token('DEPLOYER')), await raw(t.token('DEPLOYER'))];
    sockets.forEach((socket, i) => socket.subscribe(`d${i}`, DEPLOYMENTS, { te: te.id }));
    // A deployment id nobody stored: the non-null field fails in the one shared execution.
    const recorded = () =>
      t.app.backend.events.publish(
        domainEvent<DeploymentRecorded>({ type: 'deploymentRecorded', projectId: te.projectId, tenantEnvironmentId: te.id, deploymentId: 'missing' }, new Date()),
      );
    for (let attempt = 0; attempt < 50 && !sockets.every((s, i) => s.of(`d${i}`).length > 0); attempt++) {
      recorded();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until(() => sockets.every((s, i) => s.of(`d${i}`).length > 0), 'the failed result at both sockets');
    const [first, second] = sockets.map((s, i) => s.of(`d${i}`)[0]!);
    expect(first!.text.replace('"id":"d0"', '"id":"d1"')).toBe(second!.text);
    expect(Object.keys(first!.message.payload!)).toEqual(['data', 'errors']);
    expect(first!.message.payload).toEqual({
      data: null,
      // Masked like any unexpected error, with its location and path.
      errors: [{ message: 'Unexpected error.', locations: [{ line: 1, column: 38 }], path: ['deploymentRecorded'], extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 } }],
    });
    expect(subscriberCount(t)).toBe(baseline + 1);
  });

  it('ends the subscription of a socket that stopped reading, with an error once it reads again, and keeps the others receiving', async () => {
    const { te, note } = await pendingRequest();
    const variables = { te: te.id };
    const stuck = await raw(t.token('DEPLOYER'));
    stuck.subscribe('s', REQUEST_UPDATES, variables);
    const reading = subscribeWs(await client(t.token('DEPLOYER')), RequestUpdatesDocument, variables);
    await untilLive([reading], () => note('probe'));
    await until(() => stuck.of('s').length > 0, 'the probe at the socket that will stop reading');
    stuck.socket.pause();

    // Half a megabyte per event: past the socket buffers of both ends and the server's own limit.
    const large = 'x'.repeat(512 * 1024);
    const count = 120;
    for (let i = 0; i < count; i++) {
      note(`${i} ${large}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const notes = () => reading.events.filter((e) => e.rollbackRequestUpdated.request.justification !== 'probe');
    await until(() => notes().length >= count, `${count} notes at the socket that reads`, 60_000);
    expect(notes().map((e) => e.rollbackRequestUpdated.request.justification.split(' ')[0])).toEqual(
      Array.from({ length: count }, (_, i) => String(i)),
    );

    stuck.socket.resume();
    await until(() => stuck.of('s', 'error').length > 0, 'the stuck subscription to be ended', 60_000);
    const justification = (f: Frame) => (f.message.payload!.data as RequestNote).rollbackRequestUpdated.request.justification;
    const received = stuck.of('s').filter((f) => justification(f) !== 'probe');
    expect(received.length).toBeLessThan(count);
    // What it got before it was cut off is in order, with nothing skipped.
    expect(received.map((f) => justification(f).split(' ')[0])).toEqual(
      Array.from({ length: received.length }, (_, i) => String(i)),
    );
    expect(stuck.of('s', 'error')[0]!.message.payload).toEqual([{ message: 'the subscriber stopped reading its results and was ended; subscribe again' }]);
    expect(stuck.socket.readyState).toBe(WebSocket.OPEN);
    expect(subscriberCount(t)).toBe(baseline + 1);
  });
});
