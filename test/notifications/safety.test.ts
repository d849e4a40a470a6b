/** Server-side request forgery: refused at configuration and again at connect time; a dead target never slows the change that caused its event. */
import dns from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, openTestApp, type TestApp } from '../kit/app';
import { AddressPolicy } from '../../src/notifications/address-policy';
import { postOnce, MAX_RESPONSE_BYTES } from '../../src/notifications/safe-http';
import { DELIVERIES, FAST_NOTIFY, REQUEST_ROLLBACK, SET_TARGET, data, eventually, gql, startReceiver, tagRollbackInput, type Receiver } from './helpers';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let t: TestApp | null = null;
const receivers: Receiver[] = [];

afterEach(async () => {
  await t?.close();
  t = null;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const codeOf = (result: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => result.errors?.[0]?.extensions?.code;

describe('target URLs', () => {
  it('are refused at configuration when they name or resolve to loopback, link-local or private addresses, or are not http(s)', async () => {
    t = await createTestApp();
    const receiver = await startReceiver();
    receivers.push(receiver);
    const set = (url: string, kind = 'WEBHOOK') => gql(t!, t!.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'hook', kind, url } });
    for (const url of [
      receiver.url,
      `http://localhost:${receiver.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/hook',
      'http://192.168.1.1/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
    ]) {
      const result = await set(url);
      expect(codeOf(result), url).toBe('NOTIFICATION_ADDRESS_REFUSED');
      expect(result.errors![0]!.message).toMatch(/loopback, link-local, private or reserved/);
    }
    for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'not a url', 'http://user:pw@example.com/hook', 'http://no-such-host.invalid/hook']) {
      expect(codeOf(await set(url)), url).toBe('INVALID_NOTIFICATION_URL');
    }
    expect(codeOf(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'Bad Name', kind: 'WEBHOOK', url: 'https://example.com/' } }))).toBe('INVALID_NOTIFICATION_TARGET');
    // Nothing was stored and nothing was sent.
    expect(data(await gql(t, t.token('ADMIN'), `{ project(slug: "shop") { notificationTargets { name } } }`)).project.notificationTargets).toEqual([]);
    expect(receiver.received).toHaveLength(0);
  });

  it('are checked again on the resolved address at connect time: a name that resolves to 127.0.0.1 is never connected to', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const strict = new AddressPolicy([]);
    const post = (url: string, policy = strict) => postOnce(new URL(url), { 'content-type': 'application/json' }, Buffer.from('{}'), { timeoutMs: 2000, policy });
    // localhost resolves (through the system resolver, as at delivery) to loopback.
    expect((await dns.promises.lookup('localhost', { all: true })).length).toBeGreaterThan(0);
    await expect(post(`http://localhost:${receiver.port}/`)).rejects.toMatchObject({ code: 'NOTIFICATION_ADDRESS_REFUSED' });
    await expect(post(`http://127.0.0.1:${receiver.port}/`)).rejects.toMatchObject({ code: 'NOTIFICATION_ADDRESS_REFUSED' });
    expect(receiver.received).toHaveLength(0);
    // Allowed explicitly, the same receiver is reached.
    const result = await post(`http://127.0.0.1:${receiver.port}/`, new AddressPolicy(['127.0.0.0/8']));
    expect(result.status).toBe(200);
    expect(receiver.received).toHaveLength(1);
  });

  it('a stored target whose address is refused when delivering fails its attempts without connecting, naming the host', async () => {
    // Configured while 127.0.0.1 was allowed, delivered by a server where it no longer is.
    t = await createTestApp({ env: { ...FAST_NOTIFY, NOTIFY_ALLOWED_NETWORKS: '', NOTIFY_MAX_ATTEMPTS: '2' } });
    await t.listen();
    const receiver = await startReceiver();
    receivers.push(receiver);
    const project = (await t.app.backend.stores.projects.bySlug('shop'))!;
    await t.app.backend.transact(({ stores }) =>
      stores.notificationTargets.upsert({ id: 'ntt-stale', projectId: project.id, name: 'stale', kind: 'WEBHOOK', url: `http://localhost:${receiver.port}/`, secret: null, eventKinds: [], tenantEnvironmentIds: [], updatedAt: new Date() }),
    );
    data(await gql(t, t.token('DEPLOYER'), `mutation { openBreakGlassSession(input: { project: "shop", justification: "SEV1" }) { id } }`));
    const dead = await eventually(async () => {
      const [node] = data(await gql(t!, t!.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return node?.state === 'DEAD' ? node : null;
    }, 'the refused delivery DEAD');
    expect(dead.lastStatus).toBeNull();
    expect(dead.lastError).toMatch(/refused: localhost resolves to .*loopback/);
    expect(receiver.received).toHaveLength(0);
  });

  it('answers are read up to a cap', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(500);
      res.end(Buffer.alloc(MAX_RESPONSE_BYTES * 8, 'x'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const result = await postOnce(new URL(`http://127.0.0.1:${port}/`), {}, Buffer.from('{}'), { timeoutMs: 2000, policy: new AddressPolicy(['127.0.0.1']) });
      expect(result.status).toBe(500);
      expect(result.body.length).toBe(MAX_RESPONSE_BYTES);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('a target that never answers', () => {
  it('does not delay requestRollback; its attempt times out later and is retried', async () => {
    t = await createTestApp({ env: { ...FAST_NOTIFY, NOTIFY_TIMEOUT_MS: '4000' } });
    await t.listen();
    const receiver = await startReceiver(() => 'hang');
    receivers.push(receiver);
    data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'blackhole', kind: 'WEBHOOK', url: receiver.url } }));
    const input = await tagRollbackInput(t, t.token('DEPLOYER'));
    const started = performance.now();
    const request = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, input)).requestRollback;
    const elapsed = performance.now() - started;
    expect(request.state).toBe('PENDING');
    // Well under one delivery timeout: the request does not wait for the target.
    expect(elapsed).toBeLessThan(2000);
    await receiver.waitFor(1);
    const node = await eventually(async () => {
      const nodes = data(await gql(t!, t!.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return nodes.find((n: any) => n.eventKind === 'REQUEST_CREATED' && n.attempts >= 1);
    }, 'the first attempt to time out', 10_000);
    expect(node.lastError).toBe('no answer within 4000 ms');
    expect(node.state).toBe('PENDING');
  });

  it('does not hold up shutdown: the attempt in flight is given up, recorded, and sent again after the restart with the same key', async () => {
    const first = await createTestApp({ env: { ...FAST_NOTIFY, NOTIFY_TIMEOUT_MS: '20000' } });
    t = first;
    await first.listen();
    const receiver = await startReceiver((n) => (n === 0 ? 'hang' : 200));
    receivers.push(receiver);
    data(await gql(first, first.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'slow', kind: 'WEBHOOK', url: receiver.url, eventKinds: ['BREAK_GLASS_OPENED'] } }));
    data(await gql(first, first.token('DEPLOYER'), `mutation { openBreakGlassSession(input: { project: "shop", justification: "SEV1" }) { id } }`));
    const [hung] = await receiver.waitFor(1);
    const stopping = performance.now();
    await first.app.stop();
    expect(performance.now() - stopping).toBeLessThan(5000);
    t = openTestApp(first.dataDir, first.credentials, { env: FAST_NOTIFY });
    const [row] = await t.app.backend.stores.notificationDeliveries.list((await t.app.backend.stores.projects.bySlug('shop'))!.id, {}, { limit: 5, beforeId: null });
    expect(row).toMatchObject({ state: 'PENDING', attempts: 1, lastError: 'given up: the server is shutting down', leaseOwner: null });
    await t.listen();
    const [, again] = await receiver.waitFor(2);
    expect(again!.headers['idempotency-key']).toBe(hung!.headers['idempotency-key']);
  });
});
