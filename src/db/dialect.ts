/**
 * What differs between SQLite and PostgreSQL for the stores. The stores are written once, against
 * drizzle's query builder and the SQLite table types; PostgreSQL's tables (src/db/pg/schema.ts) have
 * the same names, columns and row shapes, so the same code builds the same queries on either.
 */
import { Column, is, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as tables from './sqlite/schema';

export type Tables = typeof tables;
/** The query builder the stores use: a database or a transaction of either dialect. */
export type QueryDb = BetterSQLite3Database<Tables>;

/** A read built once per connection and then only bound to its parameters. */
export interface PreparedRead<Row> {
  all(params: Record<string, unknown>): Promise<Row[]>;
  get(params: Record<string, unknown>): Promise<Row | undefined>;
}

interface Preparable<Row> {
  prepare(name?: string): unknown;
  _?: { result: Row[] };
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** `column IN (the list bound to the placeholder)`: a list of any length in one statement. Bind it with `list()`. */
  inList(column: unknown, placeholder: string): SQL;
  list(values: readonly string[]): unknown;
  /**
   * `column IN (values)` with the list bound as one value: the statement's text is the same for any
   * length (SQLite reuses its prepared statement) and building it costs the same for 1 id or 1,000.
   */
  inValues(column: unknown, values: readonly string[]): SQL;
  prepare<Row>(query: Preparable<Row>, name: string): PreparedRead<Row>;
  /** Rows of a raw SQL query. */
  rows<Row>(db: QueryDb, query: SQL): Promise<Row[]>;
  /**
   * Runs a select of rows about to be claimed inside a transaction: PostgreSQL locks them and skips
   * rows another transaction holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time, and
   * the claiming update's own conditions (lease owner and expiry) settle the rest.
   */
  skipLocked<Row>(query: PromiseLike<Row[]> & object): Promise<Row[]>;
}

/** What a drizzle SQLite prepared query holds about its result columns (drizzle 0.45). */
export interface SqlitePrepared<Row> {
  all(p: unknown): Row[];
  get(p: unknown): Row | undefined;
  values(p: unknown): unknown[][];
  fields?: Array<{ path: string[]; field: unknown }>;
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
}

/**
 * The row mapping of a prepared read, worked out once per statement. drizzle maps every row by
 * walking each column's path and checking what kind of entity it is; a history page of 50 rows
 * spent more time there than in SQLite. Only plain columns, at the top level or one level down
 * (inner joins, which never null a table out) are mapped here; anything else keeps drizzle's mapping.
 */
export function compiledRowMapper<Row>(prepared: SqlitePrepared<Row>): ((row: unknown[]) => Row) | null {
  const { fields, joinsNotNullableMap, customResultMapper } = prepared;
  if (!Array.isArray(fields) || customResultMapper) return null;
  if (joinsNotNullableMap && Object.values(joinsNotNullableMap).some((notNullable) => !notNullable)) return null;
  const columns: Array<{ outer: string; inner: string | null; column: Column }> = [];
  for (const { path, field } of fields) {
    if (!is(field, Column) || path.length < 1 || path.length > 2) return null;
    columns.push({ outer: path[0]!, inner: path[1] ?? null, column: field });
  }
  const decode = (column: Column, raw: unknown) => (raw === null ? null : column.mapFromDriverValue(raw));
  return (row) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { outer, inner, column } = columns[i]!;
      if (inner === null) result[outer] = decode(column, row[i]);
      else ((result[outer] ??= {}) as Record<string, unknown>)[inner] = decode(column, row[i]);
    }
    return result as Row;
  };
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  inList: (column, placeholder) => sql`${column} in (select value from json_each(${sql.placeholder(placeholder)}))`,
  list: (values) => JSON.stringify(values),
  inValues: (column, values) => sql`${column} in (select value from json_each(${JSON.stringify(values)}))`,
  prepare<Row>(query: Preparable<Row>): PreparedRead<Row> {
    const prepared = query.prepare() as SqlitePrepared<Row>;
    const mapRow = compiledRowMapper(prepared);
    return {
      all: mapRow ? async (params) => prepared.values(params).map(mapRow) : async (params) => prepared.all(params),
      // One row: drizzle's mapping costs little there, and the statement stops at the first row.
      get: async (params) => prepared.get(params),
    };
  },
  rows: async <Row>(db: QueryDb, query: SQL) => db.all<Row>(query),
  skipLocked: async <Row>(query: PromiseLike<Row[]>) => query,
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  inList: (column, placeholder) => sql`${column} = any(${sql.placeholder(placeholder)}::text[])`,
  list: (values) => [...values],
  inValues: (column, values) => sql`${column} = any(${sql.param([...values])}::text[])`,
  prepare<Row>(query: Preparable<Row>, name: string): PreparedRead<Row> {
    const prepared = query.prepare(name) as { execute(p: unknown): Promise<Row[]> };
    return {
      all: (params) => prepared.execute(params),
      get: async (params) => (await prepared.execute(params))[0],
    };
  },
  rows: async <Row>(db: QueryDb, query: SQL) => {
    const result = (await (db as unknown as { execute(q: SQL): Promise<{ rows: Row[] }> }).execute(query)) as { rows: Row[] };
    return result.rows;
  },
  skipLocked: async <Row>(query: PromiseLike<Row[]> & object) =>
    (query as unknown as { for(strength: 'update', config: { skipLocked: boolean }): PromiseLike<Row[]> }).for('update', { skipLocked: true }),
};

/**
 * SQLite runs in process: a write prepared once per set of columns and run row by row costs a
 * fraction of drizzle building one statement of hundreds of rows (drizzle still encodes each bound
 * value). `build` makes the statement from one placeholder per column the row gives; `run` or `get`
 * (for a RETURNING clause) executes it.
 */
export function preparedRowWriter<Row extends object, Result = void>(
  build: (values: Record<string, Placeholder>) => { prepare(): unknown },
  execute: 'run' | 'get',
): (row: Row) => Result {
  const statements = new Map<string, (params: Record<string, unknown>) => Result>();
  return (row) => {
    const values = row as Record<string, unknown>;
    const keys = Object.keys(values).filter((key) => values[key] !== undefined);
    const signature = keys.join(',');
    let statement = statements.get(signature);
    if (!statement) {
      const prepared = build(Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)]))).prepare() as Record<'run' | 'get', (params: unknown) => Result>;
      statement = (params) => prepared[execute](params);
      statements.set(signature, statement);
    }
    return statement(Object.fromEntries(keys.map((key) => [key, values[key]])));
  };
}

/** A connection (or transaction) as the stores see it. */
export interface StoreContext {
  db: QueryDb;
  t: Tables;
  dialect: Dialect;
  /** Prepared reads on this connection, by name; absent inside a PostgreSQL transaction (prepared per transaction there). */
  prepared?: Map<string, PreparedRead<unknown>>;
}

/** The named read, prepared once per connection (per transaction where the connection is not known). */
export function preparedRead<Row>(context: StoreContext, name: string, build: () => Preparable<Row>): PreparedRead<Row> {
  const cache = context.prepared;
  let prepared = cache?.get(name) as PreparedRead<Row> | undefined;
  if (!prepared) {
    prepared = context.dialect.prepare(build(), name);
    cache?.set(name, prepared as PreparedRead<unknown>);
  }
  return prepared;
}
