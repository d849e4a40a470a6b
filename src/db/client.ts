/** Opens the SQLite database (WAL, foreign keys) and applies the committed drizzle migrations. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema>;
/** A drizzle handle that is either the database or an open transaction on it. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export class DatabaseOpenError extends Error {
  readonly code = 'DATABASE_UNREADABLE';
}

export function openDatabase(file: string, options: { onStatement?: (sql: string) => void } = {}): DatabaseHandle {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { fileMustExist: false });
    sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    throw new DatabaseOpenError(`cannot open database ${file}: ${(error as Error).message}`);
  }
  cachePreparedStatements(sqlite);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, {
    schema,
    logger: options.onStatement ? { logQuery: (query) => options.onStatement!(query) } : false,
  });
  return { db, sqlite, close: () => sqlite.close() };
}

export function migrateDatabase(handle: DatabaseHandle): void {
  migrate(handle.db, { migrationsFolder: MIGRATIONS_DIR });
}

/**
 * drizzle prepares every query anew, and preparing costs more than running most of ours. Reuse
 * statements by SQL text: each is prepared and run in one synchronous step, so sharing is safe once
 * a reader's raw mode (which drizzle switches on and never off) is reset.
 */
function cachePreparedStatements(sqlite: Database.Database, limit = 1000): void {
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
