/**
 * Issue 11.9: a SIGKILL during the first start's demo seed. The next start notices the half-made
 * workspace, says so, and seeds it again: the demo is complete (every commit, the agent, tokens that
 * work), never a partial one accepted silently.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv } from '../kit/child-env';
import { git } from '../kit/git-cli';
import { tempDir } from '../kit/template';
import { ROOT, startServer } from '../foundation/processes';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Starts the server on `dataDir` and kills it `delayMs` after it began seeding; true if it was still seeding. */
function killDuringSeed(dataDir: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // `node --import tsx`, one process: the SIGKILL reaches the server itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: childEnv({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (timer === undefined && stdout.includes('Seeding the demo workspace')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(!stdout.includes('listening on'));
    });
    setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
  });
}

function workspaceOf(dataDir: string) {
  const sqlite = new Database(path.join(dataDir, 'backtrack.sqlite'), { readonly: true });
  try {
    return {
      commits: Number(git(path.join(dataDir, 'repositories', 'shop.git'), ['rev-list', '--count', 'main'])),
      counts: sqlite
        .prepare('select (select count(*) from organizations) o, (select count(*) from users) u, (select count(*) from agents) a, (select count(*) from api_tokens) t, (select count(*) from deployments) d')
        .get(),
    };
  } finally {
    sqlite.close();
  }
}

describe('a first start killed while seeding the demo', () => {
  it('is seeded again, completely, on the next start — at any point of the seed', async () => {
    const reference = path.join(tempDir('backtrack-seed-'), 'data');
    dirs.push(path.dirname(reference));
    const complete = await startServer({ DATA_DIR: reference, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    await complete.stop();
    const expected = workspaceOf(reference);
    expect(expected.commits).toBeGreaterThanOrEqual(27);

    let interrupted = 0;
    for (const delayMs of [0, 150, 400, 900]) {
      const dataDir = path.join(tempDir('backtrack-seed-'), 'data');
      dirs.push(path.dirname(dataDir));
      if (!(await killDuringSeed(dataDir, delayMs))) continue;
      // Killed while seeding (the marker says so), or later, after the seed but before listening.
      const duringSeed = fs.existsSync(path.join(dataDir, '.seeding-demo'));
      if (duringSeed) interrupted += 1;
      const restarted = await startServer({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      try {
        if (duringSeed) {
          expect(restarted.banner).toMatch(/interrupted; removing what it left and seeding again/);
          expect(restarted.banner).toMatch(/Seeding the demo workspace/);
        } else {
          expect(restarted.banner).not.toMatch(/interrupted/);
        }
        // The tokens the workspace knows: printed by the start that seeded, kept in demo-tokens.json.
        const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8')) as { agent: { token: string } };
        if (duringSeed) {
          expect(restarted.deployerToken).toMatch(/^btu_/);
          expect(/AGENT\s+\S+\s+(bta_\S+)/.exec(restarted.banner)![1]).toBe(saved.agent.token);
        }
        const agentToken = saved.agent.token;
        const response = await fetch(restarted.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
          body: JSON.stringify({ query: '{ tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { headRevision } }' }),
        });
        expect(((await response.json()) as { data: { tenantEnvironment: { headRevision: string } } }).data.tenantEnvironment.headRevision).toMatch(/^[0-9a-f]{40}$/);
      } finally {
        await restarted.stop();
      }
      expect(workspaceOf(dataDir)).toEqual(expected);
      expect(fs.existsSync(path.join(dataDir, '.seeding-demo'))).toBe(false);
    }
    // At least the kills right at the start of seeding must have interrupted it.
    expect(interrupted).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
