/**
 * The embedded database: one SQLite file (WAL). Writes go through one writer connection, one
 * transaction at a time; everything read outside a transaction goes through a second, read-only
 * connection, which sees committed data only — never the rows of a transaction that is open on the
 * writer between two awaits (better-sqlite3 transactions cannot span an await themselves).
 */
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { StorageFullError } from '../../domain/errors';
import type { RunInTransaction, Stores } from '../../domain/ports';
import { KeyedMutex } from '../../lib/keyed-mutex';
import { sqliteDialect, type StoreContext } from '../dialect';
import { createStores } from '../stores';
import * as schema from './schema';
import type { DatabaseHandle } from '../handle';

export const SQLITE_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle/sqlite');

export class DatabaseOpenError extends Error {
  readonly code = 'DATABASE_UNREADABLE';
}

export interface SqliteOptions {
  /** Observes every SQL statement (tests count them). */
  onStatement?: (sql: string) => void;
}

function connect(file: string, readonly: boolean, options: SqliteOptions) {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { fileMustExist: readonly, readonly });
    if (!readonly) sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    throw new DatabaseOpenError(`cannot open database ${file}: ${(error as Error).message}`);
  }
  reusePreparedStatements(sqlite);
  if (!readonly) sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  if (!readonly) sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, { schema, logger: options.onStatement ? { logQuery: (query) => options.onStatement!(query) } : false });
  const context: StoreContext = { db, t: schema, dialect: sqliteDialect, prepared: new Map() };
  return { sqlite, context, stores: createStores(context) };
}

/** Opens (creating when missing) and migrates the database file. */
export function openSqlite(file: string, options: SqliteOptions = {}): DatabaseHandle {
  const writer = connect(file, false, options);
  try {
    migrate(writer.context.db, { migrationsFolder: SQLITE_MIGRATIONS_DIR });
  } catch (error) {
    writer.sqlite.close();
    throw new DatabaseOpenError(`cannot migrate database ${file}: ${(error as Error).message}`);
  }
  const reader = connect(file, true, options);
  const mutex = new KeyedMutex();
  const inTransaction = new AsyncLocalStorage<true>();
  const run: RunInTransaction = (work) => {
    if (inTransaction.getStore()) return Promise.reject(new Error('a transaction cannot be opened inside another one'));
    return mutex.run('writer', () =>
      inTransaction.run(true, async () => {
        try {
          writer.sqlite.exec('BEGIN IMMEDIATE');
          const result = await work(writer.stores);
          writer.sqlite.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.sqlite.inTransaction) writer.sqlite.exec('ROLLBACK');
          throw isFull(error) ? new StorageFullError('storage is full: the database cannot grow; nothing was written') : error;
        }
      }),
    );
  };
  return {
    dialect: 'sqlite',
    description: file,
    stores: reader.stores as Stores,
    run,
    query: async (text, params = []) => {
      const statement = writer.sqlite.prepare(text);
      return statement.reader ? (statement.all(...params) as Array<Record<string, unknown>>) : (statement.run(...params), []);
    },
    close: async () => {
      reader.sqlite.close();
      writer.sqlite.close();
    },
  };
}

/** SQLite's "database or disk is full" (the disk, or `PRAGMA max_page_count`). */
function isFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR') && /no space|full/i.test(String((error as Error).message)));
}

/**
 * drizzle prepares every query anew, and preparing costs more than running most of ours. Reuse
 * statements by SQL text: each is prepared and run in one synchronous step, so sharing is safe once
 * a reader's raw mode (which drizzle switches on and never off) is reset.
 */
function reusePreparedStatements(sqlite: Database.Database, limit = 1000): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const statements = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (!statement) {
      if (statements.size >= limit) statements.clear();
      statement = prepare(source);
      statements.set(source, statement);
    } else if (statement.reader) {
      statement.raw(false);
    }
    return statement;
  }) as typeof sqlite.prepare;
}
