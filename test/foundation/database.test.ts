import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainEvent, type DeploymentRecorded } from '../../src/domain/events';
import { transactWith } from '../../src/domain/ports';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { ROOT } from './processes';

const run = promisify(execFile);

describe('the SQLite database', () => {
  let t: TestApp;
  /** Raw SQL on the app's writer connection (pragmas like foreign_keys are per connection). */
  const query = (text: string, params: unknown[] = []) => t.app.database.query(text, params);
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('has foreign keys on for the writer connection, and enforces them', async () => {
    expect(await query('pragma foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await expect(
      t.app.backend.transact(({ stores }) => stores.memberships.upsert({ userId: 'usr-nobody', projectId: 'prj-nowhere', role: 'ADMIN' })),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it('is in WAL mode, persistently (a fresh connection sees it)', async () => {
    expect(await query('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    const other = new Database(t.config.databaseFile, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('has the tables the foundation names, created by the committed migrations', async () => {
    const tables = ((await query("select name from sqlite_master where type = 'table'")) as Array<{ name: string }>).map((r) => r.name);
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
    const [applied] = (await query('select count(*) as n from __drizzle_migrations')) as Array<{ n: number }>;
    const journal = JSON.parse(fs.readFileSync(path.join(ROOT, 'drizzle/sqlite/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(applied!.n).toBe(journal.entries.length);
  });

  it('reads outside a transaction never see the rows of one still open (read-only second connection)', async () => {
    const { backend } = t.app;
    let releaseWriter!: () => void;
    const writerMayCommit = new Promise<void>((resolve) => (releaseWriter = resolve));
    let written!: () => void;
    const rowWritten = new Promise<void>((resolve) => (written = resolve));
    const transaction = backend.transact(async ({ stores }) => {
      await stores.users.insert({ id: 'usr-uncommitted', email: 'uncommitted@example.com', name: 'Not Yet' });
      written();
      await writerMayCommit;
    });
    await rowWritten;
    // Between two awaits of the open transaction, another request reads.
    expect(await backend.stores.users.byEmail('uncommitted@example.com')).toBeNull();
    expect(await backend.stores.users.byIds(['usr-uncommitted'])).toEqual([null]);
    releaseWriter();
    await transaction;
    expect((await backend.stores.users.byEmail('uncommitted@example.com'))?.id).toBe('usr-uncommitted');
  });

  it('rolls a failed transaction back whole and never publishes its events; a committed one publishes after COMMIT', async () => {
    const published: Array<{ id: string; visible: boolean }> = [];
    const { stores } = t.app.database;
    const transact = transactWith(t.app.database.run, {
      // Published only once the rows are visible to readers outside the transaction.
      publish: (event) => void stores.users.byEmail('committed@example.com').then((user) => published.push({ id: event.id, visible: user !== null })),
    });
    const event = domainEvent<DeploymentRecorded>({ type: 'deploymentRecorded', projectId: 'p', tenantEnvironmentId: 't', deploymentId: 'd' }, new Date());
    await expect(
      transact(async (tx) => {
        await tx.stores.users.insert({ id: 'usr-rolled-back', email: 'rolled-back@example.com', name: 'Gone' });
        tx.emit(event);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await stores.users.byEmail('rolled-back@example.com')).toBeNull();
    await transact(async (tx) => {
      await tx.stores.users.insert({ id: 'usr-committed', email: 'committed@example.com', name: 'Kept' });
      tx.emit(event);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(published).toEqual([{ id: event.id, visible: true }]);
  });

  it('refuses a transaction opened inside another (it would deadlock the single writer)', async () => {
    await expect(t.app.backend.transact(() => t.app.backend.transact(async () => 1))).rejects.toThrow(/inside another/);
  });
});

describe.each([
  { dialect: 'sqlite', kitDialect: 'sqlite', folder: 'drizzle/sqlite', schema: './src/db/sqlite/schema.ts' },
  { dialect: 'postgres', kitDialect: 'postgresql', folder: 'drizzle/pg', schema: './src/db/pg/schema.ts' },
])('the committed drizzle migrations of $dialect', ({ kitDialect, folder, schema }) => {
  it(`match ${schema}: drizzle-kit generate finds nothing to add`, async () => {
    // Generate into a copy, so a stale schema cannot write into drizzle/ while others work in this checkout.
    const copy = path.join(tempDir('backtrack-drizzle-'), 'drizzle');
    fs.cpSync(path.join(ROOT, folder), copy, { recursive: true });
    const listing = () => fs.readdirSync(copy, { recursive: true }).map(String).sort();
    const before = listing();
    try {
      const { stdout } = await run(
        path.join(ROOT, 'node_modules/.bin/drizzle-kit'),
        // drizzle-kit resolves --out against the working directory, so it must be relative.
        ['generate', '--dialect', kitDialect, '--schema', schema, '--out', path.relative(ROOT, copy)],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      );
      expect(stdout).toMatch(/No schema changes, nothing to migrate/);
      expect(listing()).toEqual(before);
      for (const file of before) {
        const original = path.join(ROOT, folder, file);
        if (fs.statSync(original).isFile()) expect(fs.readFileSync(path.join(copy, file), 'utf8'), file).toBe(fs.readFileSync(original, 'utf8'));
      }
    } finally {
      fs.rmSync(path.dirname(copy), { recursive: true, force: true });
    }
  });

  it('are consistent with each other: drizzle-kit check passes', async () => {
    const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/drizzle-kit'), ['check', '--dialect', kitDialect, '--out', `./${folder}`], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/Everything's fine/);
  });
});
