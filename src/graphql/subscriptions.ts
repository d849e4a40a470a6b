/** Subscription plumbing: domain events from the bus, filtered to what the subscriber may read. */
import { filter, pipe } from 'graphql-yoga';
import type { Actor } from '../domain/actor';
import { canRead } from '../domain/access';
import { NotFoundError } from '../domain/errors';
import type { DomainEvent } from '../domain/events';
import { tenantEnvironmentById, type TenantEnvironmentContext } from '../domain/workspace';
import type { GraphQLContext } from './context';
import { createLoaders } from './loaders';

export type DeploymentRecordedEvent = Extract<DomainEvent, { type: 'deploymentRecorded' }>;

/** Users read events of their projects; agents only those of the tenant-environments they serve. */
export function canReadEvent(actor: Actor | null, event: DomainEvent): boolean {
  if (actor?.kind === 'agent') return actor.agent.projectId === event.projectId && actor.tenantEnvironmentIds.has(event.tenantEnvironmentId);
  return canRead(actor, event.projectId);
}

/**
 * The subscriber's stream of matching events. A subscription keeps one context for its whole life,
 * so each event gets fresh loaders: nested fields show the state at that event, not a cached earlier one.
 */
export function eventsOf(ctx: GraphQLContext, predicate: (event: DomainEvent) => boolean): AsyncIterable<DomainEvent> {
  return pipe(
    ctx.pubsub.subscribe('domainEvent'),
    filter((event: DomainEvent) => {
      if (!predicate(event) || !canReadEvent(ctx.actor, event)) return false;
      ctx.loaders = createLoaders(ctx.services);
      return true;
    }),
  );
}

export async function requireReadableTenantEnvironment(ctx: GraphQLContext, id: string): Promise<TenantEnvironmentContext> {
  const context = await tenantEnvironmentById(ctx.services, ctx.actor, id);
  if (!context) throw new NotFoundError('tenant-environment');
  return context;
}
