/**
 * Delivery survives a SIGKILL of a real server process: a row committed before the kill is
 * delivered after the restart, and the one whose request was in flight is sent again with the same
 * idempotency key. Also: two dispatchers on one outbox never send the same row at once, and a
 * dispatcher stopped while claiming sends nothing once stop() resolved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, demoTemplate, type TestApp } from '../kit/app';
import { childEnv } from '../kit/child-env';
import { copyDataDir } from '../kit/template';
import { createDispatcher } from '../../src/notifications/dispatcher';
import { AddressPolicy } from '../../src/notifications/address-policy';
import { createLogger } from '../../src/logger';
import { DELIVERIES, FAST_NOTIFY, REQUEST_ROLLBACK, SET_TARGET, data, eventually, gql, startReceiver, tagRollbackInput, type Receiver } from './helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];
const receivers: Receiver[] = [];
const dirs: string[] = [];
let t: TestApp | null = null;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await t?.close();
  t = null;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** `node --import tsx src/main.ts`, one process (no wrapper that would outlive a SIGKILL); resolves with its URL. */
function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms\n${stdout}\n${stderr}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/\S+)\/graphql/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: url.replace('localhost', '127.0.0.1'), exited });
      }
    });
    void exited.then(() => reject(new Error(`server exited before listening\n${stdout}\n${stderr}`)));
  });
}

describe('after a SIGKILL', () => {
  it('the server delivers what was committed before the kill; the request in flight is sent again with the same idempotency key', async () => {
    const template = await demoTemplate();
    const dataDir = copyDataDir(template.dataDir);
    dirs.push(dataDir);
    const tokenOf = (role: string) => template.info.users.find((u) => u.role === role)!.token;
    // The first request is received and never answered: the server is killed while it waits.
    const receiver = await startReceiver((n) => (n === 0 ? 'hang' : 200));
    receivers.push(receiver);
    const env = { ...FAST_NOTIFY, NOTIFY_TIMEOUT_MS: '1500', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', COMPUTE_THREADS: '0' };

    const first = await startServer(env);
    data(
      await gql(first.url, tokenOf('ADMIN'), SET_TARGET, {
        input: { project: 'shop', name: 'hook', kind: 'WEBHOOK', url: receiver.url, secret: 's3cret', eventKinds: ['REQUEST_CREATED', 'REQUEST_AWAITING_APPROVAL'] },
      }),
    );
    const request = data(await gql(first.url, tokenOf('DEPLOYER'), REQUEST_ROLLBACK, await tagRollbackInput(first.url, tokenOf('DEPLOYER')))).requestRollback;
    const [inFlight] = await receiver.waitFor(1);
    expect(inFlight!.json.kind).toBe('REQUEST_CREATED');
    first.child.kill('SIGKILL');
    await first.exited;

    // Both rows were committed with the request; neither outcome was recorded.
    const second = await startServer(env);
    const got = await receiver.waitFor(3, 20_000);
    expect(got.map((r) => r.json.kind)).toEqual(['REQUEST_CREATED', 'REQUEST_CREATED', 'REQUEST_AWAITING_APPROVAL']);
    expect(got[1]!.headers['idempotency-key']).toBe(inFlight!.headers['idempotency-key']);
    expect(got[1]!.raw.equals(inFlight!.raw)).toBe(true);
    expect(got[2]!.json.request.id).toBe(request.id);

    const nodes = await eventually(async () => {
      const edges = data(await gql(second.url, tokenOf('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return edges.length === 2 && edges.every((n: any) => n.state === 'DELIVERED') ? edges : null;
    }, 'both delivered after the restart');
    expect(nodes.map((n: any) => n.eventId).sort()).toEqual([got[1]!.headers['idempotency-key'], got[2]!.headers['idempotency-key']].sort());
    // No more copies arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(3);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});

describe('two dispatchers on one outbox', () => {
  it('send every row once, in order per target', async () => {
    t = await createTestApp({ env: { ...FAST_NOTIFY, NOTIFY_POLL_MS: '10' } });
    await t.listen();
    const receiver = await startReceiver();
    receivers.push(receiver);
    data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'hook', kind: 'WEBHOOK', url: receiver.url, eventKinds: ['BREAK_GLASS_OPENED'] } }));
    // A second instance's dispatcher on the same database, polling as often.
    const other = createDispatcher(
      t.app.backend,
      { backoffBaseMs: 20, backoffMaxMs: 200, timeoutMs: 3000, maxAttempts: 6, pollMs: 10, concurrency: 16 },
      new AddressPolicy(['127.0.0.1']),
      createLogger('silent'),
    );
    other.start();
    try {
      const sessions: string[] = [];
      for (let i = 0; i < 12; i++) {
        sessions.push(data(await gql(t, t.token('DEPLOYER'), `mutation { openBreakGlassSession(input: { project: "shop", justification: "incident ${i}" }) { id } }`)).openBreakGlassSession.id);
      }
      const got = await receiver.waitFor(12);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.received).toHaveLength(12);
      expect(got.map((r) => r.json.breakGlass.id)).toEqual(sessions);
    } finally {
      await other.stop();
    }
  });

  it('stop() during a claim waits for it and starts no attempt afterwards (nothing reads a closed database)', async () => {
    // Not listening: the app's own dispatcher stays idle, and only the one below reads the outbox.
    t = await createTestApp({ env: FAST_NOTIFY });
    const receiver = await startReceiver();
    receivers.push(receiver);
    data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'hook', kind: 'WEBHOOK', url: receiver.url, eventKinds: ['BREAK_GLASS_OPENED'] } }));
    data(await gql(t, t.token('DEPLOYER'), 'mutation { openBreakGlassSession(input: { project: "shop", justification: "incident" }) { id } }'));

    // The claim transaction is held at a gate, so stop() is called while it is under way.
    const real = t.app.backend;
    let claiming!: () => void;
    const claimStarted = new Promise<void>((resolve) => (claiming = resolve));
    let releaseClaim!: () => void;
    const gate = new Promise<void>((resolve) => (releaseClaim = resolve));
    const gated = Object.create(real, {
      transact: { value: async (work: Parameters<typeof real.transact>[0]) => (claiming(), await gate, real.transact(work)) },
    }) as typeof real;
    const dispatcher = createDispatcher(
      gated,
      { backoffBaseMs: 20, backoffMaxMs: 200, timeoutMs: 3000, maxAttempts: 6, pollMs: 10, concurrency: 16 },
      new AddressPolicy(['127.0.0.1']),
      createLogger('silent'),
    );
    dispatcher.start();
    await claimStarted;
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    releaseClaim();
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(0);
    // The row stays in the outbox, leased, for the next start to send.
    const rows = data(await gql(t, t.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges;
    expect(rows.map((e: { node: { state: string; attempts: number } }) => [e.node.state, e.node.attempts])).toEqual([['PENDING', 0]]);
  });
});
