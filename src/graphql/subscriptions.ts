/** Subscription plumbing: domain events from the bus, filtered to what the subscriber may read. */
import { BREAK, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { permissionsOf, type Actor } from '../domain/actor';
import { canReadEvent } from '../domain/access';
import { NotFoundError } from '../domain/errors';
import type { DomainEvent } from '../domain/events';
import { projectsByIds, rollbackRequestsByIds } from '../domain/lookup';
import type { TenantEnvironment } from '../domain/model';
import { canRead } from '../domain/workspace';
import { createGraphQLError } from 'graphql-yoga';
import { AsyncQueue, SubscriberTooSlowError, type SubscribeOptions } from '../events/pubsub';
import type { GraphQLContext } from './context';
import { Loaders } from './loaders';

/**
 * The subscriber's stream of matching events. `route` narrows which events are even offered (by type
 * and tenant-environment); the predicate and the read check run when an event is published.
 * A subscription keeps one context for its whole life, so each accepted event gets fresh loaders:
 * nested fields show the state at that event, not a cached earlier one.
 */
export function eventsOf(
  ctx: GraphQLContext,
  predicate: (event: DomainEvent) => boolean,
  route: Pick<SubscribeOptions, 'type' | 'tenantEnvironmentId'> = {},
): AsyncIterable<DomainEvent> {
  const key = {};
  const stream = ctx.pubsub.subscribe('domainEvent', {
    ...route,
    filter: (event) => predicate(event) && canReadEvent(ctx.actor, event),
    onAccept: () => {
      ctx.loaders = new Loaders(ctx.backend.stores);
    },
    onEnd: () => ctx.streams?.remove(key),
  });
  if (ctx.streams && ctx.token && ctx.actor) {
    ctx.streams.add(key, ctx.token, ctx.actor, (reason, code) =>
      stream.fail(createGraphQLError(reason, { extensions: { code, status: code === 'FORBIDDEN' ? 403 : 503 } })),
    );
  }
  return stream;
}

/**
 * Every id a subscription filters on names something the caller can read, or NOT_FOUND before it
 * starts: a subscription to an unknown or unreadable id would otherwise wait forever in silence.
 */
export async function requireReadableFilters(
  ctx: GraphQLContext,
  filters: { projectId?: string | null; tenantEnvironmentId?: string | null; requestId?: string | null },
): Promise<void> {
  const { projectId, tenantEnvironmentId, requestId } = filters;
  if (projectId && !(await projectsByIds(ctx.backend, ctx.actor, [projectId]))[0]) throw new NotFoundError('project');
  if (tenantEnvironmentId) await requireReadableTenantEnvironment(ctx, tenantEnvironmentId);
  if (requestId && !(await rollbackRequestsByIds(ctx.backend, ctx.actor, [requestId]))[0]) throw new NotFoundError('rollback request');
}

/** A tenant-environment the caller can read, through the request's loader (one query for a whole list). */
export async function requireReadableTenantEnvironment(ctx: GraphQLContext, id: string): Promise<TenantEnvironment> {
  const tenantEnvironment = await ctx.loaders.tenantEnvironment.load(id);
  if (!tenantEnvironment || !canRead(ctx.actor, tenantEnvironment)) throw new NotFoundError('tenant-environment');
  return tenantEnvironment;
}

/**
 * Whether the document selects a field marked `extensions: { viewerIdentity: true }` (through
 * fragments too): its result depends on who the viewer is, not only on their roles. Walks every
 * operation and fragment of the document, so a marked field anywhere counts.
 */
export function selectsViewerIdentity(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        if (typeInfo.getFieldDef()?.extensions?.viewerIdentity !== true) return undefined;
        found = true;
        return BREAK;
      },
    }),
  );
  return found;
}

/**
 * What makes two graphql-ws subscriptions produce identical results for every event: the same
 * operation, variables and extensions, and the same permissions as authenticated on connect. For
 * users that is their roles, so different people with the same roles share, unless the operation
 * selects a viewer-identity field (then the user too). Agents are scoped by identity. Null when
 * there is no actor.
 */
export function subscriptionShareKey(
  params: { query?: string | null; operationName?: string | null; variables?: unknown; extensions?: unknown },
  actor: Actor | null,
  dependsOnViewer: boolean,
): string | null {
  if (!actor) return null;
  const who = [permissionsOf(actor), dependsOnViewer && actor.kind === 'user' ? actor.user.id : null];
  return JSON.stringify([params.query ?? null, params.operationName ?? null, params.variables ?? null, params.extensions ?? null, who]);
}

/**
 * Takes one shared result, already serialized, straight to a subscriber's transport (graphql-ws
 * writes it to the socket). False when the subscriber cannot keep up: its subscription is ended.
 */
export type ResultSink = (serialized: string) => boolean;

interface Member {
  /**
   * What the transport iterates. Without a sink it carries every result; with one it only ends
   * (finish, failure), as the results went to the sink.
   */
  queue: AsyncQueue<unknown>;
  sink: ResultSink | null;
}

interface SharedStream {
  members: Set<Member>;
  /** Resolves false when the first subscribe did not give a stream (e.g. it was refused with errors). */
  ready: Promise<boolean>;
  closed: boolean;
}

/**
 * Subscription multiplexing for graphql-ws: subscribers with the same share key get one underlying
 * subscription, executed once per event through the full yoga pipeline (masking, plugins). With many
 * dashboards open on one tenant-environment, an event costs one execution per distinct (operation,
 * variables, permissions) instead of one per socket. The execution runs with the first subscriber's
 * context, so whatever it reads of the actor must be covered by the share key.
 *
 * A subscriber with a sink gets each result as text, serialized once for all of them and handed
 * over in one synchronous pass (no promise per subscriber per event); one whose sink reports it
 * cannot keep up is ended with SubscriberTooSlowError. Without a sink, each receives the results
 * through its own queue. Either way a slow subscriber does not hold up the others.
 */
export function createSubscriptionSharing(serialize: (result: unknown) => string = JSON.stringify) {
  const streams = new Map<string, SharedStream>();

  const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
    value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

  const join = (key: string, stream: SharedStream, source: AsyncIterator<unknown>, sink: ResultSink | null) => {
    const member: Member = {
      sink,
      queue: new AsyncQueue<unknown>(() => {
        stream.members.delete(member);
        if (stream.members.size === 0 && !stream.closed) {
          stream.closed = true;
          if (streams.get(key) === stream) streams.delete(key);
          void source.return?.();
        }
      }),
    };
    stream.members.add(member);
    return member.queue;
  };

  const fanOut = (stream: SharedStream, result: unknown) => {
    let serialized: string | undefined;
    // A member that ends meanwhile deletes itself from the set, which iteration tolerates.
    for (const member of stream.members) {
      if (!member.sink) {
        member.queue.push(result);
        continue;
      }
      serialized ??= serialize(result);
      if (!member.sink(serialized)) member.queue.fail(new SubscriberTooSlowError('the subscriber stopped reading its results and was ended; subscribe again'));
    }
  };

  const sources = new WeakMap<SharedStream, AsyncIterator<unknown>>();

  async function subscribe(key: string | null, start: () => unknown, sink: ResultSink | null = null): Promise<unknown> {
    if (key === null) return start();
    const existing = streams.get(key);
    if (existing) {
      const shared = await existing.ready;
      if (shared && !existing.closed) return join(key, existing, sources.get(existing)!, sink);
      // Refused or ended meanwhile: subscribe on its own (it may start a new shared stream).
      return existing.closed && shared ? subscribe(key, start, sink) : start();
    }
    let markReady!: (shared: boolean) => void;
    const stream: SharedStream = { members: new Set(), ready: new Promise((resolve) => (markReady = resolve)), closed: false };
    streams.set(key, stream);
    let result: unknown;
    try {
      result = await start();
    } catch (error) {
      stream.closed = true;
      streams.delete(key);
      markReady(false);
      throw error;
    }
    if (!isAsyncIterable(result)) {
      stream.closed = true;
      streams.delete(key);
      markReady(false);
      return result;
    }
    const source = result[Symbol.asyncIterator]();
    sources.set(stream, source);
    const first = join(key, stream, source, sink);
    markReady(true);
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await source.next();
          if (done) break;
          fanOut(stream, value);
        }
        for (const member of [...stream.members]) member.queue.finish();
      } catch (error) {
        for (const member of [...stream.members]) member.queue.fail(error);
      } finally {
        stream.closed = true;
        if (streams.get(key) === stream) streams.delete(key);
      }
    })();
    return first;
  }

  return {
    subscribe,
    /** Underlying shared subscriptions right now. */
    streamCount: () => streams.size,
  };
}

/** What onSubscribe puts on the root value for shareSubscriptions. */
export interface SharingRoot {
  /** See subscriptionShareKey; null subscribes on its own. */
  shareKey?: string | null;
  /** Where this subscriber's results go as text; without one they come through its iterator. */
  sink?: ResultSink | null;
}

/**
 * Wraps graphql-ws's `subscribe` so that subscriptions with the same share key (put on the root value
 * by onSubscribe, see SharingRoot) share one underlying subscription; `serialize` turns a result into
 * the text sinks receive.
 */
export function shareSubscriptions<A extends { rootValue?: unknown }>(
  subscribe: (args: A) => unknown,
  serialize?: (result: unknown) => string,
): (args: A) => Promise<unknown> {
  const sharing = createSubscriptionSharing(serialize);
  return (args) => {
    const root = args.rootValue as SharingRoot | undefined;
    return sharing.subscribe(root?.shareKey ?? null, () => subscribe(args), root?.sink ?? null);
  };
}
