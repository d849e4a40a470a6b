/** Async transactions over the single SQLite connection: one writer at a time, hooks run after COMMIT. */
import type { DatabaseHandle, Db } from './client';
import { KeyedMutex } from '../lib/keyed-mutex';

export type AfterCommit = (hook: () => void) => void;
export type Transact = <T>(work: (tx: Db, afterCommit: AfterCommit) => Promise<T>) => Promise<T>;

export function createTransactor(handle: DatabaseHandle): Transact {
  const mutex = new KeyedMutex();
  return (work) =>
    mutex.run('db', async () => {
      const hooks: Array<() => void> = [];
      handle.sqlite.exec('BEGIN IMMEDIATE');
      let result;
      try {
        result = await work(handle.db, (hook) => hooks.push(hook));
        handle.sqlite.exec('COMMIT');
      } catch (error) {
        if (handle.sqlite.inTransaction) handle.sqlite.exec('ROLLBACK');
        throw error;
      }
      for (const hook of hooks) hook();
      return result;
    });
}
