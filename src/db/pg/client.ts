/**
 * PostgreSQL (DATABASE_URL=postgres://…): one pool for queries and real transactions, any number at
 * once (no process-wide writer); a second pool whose connections hold session advisory locks — the
 * cross-instance Locks. A lock dies with its connection, so a killed instance releases what it held.
 *
 * Opening is synchronous (the app is composed synchronously); the pools connect lazily and every
 * store call waits for `ready`: connected and migrated, under an advisory lock so that instances
 * starting together migrate one after the other.
 */
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { StorageFullError } from '../../domain/errors';
import type { Locks, RunInTransaction, Stores } from '../../domain/ports';
import { KeyedMutex } from '../../lib/keyed-mutex';
import { postgresDialect, type QueryDb, type StoreContext, type Tables } from '../dialect';
import { createStores } from '../stores';
import { DatabaseOpenError } from '../sqlite/client';
import type { DatabaseHandle } from '../handle';
import * as schema from './schema';

export const PG_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle/pg');

/** advisory lock key spaces (first argument of the two-key form): migrations, and the Locks' keys. */
const MIGRATION_LOCK = [0x6274, 1] as const;
const LOCKS_SPACE = 0x6275;

export interface PostgresOptions {
  onStatement?: (sql: string) => void;
  /** Connections for queries and transactions. */
  poolSize?: number;
}

export interface PostgresHandle extends DatabaseHandle {
  /** Connected and migrated; rejects with a DatabaseOpenError naming DATABASE_URL. */
  readonly ready: Promise<void>;
  /** Cross-instance locks: a session advisory lock per key, behind a process-local queue per key. */
  readonly locks: Locks;
}

/** The URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparseable URL';
  }
}

/** `?` placeholders (the handle's raw-SQL convention, shared with SQLite) to `$1, $2, …`. */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export function openPostgres(url: string, options: PostgresOptions = {}): PostgresHandle {
  const description = describeUrl(url);
  // Dates are timestamptz and come back as Date; bigint counts (`count(*)`) as numbers.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, idleTimeoutMillis: 10_000 });
  const lockPool = new pg.Pool({ connectionString: url, max: 64, idleTimeoutMillis: 10_000 });
  // An idle connection that the server drops (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  lockPool.on('error', () => undefined);
  const logger = options.onStatement ? { logQuery: (query: string) => options.onStatement!(query) } : false;
  const db = drizzle({ client: pool, schema, logger }) as NodePgDatabase<typeof schema>;
  const tables = schema as unknown as Tables;
  const context: StoreContext = { db: db as unknown as QueryDb, t: tables, dialect: postgresDialect, prepared: new Map() };
  const stores = createStores(context);

  const ready = (async () => {
    const client = await pool.connect().catch((error: Error) => {
      throw new DatabaseOpenError(`cannot connect to DATABASE_URL ${description}: ${error.message}`);
    });
    try {
      await client.query('select pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
      try {
        await migrate(drizzle({ client }), { migrationsFolder: PG_MIGRATIONS_DIR });
      } finally {
        await client.query('select pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
      }
    } catch (error) {
      if (error instanceof DatabaseOpenError) throw error;
      throw new DatabaseOpenError(`cannot migrate the database at DATABASE_URL ${description}: ${(error as Error).message}`);
    } finally {
      client.release();
    }
  })();
  // Nobody may be left with an unhandled rejection: callers see it through `ready` or their first query.
  ready.catch(() => undefined);

  const inTransaction = new AsyncLocalStorage<true>();
  const run: RunInTransaction = async (work) => {
    if (inTransaction.getStore()) throw new Error('a transaction cannot be opened inside another one');
    await ready;
    try {
      return await inTransaction.run(true, () =>
        db.transaction(async (tx) => work(createStores({ db: tx as unknown as QueryDb, t: tables, dialect: postgresDialect }))),
      );
    } catch (error) {
      throw isFull(error) ? new StorageFullError('storage is full: the database cannot grow; nothing was written') : error;
    }
  };

  const local = new KeyedMutex();
  type Held<T> = { ran: true; value: T } | { ran: false };
  /**
   * Holds the key's advisory lock on a connection of its own while `work` runs (`wait` false gives up
   * at once). The caller has its outcome as soon as `work` settles; the unlock round trip happens after,
   * while this process's turn on the key (the local mutex) is still held, so no local waiter overtakes it.
   */
  const holding = <T>(key: string, wait: boolean, work: () => Promise<T>): { outcome: Promise<Held<T>>; released: Promise<void> } => {
    let settle!: (outcome: Promise<Held<T>>) => void;
    const outcome = new Promise<Held<T>>((resolve) => (settle = (value) => resolve(value)));
    const released = (async () => {
      await ready;
      const client = await lockPool.connect();
      let broken = false;
      try {
        const sql = wait ? 'select pg_advisory_lock($1, hashtext($2))' : 'select pg_try_advisory_lock($1, hashtext($2)) as locked';
        const result = await client.query(sql, [LOCKS_SPACE, key]);
        if (!wait && result.rows[0]?.locked !== true) return settle(Promise.resolve({ ran: false }));
        const running = work().then((value): Held<T> => ({ ran: true, value }));
        settle(running);
        await running.catch(() => undefined);
        await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCKS_SPACE, key]).catch(() => {
          // The connection is gone, and the lock with it.
          broken = true;
        });
      } finally {
        client.release(broken);
      }
    })();
    // Failing to take the lock (no connection) is the caller's failure; after settling, nothing is left to report.
    released.catch((error: unknown) => settle(Promise.reject(error)));
    return { outcome, released: released.catch(() => undefined) };
  };
  const inTurn = <T>(key: string, wait: boolean, work: () => Promise<T>): Promise<Held<T>> =>
    new Promise((resolve, reject) => {
      const turn = local.run(key, async () => {
        const { outcome, released } = holding(key, wait, work);
        outcome.then(resolve, reject);
        await released;
      });
      turn.catch(reject);
    });
  const locks: Locks = {
    run: async (key, work) => ((await inTurn(key, true, work)) as { ran: true; value: Awaited<ReturnType<typeof work>> }).value,
    tryRun: async (key, work) => (local.isHeld(key) ? { ran: false } : inTurn(key, false, work)),
  };

  let closed: Promise<void> | null = null;
  const afterReady = <S extends object>(store: S): S =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await ready;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const readStores = Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, afterReady(store as object)])) as unknown as Stores;

  return {
    dialect: 'postgres',
    description,
    stores: readStores,
    run,
    ready,
    locks,
    query: async (text, params = []) => {
      await ready;
      const result = await pool.query(numbered(text), params);
      return result.command === 'SELECT' || result.fields?.length ? (result.rows as Array<Record<string, unknown>>) : [];
    },
    // Idempotent, as SQLite's: an app closed by a test and again by its fixture.
    close: () => (closed ??= Promise.all([pool.end(), lockPool.end()]).then(() => undefined)),
  };
}

/** disk_full, or out of space for a relation. */
function isFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '53100';
}
