/**
 * Hot reads as drizzle prepared queries. Building a query's SQL (drizzle walks every column and
 * condition on each call) costs more than SQLite running it, so the queries every request makes
 * are built once per database handle and then only bound to their parameters.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';

/** `build(db)` once per database handle. */
export function preparedPerDb<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>();
  return (db) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}

/**
 * `column IN (values of the JSON array bound to the placeholder)`: a list of any length in one
 * prepared statement. Bind it with `jsonList(values)`.
 */
export function inJsonList(column: SQLiteColumn, placeholder: string): SQL {
  return sql`${column} in (select value from json_each(${sql.placeholder(placeholder)}))`;
}

export const jsonList = (values: readonly string[]): string => JSON.stringify(values);
