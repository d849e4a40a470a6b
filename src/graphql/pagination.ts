/** Cursor connections: opaque base64url cursors over a stable integer order key, paged both ways. */
import { BadRequestError } from '../domain/errors';
import type { Page, PageRequest } from '../domain/paging';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * The page the connection arguments ask for: `first`/`after` page forward from the newest, `last`/
 * `before` backward from the oldest, the Relay way. Without either size, the first 20.
 */
export function pageRequest(kind: string, args: ConnectionArgs): PageRequest {
  const first = args.first != null ? pageSize('first', args.first) : null;
  const last = args.last != null ? pageSize('last', args.last) : null;
  return {
    first: first === null && last === null ? DEFAULT_PAGE_SIZE : first,
    last,
    afterKey: args.after ? decodeIdCursor(kind, args.after) : null,
    beforeKey: args.before ? decodeIdCursor(kind, args.before) : null,
  };
}

function pageSize(name: 'first' | 'last', size: number): number {
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadRequestError('INVALID_PAGE_SIZE', `${name} must be between 0 and ${MAX_PAGE_SIZE}`);
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

/** An edge whose cursor is encoded only when a query selects it (the history screen reads none of 50). */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

export function connectionOf<T>(page: Page<T>, cursorOf: (row: T) => string) {
  const edges = page.rows.map((node) => new Edge(node, cursorOf));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
