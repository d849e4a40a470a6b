import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships } from '../../src/db/schema';
import { createTestApp, tempDir, type TestApp } from '../helpers/test-app';
import { ROOT } from './processes';

const run = promisify(execFile);

describe('the SQLite database', () => {
  let t: TestApp;
  /** The app's own connection (pragmas like foreign_keys are per connection). */
  const connection = () => (t.app.services.db as unknown as { $client: Database.Database }).$client;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('has foreign keys on for the connection, and enforces them', async () => {
    const sqlite = connection();
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    await expect(
      t.app.services.db.insert(memberships).values({ userId: 'usr-nobody', projectId: 'prj-nowhere', role: 'ADMIN' }),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it('is in WAL mode, persistently (a fresh connection sees it)', () => {
    expect(connection().pragma('journal_mode', { simple: true })).toBe('wal');
    const other = new Database(t.config.databaseFile, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('has the tables the foundation names, created by the committed migrations', () => {
    const tables = (
      connection().prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>
    ).map((r) => r.name);
    for (const table of [
      'organizations',
      'projects',
      'tenants',
      'environments',
      'tenant_environments',
      'users',
      'memberships',
      'api_tokens',
      'agents',
      'deployments',
      'rollback_requests',
      'rollback_reviews',
      'break_glass_sessions',
      'audit_events',
      'sync_statuses',
      '__drizzle_migrations',
    ]) {
      expect(tables).toContain(table);
    }
    const applied = connection().prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
    const journal = JSON.parse(fs.readFileSync(path.join(ROOT, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(applied.n).toBe(journal.entries.length);
  });
});

describe('the committed drizzle migrations', () => {
  it('match src/db/schema.ts: drizzle-kit generate finds nothing to add', async () => {
    // Generate into a copy, so a stale schema cannot write into drizzle/ while others work in this checkout.
    const copy = path.join(tempDir('backtrack-drizzle-'), 'drizzle');
    fs.cpSync(path.join(ROOT, 'drizzle'), copy, { recursive: true });
    const listing = () => fs.readdirSync(copy, { recursive: true }).map(String).sort();
    const before = listing();
    try {
      const { stdout } = await run(
        path.join(ROOT, 'node_modules/.bin/drizzle-kit'),
        // drizzle-kit resolves --out against the working directory, so it must be relative.
        ['generate', '--dialect', 'sqlite', '--schema', './src/db/schema.ts', '--out', path.relative(ROOT, copy)],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      );
      expect(stdout).toMatch(/No schema changes, nothing to migrate/);
      expect(listing()).toEqual(before);
      for (const file of before) {
        const original = path.join(ROOT, 'drizzle', file);
        if (fs.statSync(original).isFile()) expect(fs.readFileSync(path.join(copy, file), 'utf8'), file).toBe(fs.readFileSync(original, 'utf8'));
      }
    } finally {
      fs.rmSync(path.dirname(copy), { recursive: true, force: true });
    }
  });

  it('are consistent with each other: drizzle-kit check passes', async () => {
    const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/drizzle-kit'), ['check', '--dialect', 'sqlite', '--out', './drizzle'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/Everything's fine/);
  });
});
