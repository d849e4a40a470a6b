/**
 * Which database the test kit's apps run on: the vitest project (`sqlite` or `postgres`) says, through
 * BACKTRACK_TEST_DIALECT. On PostgreSQL a data directory has a database of its own, named after its
 * path, so that copying a directory (a template, a restart on the same directory) copies or finds its
 * database too: `CREATE DATABASE … TEMPLATE …`, a file copy inside the server.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase, dropDatabase } from './services';

export type TestDialect = 'sqlite' | 'postgres';

export function testDialect(): TestDialect {
  return process.env.BACKTRACK_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
}

export function pgAdminUrl(): string {
  let url = process.env.BACKTRACK_PG_ADMIN_URL ?? '';
  if (!url) {
    try {
      url = inject('pgAdminUrl');
    } catch {
      // Outside vitest (a benchmark) it must come from the environment.
    }
  }
  if (!url) throw new Error('the postgres test project needs its cluster (vitest globalSetup) or BACKTRACK_PG_ADMIN_URL');
  return url;
}

export function databaseNameOf(dataDir: string): string {
  return `bt_${createHash('sha1').update(dataDir).digest('hex').slice(0, 24)}`;
}

export function databaseUrlOf(dataDir: string): string {
  const url = new URL(pgAdminUrl());
  url.pathname = `/${databaseNameOf(dataDir)}`;
  return url.toString();
}

/** Databases this process created (or copied) and has not dropped. */
const known = new Set<string>();

export async function createDatabaseFor(dataDir: string, copyOf?: string): Promise<void> {
  await createDatabase(pgAdminUrl(), databaseNameOf(dataDir), copyOf ? databaseNameOf(copyOf) : undefined);
  known.add(dataDir);
}

/** For callers that cannot wait (a test opening an app on a directory it prepared): created by a child process. */
export function ensureDatabaseForSync(dataDir: string, copyOf?: string): void {
  if (known.has(dataDir)) return;
  const script = `
    const pg = require('pg');
    const client = new pg.Client({ connectionString: process.argv[1] });
    client.connect()
      .then(() => client.query('select 1 from pg_database where datname = $1', [process.argv[2]]))
      .then((r) => r.rowCount ? null : client.query('CREATE DATABASE "' + process.argv[2] + '"' + (process.argv[3] ? ' TEMPLATE "' + process.argv[3] + '"' : '')))
      .then(() => client.end(), (e) => { console.error(e.message); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script, pgAdminUrl(), databaseNameOf(dataDir), copyOf ? databaseNameOf(copyOf) : ''], { stdio: ['ignore', 'ignore', 'inherit'] });
  known.add(dataDir);
}

export async function dropDatabaseFor(dataDir: string): Promise<void> {
  known.delete(dataDir);
  await dropDatabase(pgAdminUrl(), databaseNameOf(dataDir));
}
