/**
 * Pages of lists kept newest first by an integer key (deployment sequence, audit id), sliced the way
 * Relay's cursor connections slice them: `after`/`before` bound the list, then `first` takes from
 * its start (the newest) and `last` from its end (the oldest).
 */
import type { KeyWindow } from './ports';

export interface PageRequest {
  /** At least one of `first` and `last` is set. */
  first: number | null;
  last: number | null;
  /** Only rows after this key in list order (older: lower keys). */
  afterKey: number | null;
  /** Only rows before this key in list order (newer: higher keys). */
  beforeKey: number | null;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** The first `first` rows, newest first. */
export const firstRows = (first: number): PageRequest => ({ first, last: null, afterKey: null, beforeKey: null });

/** Reads up to `limit` rows with keys below `belowKey` (null: no bound) and within `window`, newest first. */
export type ReadWindow<T> = (belowKey: number | null, limit: number, window: KeyWindow) => Promise<T[]>;

/**
 * One page, reading one row more than asked to learn whether there are more. As the Relay spec lets
 * a server do, `hasPreviousPage` is true whenever `after` is given and `hasNextPage` whenever
 * `before` is, unless `last` or `first` tell otherwise.
 */
export async function readPage<T>(request: PageRequest, read: ReadWindow<T>): Promise<Page<T>> {
  const { first, last, afterKey, beforeKey } = request;
  const above = beforeKey;
  if (first !== null) {
    const rows = await read(afterKey, first + 1, { above });
    const page = rows.slice(0, first);
    if (last === null) return { rows: page, hasNextPage: rows.length > first, hasPreviousPage: afterKey !== null };
    return { rows: page.slice(Math.max(0, page.length - last)), hasNextPage: rows.length > first, hasPreviousPage: page.length > last };
  }
  const rows = await read(afterKey, last! + 1, { above, fromOldest: true });
  return { rows: rows.slice(rows.length > last! ? 1 : 0), hasNextPage: beforeKey !== null, hasPreviousPage: rows.length > last! };
}
