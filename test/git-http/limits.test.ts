/**
 * Limits of Git over HTTP: the cap on concurrent git processes and the queue before 503, the timeout
 * that ends a stalled client's request, and the server's shutdown ending running git processes.
 * A slot is held by a client that announces a request body and never sends it (git waits for it).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { basicUrl, bearer, gitOk, gitProcessesServing, rawRequest, runGit, waitUntil } from './helpers';

const opened: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function app(env: Record<string, string>): Promise<{ t: TestApp; base: string }> {
  const t = await createTestApp({ env });
  opened.push(t);
  return { t, base: await t.listen() };
}

function workDir(): string {
  const dir = tempDir('backtrack-git-limits-');
  dirs.push(dir);
  return dir;
}

/** An upload-pack request that announces 1,000 bytes of body and sends 4: git http-backend waits for the rest. */
function stalledUploadPack(base: string, token: string): { closed: Promise<string>; abort(): void } {
  const { hostname, port } = new URL(base);
  const req = http.request({
    host: hostname,
    port,
    method: 'POST',
    path: '/git/shop.git/git-upload-pack',
    headers: { ...bearer(token), 'content-type': 'application/x-git-upload-pack-request', 'content-length': '1000' },
  });
  const closed = new Promise<string>((resolve) => {
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(`status ${res.statusCode}`));
    });
  });
  req.write('0032');
  return { closed, abort: () => req.destroy() };
}

describe('the cap on git processes', () => {
  it('with the cap at 1 and no queue, a second concurrent clone gets 503 with Retry-After; the stalled one is ended after GIT_HTTP_TIMEOUT_MS', async () => {
    const { t, base } = await app({ GIT_HTTP_MAX_CONCURRENCY: '1', GIT_HTTP_QUEUE: '0', GIT_HTTP_TIMEOUT_MS: '1500' });
    const token = t.token('DEPLOYER');
    const stalled = stalledUploadPack(base, token);
    await waitUntil('the stalled request holding the slot', () => t.app.git.running() === 1);
    await waitUntil('its git process running', () => gitProcessesServing(t.config.repositoriesDir).length > 0);

    const busy = await rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers: bearer(token) });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('2');
    const clone = await runGit(['clone', basicUrl(base, 'shop', token), path.join(workDir(), 'refused')]);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/503/);

    // The client that stopped sending is cut off, its process killed, and the slot serves again.
    const started = Date.now();
    expect(await stalled.closed).toMatch(/ECONNRESET|socket hang up/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitUntil('no git process left', () => gitProcessesServing(t.config.repositoriesDir).length === 0);
    await waitUntil('the slot free', () => t.app.git.running() === 0);
    await gitOk(['clone', '--bare', basicUrl(base, 'shop', token), path.join(workDir(), 'served')]);
  });

  it('requests beyond the cap wait in the queue (GIT_HTTP_QUEUE) and are served when a slot frees; beyond the queue, 503', async () => {
    const { t, base } = await app({ GIT_HTTP_MAX_CONCURRENCY: '1', GIT_HTTP_QUEUE: '1', GIT_HTTP_TIMEOUT_MS: '60000' });
    const token = t.token('DEPLOYER');
    const stalled = stalledUploadPack(base, token);
    await waitUntil('the slot taken', () => t.app.git.running() === 1);
    const queued = runGit(['clone', '--bare', basicUrl(base, 'shop', token), path.join(workDir(), 'queued')]);
    await waitUntil('a clone in the queue', () => t.app.git.queued() === 1);
    const overflow = await rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers: bearer(token) });
    expect(overflow.status).toBe(503);

    stalled.abort();
    const clone = await queued;
    expect(clone.code, clone.stderr).toBe(0);
    await waitUntil('no git process left', () => gitProcessesServing(t.config.repositoriesDir).length === 0);
  });

  it('a client that disconnects while queued leaves the queue', async () => {
    const { t, base } = await app({ GIT_HTTP_MAX_CONCURRENCY: '1', GIT_HTTP_QUEUE: '4' });
    const token = t.token('DEPLOYER');
    const stalled = stalledUploadPack(base, token);
    await waitUntil('the slot taken', () => t.app.git.running() === 1);
    const waiting = stalledUploadPack(base, token);
    await waitUntil('one request queued', () => t.app.git.queued() === 1);
    waiting.abort();
    await waitUntil('the queue empty', () => t.app.git.queued() === 0);
    stalled.abort();
    await waitUntil('the slot free', () => t.app.git.running() === 0);
  });
});

describe('shutdown', () => {
  it('stop() ends running git processes at once and answers queued requests 503', async () => {
    const { t, base } = await app({ GIT_HTTP_MAX_CONCURRENCY: '1', GIT_HTTP_QUEUE: '2', GIT_HTTP_TIMEOUT_MS: '600000', SHUTDOWN_TIMEOUT_MS: '20000' });
    const token = t.token('DEPLOYER');
    const stalled = stalledUploadPack(base, token);
    await waitUntil('the slot taken', () => t.app.git.running() === 1);
    const queued = rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers: bearer(token) });
    await waitUntil('one request queued', () => t.app.git.queued() === 1);
    await waitUntil('the git process running', () => gitProcessesServing(t.config.repositoriesDir).length > 0);

    const started = Date.now();
    const { timedOut } = await t.app.stop();
    expect(timedOut).toBe(false);
    // Not held by the stalled client: well before the shutdown timeout (20 s), let alone the Git timeout (600 s).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(gitProcessesServing(t.config.repositoriesDir)).toEqual([]);
    expect((await queued).status).toBe(503);
    expect(await stalled.closed).toMatch(/ECONNRESET|socket hang up/);
    opened.splice(opened.indexOf(t), 1);
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  });
});

describe('configuration', () => {
  it('defaults: twice the cores, a queue of 8, 60 s; bad values are refused with the variable named', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/x' });
    expect(config.GIT_HTTP_MAX_CONCURRENCY).toBe(2 * os.availableParallelism());
    expect(config.GIT_HTTP_QUEUE).toBe(8);
    expect(config.GIT_HTTP_TIMEOUT_MS).toBe(60_000);
    expect(config.PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://backtrack.example.com/ops/' }).PUBLIC_URL).toBe('https://backtrack.example.com/ops');
    for (const [variable, value] of [
      ['GIT_HTTP_MAX_CONCURRENCY', '0'],
      ['GIT_HTTP_QUEUE', '-1'],
      ['GIT_HTTP_TIMEOUT_MS', 'soon'],
      ['PUBLIC_URL', 'ftp://backtrack.example.com'],
      ['PUBLIC_URL', 'https://backtrack.example.com/?x=1'],
    ] as const) {
      expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [variable]: value })).toThrow(variable);
    }
  });
});
