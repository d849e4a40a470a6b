/**
 * The stores are written once against the SQLite table types; PostgreSQL's tables must have the same
 * names, columns, nullability and row shapes (what a column reads back as), or a store built on one
 * would silently differ on the other.
 */
import { getTableColumns, getTableName, is, Table } from 'drizzle-orm';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../src/db/pg/schema';
import * as sqliteSchema from '../../src/db/sqlite/schema';

function tables(schema: Record<string, unknown>): Map<string, Table> {
  return new Map(Object.entries(schema).filter((entry): entry is [string, Table] => is(entry[1], Table)));
}

/** What a column reads back as; PostgreSQL's jsonb columns are a custom type (see json in pg/schema.ts). */
function readsAs(column: ReturnType<typeof getTableColumns>[string]): string {
  return column.dataType === 'custom' && column.getSQLType() === 'jsonb' ? 'json' : column.dataType;
}

function shape(table: Table) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [key, { name: column.name, dataType: readsAs(column), notNull: column.notNull, primary: column.primary }]),
  );
}

describe('the PostgreSQL schema mirrors the SQLite one', () => {
  const sqlite = tables(sqliteSchema);
  const pg = tables(pgSchema);

  it('has every table under the same export and SQL name', () => {
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
    for (const [key, table] of sqlite) expect(getTableName(pg.get(key)!), key).toBe(getTableName(table));
  });

  it.each([...sqlite.keys()])('%s: the same columns, nullability and row shapes', (key) => {
    const twin = pg.get(key);
    expect(twin, `${key} has no PostgreSQL twin`).toBeDefined();
    expect(shape(twin!)).toEqual(shape(sqlite.get(key)!));
  });

  it.each([...sqlite.keys()])('%s: the same unique indexes, primary keys and foreign keys', (key) => {
    const a = sqliteConfig(sqlite.get(key) as Parameters<typeof sqliteConfig>[0]);
    const b = pgConfig(pg.get(key) as Parameters<typeof pgConfig>[0]);
    const indexes = (list: Array<{ config: { name?: string; unique?: boolean; columns: unknown[] } }>) =>
      list.map((i) => ({ name: i.config.name, unique: Boolean(i.config.unique) })).sort((x, y) => String(x.name).localeCompare(String(y.name)));
    expect(indexes(b.indexes as never)).toEqual(indexes(a.indexes as never));
    expect(b.primaryKeys.map((k) => k.columns.map((c) => c.name))).toEqual(a.primaryKeys.map((k) => k.columns.map((c) => c.name)));
    expect(b.foreignKeys.length).toBe(a.foreignKeys.length);
  });
});
