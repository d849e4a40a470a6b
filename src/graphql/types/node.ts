/**
 * The Relay Node interface over the ids objects already have: `node(id:)` and `nodes(ids:)` accept
 * `rbk-…`, `te-…`, `dep-…` and the rest unchanged (nothing is re-encoded), and read the type from the
 * id's prefix. Each type registers itself with `asNode` beside its definition.
 */
import type { ObjectRef } from '@pothos/core';
import { resolveNodes } from '@pothos/plugin-relay';
import type { Actor } from '../../domain/actor';
import { BadRequestError } from '../../domain/errors';
import type { Backend } from '../../domain/ports';
import { builder } from '../builder';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** At most this many ids per `nodes` call (the size of a connection page). */
export const MAX_NODE_IDS = 100;

/** The type each id prefix belongs to (prefixes as `newId` makes them, plus the derived ids below). */
const PREFIXES: ReadonlyArray<readonly [prefix: string, typename: string]> = [
  ['org-', 'Organization'],
  ['prj-', 'Project'],
  ['te-', 'TenantEnvironment'],
  ['dep-', 'Deployment'],
  ['rbk-', 'RollbackRequest'],
  ['rel-', 'ReleaseRequest'],
  ['prm-', 'PromotionRequest'],
  ['rev-', 'RollbackReview'],
  ['note-', 'RollbackNote'],
  ['bgs-', 'BreakGlassSession'],
  ['usr-', 'User'],
  ['sync:', 'SyncStatus'],
  ['policy:', 'ApprovalPolicy'],
];

/** A tenant-environment's sync status has an id of its own, so client caches update it from subscription events. */
export const syncStatusId = (tenantEnvironmentId: string) => `sync:${tenantEnvironmentId}`;
/** An environment's approval policy likewise. */
export const approvalPolicyId = (environmentId: string) => `policy:${environmentId}`;
/** The record id inside a derived id (`sync:te-…` → `te-…`). */
export const underlyingId = (id: string) => id.slice(id.indexOf(':') + 1);

/** The type of the object an id names, or null when no type has such ids. Audit events have numeric ids. */
export function nodeTypeOf(id: string): string | null {
  if (/^[1-9]\d{0,15}$/.test(id)) return 'AuditEvent';
  return PREFIXES.find(([prefix]) => id.startsWith(prefix) && id.length > prefix.length)?.[1] ?? null;
}

/**
 * Makes the type a Node: its `id` field, and how `node`/`nodes` load it (through the domain, which
 * answers null for what the caller may not read).
 */
export function asNode<T>(
  ref: ObjectRef<Types, T>,
  id: (value: T) => string,
  load: (backend: Backend, actor: Actor | null, ids: string[]) => Promise<Array<T | null>>,
): void {
  builder.nodeRef<T, string, ObjectRef<Types, T>>(ref, {
    id: { resolve: (value) => id(value) },
    loadMany: (ids, ctx) => load(ctx.backend, ctx.actor, ids),
  });
}

const decoded = (id: string) => {
  const typename = nodeTypeOf(id);
  return typename ? { typename, id } : null;
};

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this id (e.g. `rbk-…`, `te-…`, `dep-…`, `sync:te-…`); null when there is none the caller may read.',
    args: { id: t.arg.id() },
    resolve: async (_root, args, ctx, info) => (await resolveNodes(builder, ctx, info, [decoded(String(args.id))]))[0] ?? null,
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The objects with these ids, in the same order; null for each there is none the caller may read. At most ${MAX_NODE_IDS} ids.`,
    args: { ids: t.arg.idList() },
    resolve: (_root, args, ctx, info) => {
      if (args.ids.length > MAX_NODE_IDS) throw new BadRequestError('TOO_MANY_IDS', `nodes takes at most ${MAX_NODE_IDS} ids (got ${args.ids.length})`);
      return resolveNodes(builder, ctx, info, args.ids.map((id) => decoded(String(id))));
    },
  }),
);
