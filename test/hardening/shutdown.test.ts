/**
 * Graceful shutdown of a real process: SIGTERM while a rollback mutation is in flight (held by
 * FAULT_PAUSE_AT for a moment) finishes that mutation, refuses new connections, closes
 * graphql-ws sockets with 1001 (going away) and exits 0 before SHUTDOWN_TIMEOUT_MS.
 */
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../kit/app';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { bodyOf, killAllSpawned, spawnServer, tempDir, waitFor } from './helpers';
import { mainHead, requestRows, requestStagingRollback, rollbackCommits, stagingTagTarget, tagRollbackInput } from './recovery';

const dataDirs: string[] = [];
afterAll(async () => {
  await killAllSpawned();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves true when a TCP connection to the port is refused, false when it is accepted. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** An acknowledged graphql-transport-ws socket with a live subscription; resolves its close code. */
async function openSubscription(url: string, token: string): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== 'connection_ack') return;
      socket.send(JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: 'subscription { rollbackRequestUpdated { change } }' } }));
      resolve();
    });
    socket.on('error', reject);
  });
  return { closed };
}

describe('SIGTERM with a mutation in flight', () => {
  it('finishes the mutation, refuses new connections, closes sockets with 1001 and exits 0', async () => {
    const dataDir = tempDir('backtrack-shutdown-');
    dataDirs.push(dataDir);
    const server = await spawnServer(dataDir, {
      FAULT_PAUSE_AT: 'before-rollback-commit',
      FAULT_PAUSE_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
    const token = server.token('DEPLOYER');
    const target = await stagingTagTarget(server.url, token);
    const socket = await openSubscription(server.url, token);

    const inFlight = requestStagingRollback(server.url, token, target);
    const executing = await waitFor('the request EXECUTING', () => requestRows(dataDir).find((r) => r.state === 'EXECUTING'));
    server.child.kill('SIGTERM');

    // The listener closes at once: new connections are refused while the mutation still runs.
    await waitFor('new connections refused', () => refused(server.port));
    expect((await socket.closed).code).toBe(1001);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.errors, response.text).toBeUndefined();
    const request = (response.body.data as { requestRollback: { id: string; state: string; resultRevision: string } }).requestRollback;
    expect(request).toMatchObject({ id: executing.id, state: 'COMPLETED' });

    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // What the client was told is what the data directory holds.
    expect(requestRows(dataDir).find((r) => r.id === executing.id)).toMatchObject({ state: 'COMPLETED', result_sha: request.resultRevision });
    expect(rollbackCommits(dataDir, executing.id)).toEqual([request.resultRevision]);
    expect(mainHead(dataDir)).toBe(request.resultRevision);
    const lines = server.logLines();
    expect(lines.some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM')).toBe(true);
    expect(lines.some((line) => line.msg === 'shutdown timed out')).toBe(false);
  }, 120_000);
});

describe('while stopping (in process)', () => {
  it('/ready is 503 and a keep-alive connection ends after its in-flight response', async () => {
    const t = await createTestApp({ env: { FAULT_PAUSE_AT: 'before-rollback-commit', FAULT_PAUSE_MS: '1500' } });
    const base = await t.listen();
    const target = await stagingTagTarget(`${base}/graphql`, t.token('DEPLOYER'));
    const body = JSON.stringify(bodyOf(RequestRollbackDocument, tagRollbackInput(target)));
    // One raw keep-alive connection: the mutation, then (once stopping) a readiness probe on the same socket.
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: backtrack\r\nContent-Type: application/json\r\nAuthorization: Bearer ${t.token('DEPLOYER')}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await waitFor('the request EXECUTING', () => requestRows(t.dataDir).find((r) => r.state === 'EXECUTING'));
    const stopped = t.app.stop();
    socket.write('GET /ready HTTP/1.1\r\nHost: backtrack\r\n\r\n');
    await socketClosed;
    expect(await stopped).toEqual({ timedOut: false });

    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[0]).toContain('"state":"COMPLETED"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toMatch(/\r\nconnection: close\r\n/i);
    expect(responses[1]).toContain('{"status":"not ready"}');
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  }, 60_000);
});

describe('SIGTERM with a mutation in flight over graphql-ws', () => {
  it('finishes the mutation before closing the database, then exits 0', async () => {
    const dataDir = tempDir('backtrack-shutdown-ws-');
    dataDirs.push(dataDir);
    const server = await spawnServer(dataDir, {
      FAULT_PAUSE_AT: 'before-rollback-commit',
      FAULT_PAUSE_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
    const token = server.token('DEPLOYER');
    const target = await stagingTagTarget(server.url, token);
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string };
      messages.push(message);
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: 'rollback', type: 'subscribe', payload: bodyOf(RequestRollbackDocument, tagRollbackInput(target)) }));
      }
    });
    const executing = await waitFor('the request EXECUTING', () => requestRows(dataDir).find((r) => r.state === 'EXECUTING'));
    server.child.kill('SIGTERM');

    expect(await closed).toBe(1001);
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // The socket went away, but the mutation it started was carried through before the database closed.
    const row = requestRows(dataDir).find((r) => r.id === executing.id)!;
    expect(row.state, JSON.stringify(row)).toBe('COMPLETED');
    expect(rollbackCommits(dataDir, executing.id)).toEqual([row.result_sha]);
    expect(server.stderr()).not.toMatch(/database connection is not open/);
  }, 120_000);
});

describe('SIGTERM with a mutation longer than SHUTDOWN_TIMEOUT_MS', () => {
  it('does not wait past the timeout; the next start reconciles the interrupted request', async () => {
    const dataDir = tempDir('backtrack-shutdown-timeout-');
    dataDirs.push(dataDir);
    const server = await spawnServer(dataDir, {
      FAULT_PAUSE_AT: 'before-rollback-commit',
      FAULT_PAUSE_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const token = server.token('DEPLOYER');
    const target = await stagingTagTarget(server.url, token);
    const inFlight = requestStagingRollback(server.url, token, target).catch((error: Error) => error);
    const executing = await waitFor('the request EXECUTING', () => requestRows(dataDir).find((r) => r.state === 'EXECUTING'));
    server.child.kill('SIGTERM');

    // The process ends by itself (the pause is a minute; vitest's timeout is far shorter) and says why.
    const exit = await server.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(server.logLines().some((line) => /shutdown time/.test(String(line.msg)))).toBe(true);
    expect(await inFlight).toBeInstanceOf(Error);

    const restarted = await spawnServer(dataDir);
    expect(requestRows(dataDir).filter((r) => r.state === 'EXECUTING')).toEqual([]);
    expect(requestRows(dataDir).find((r) => r.id === executing.id)).toMatchObject({ state: 'FAILED', error_code: 'EXECUTION_INTERRUPTED' });
    await restarted.kill();
  }, 120_000);
});
