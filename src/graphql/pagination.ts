/** Cursor connections: opaque base64url cursors over a stable integer order key. */
import { BadRequestError } from '../domain/errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Our connections page forward only (newest first): the page size and the key after which to start. */
export function forwardPage(kind: string, args: ConnectionArgs): { first: number; afterKey: number | null } {
  if (args.last != null || args.before != null) {
    throw new BadRequestError('UNSUPPORTED_PAGINATION', 'this list pages forward only: use first/after');
  }
  return { first: pageSize(args.first), afterKey: args.after ? decodeIdCursor(kind, args.after) : null };
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadRequestError('INVALID_PAGE_SIZE', `first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

export function encodeIdCursor(kind: string, key: number): string {
  return Buffer.from(`${kind}:${key}`).toString('base64url');
}

export function decodeIdCursor(kind: string, cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const key = Number(text.slice(kind.length + 1));
  if (!text.startsWith(`${kind}:`) || !Number.isInteger(key)) throw new BadRequestError('INVALID_CURSOR', 'invalid cursor');
  return key;
}

export function connectionOf<T>(rows: T[], hasNextPage: boolean, hasPreviousPage: boolean, cursorOf: (row: T) => string) {
  const edges = rows.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
