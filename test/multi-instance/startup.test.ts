/**
 * Two instances started at the same moment on one empty PostgreSQL database: migrations run under an
 * advisory lock and the first start (demo seed) happens once; both serve the same workspace.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllSpawned, spawnServer } from '../hardening/helpers';
import { ok } from '../kit/client';
import { createDatabaseFor, databaseUrlOf, dropDatabaseFor } from '../kit/dialect';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { tempDir } from '../kit/template';
import { print } from 'graphql';
import { runScript } from '../foundation/processes';

const root = tempDir('backtrack-startup-');
afterAll(async () => {
  await killAllSpawned();
  await dropDatabaseFor(root).catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('instances starting together on an empty database', () => {
  it('migrate one after the other and seed the demo once', async () => {
    await createDatabaseFor(root);
    const env = { DATABASE_URL: databaseUrlOf(root), REPOSITORIES_DIR: path.join(root, 'repositories'), COMPUTE_THREADS: '0' };
    // One DATA_DIR for both: the demo token file the seeding instance writes is where both look for it.
    const dataDir = path.join(root, 'data');
    const [a, b] = await Promise.all([spawnServer(dataDir, env), spawnServer(dataDir, env)]);
    const seeds = [a, b].filter((server) => server.stdout().includes('Seeding the demo workspace'));
    expect(seeds).toHaveLength(1);
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      expect((await db.query('select count(*)::int as n from projects')).rows[0].n).toBe(1);
      expect((await db.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n).toBe(fs.readdirSync('drizzle/pg').filter((f) => f.endsWith('.sql')).length);
    } finally {
      await db.end();
    }
    for (const server of [a, b]) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token('DEPLOYER')}` },
        body: JSON.stringify({ query: print(TenantEnvironmentDocument), variables: { project: 'shop', tenant: 'acme', environment: 'production' } }),
      });
      expect(ok((await response.json()) as never)).toBeTruthy();
    }
  }, 120_000);

  it('an empty database next to repositories that exist refuses to start, in one line naming both', async () => {
    const other = path.join(root, 'other');
    await createDatabaseFor(other);
    try {
      const result = await runScript('src/main.ts', [], {
        DATABASE_URL: databaseUrlOf(other),
        REPOSITORIES_DIR: path.join(root, 'repositories'),
        DATA_DIR: path.join(root, 'other-data'),
        PORT: '0',
        HOST: '127.0.0.1',
      });
      expect(result.code).toBe(1);
      const lines = result.stderr.split('\n').filter(Boolean);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/DATABASE_URL .* is empty but REPOSITORIES_DIR .* has repositories/);
    } finally {
      await dropDatabaseFor(other).catch(() => undefined);
    }
  }, 120_000);
});
