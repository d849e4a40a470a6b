/**
 * A 100 MB repository over Git HTTP: the server's memory stays flat while it is cloned (the pack is
 * streamed, never buffered), and a client killed mid-clone leaves no git process behind. The
 * repository is a project created through the domain, filled with incompressible blobs by
 * `git fast-import` in a shell of its own (so the test process never holds the data either).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/domain/admin';
import { argoCdRepositorySnippet } from '../../src/domain/repository-tokens';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { git } from '../kit/git-cli';
import { basic, basicUrl, CLIENT_ENV, gitCommandsServing, gitOk, gitProcessesServing, runGit, waitUntil } from './helpers';

const BLOBS = 20;
const BLOB_BYTES = 5 * 1024 * 1024;
const MB = 1024 * 1024;
/**
 * What the server may grow by while it streams 100 MB: half of it, where buffering the pack would take
 * all of it. (Chunks already sent are garbage until V8 collects them, which it does once some tens
 * of MB of buffers accumulated: that, not the stream, is most of what is measured.)
 */
const RSS_BOUND = 50 * MB;
const BUFFERS_BOUND = 50 * MB;

let t: TestApp;
let base: string;
let work: string;
let url: string;

/** Random blobs written by fast-import straight into a pack (stored, not compressed: the data would not shrink anyway). */
function fillRepository(gitDir: string): Promise<void> {
  const script = `
    set -euo pipefail
    {
      for i in $(seq 1 ${BLOBS}); do
        printf 'blob\\nmark :%d\\ndata ${BLOB_BYTES}\\n' "$i"
        head -c ${BLOB_BYTES} /dev/urandom
        printf '\\n'
      done
      printf 'commit refs/heads/main\\ncommitter Bench <bench@example.com> 1700000000 +0000\\ndata 12\\nlarge blobs\\n'
      for i in $(seq 1 ${BLOBS}); do printf 'M 100644 :%d blobs/blob-%02d.bin\\n' "$i" "$i"; done
      printf '\\n'
    } | git --git-dir "$1" -c core.compression=0 fast-import --quiet
    git --git-dir "$1" config core.bigFileThreshold 1m
  `;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'fill', gitDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import failed: ${stderr}`))));
  });
}

function packBytes(gitDir: string): number {
  const dir = path.join(gitDir, 'objects/pack');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.pack'))
    .reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

beforeAll(async () => {
  t = await createTestApp({ env: { GIT_HTTP_TIMEOUT_MS: '30000' } });
  base = await t.listen();
  work = tempDir('backtrack-git-large-');
  const organization = await t.app.backend.stores.organizations.bySlug('acme-corp');
  await createProject(t.app.backend, { organizationId: organization!.id, slug: 'big', name: 'Big' });
  await fillRepository(path.join(t.config.repositoriesDir, 'big.git'));
  url = basicUrl(base, 'big', (await argoCdRepositorySnippet(t.app.backend, { project: 'big' })).token);
}, 120_000);

let stopped = false;
afterAll(async () => {
  if (stopped) fs.rmSync(t.dataDir, { recursive: true, force: true });
  else await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a 100 MB repository', () => {
  it(`is streamed: the server's RSS grows by less than ${RSS_BOUND / MB} MB (and its buffers by less than ${BUFFERS_BOUND / MB} MB) during the clone`, async () => {
    // A first small request starts the spawner and warms the path, so the baseline holds all of that.
    await gitOk(['ls-remote', url]);
    const before = process.memoryUsage();
    const peak = { rss: before.rss, arrayBuffers: before.arrayBuffers };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    }, 5);
    const dir = path.join(work, 'streamed.git');
    const started = performance.now();
    const run = await runGit(['clone', '--bare', url, dir], { timeoutMs: 60_000 });
    clearInterval(sampler);
    expect(run.code, run.stderr).toBe(0);
    expect(packBytes(dir)).toBeGreaterThan(BLOBS * BLOB_BYTES);
    const grown = { rss: peak.rss - before.rss, arrayBuffers: peak.arrayBuffers - before.arrayBuffers };
    const report = `RSS +${(grown.rss / MB).toFixed(1)} MB, buffers +${(grown.arrayBuffers / MB).toFixed(1)} MB, ${Math.round(performance.now() - started)} ms`;
    expect(grown.rss, report).toBeLessThan(RSS_BOUND);
    expect(grown.arrayBuffers, report).toBeLessThan(BUFFERS_BOUND);
  }, 90_000);

  it('a client killed mid-clone leaves no git http-backend (nor upload-pack, nor pack-objects) behind', async () => {
    const dir = path.join(work, 'killed.git');
    // The client in a process group of its own, so its remote helper dies with it.
    const client = spawn('git', ['clone', '--bare', url, dir], { env: { ...process.env, ...CLIENT_ENV }, stdio: 'ignore', detached: true });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => client.on('close', (code, signal) => resolve(signal ?? code)));
    const serving = await waitUntil('the pack being sent', () => {
      const commands = gitCommandsServing(t.config.repositoriesDir);
      return commands.some((p) => p.command.includes('pack-objects')) ? commands : null;
    });
    expect(serving.map((p) => p.command).join('\n')).toMatch(/http-backend/);
    process.kill(-client.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await waitUntil('every git process of the server gone', () => gitProcessesServing(t.config.repositoriesDir).length === 0);
    await waitUntil('the slot released', () => t.app.git.running() === 0);
    // And the server serves the next client as before.
    const next = await runGit(['ls-remote', url]);
    expect(next.code, next.stderr).toBe(0);
  }, 60_000);

  it('the server stops at once while a client is slow to read a large pack: its git processes are killed, nothing waits for the client', async () => {
    const head = git(path.join(t.config.repositoriesDir, 'big.git'), ['rev-parse', 'refs/heads/main']);
    const { hostname, port } = new URL(base);
    const token = decodeURIComponent(new URL(url).password);
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: '/git/big.git/git-upload-pack',
      headers: { ...basic(token), 'content-type': 'application/x-git-upload-pack-request' },
    });
    const response = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.on('error', () => undefined);
    req.end(`0032want ${head}\n00000009done\n`);
    const res = await response;
    expect(res.statusCode).toBe(200);
    res.pause(); // reads nothing more: the pack backs up into the server
    res.on('error', () => undefined);
    await waitUntil('pack-objects sending', () => gitCommandsServing(t.config.repositoriesDir).some((p) => p.command.includes('pack-objects')));

    const started = Date.now();
    stopped = true;
    expect(await t.app.stop()).toEqual({ timedOut: false });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(gitProcessesServing(t.config.repositoriesDir)).toEqual([]);
    res.destroy();
  }, 60_000);
});
