/** Subscription plumbing: domain events from the bus, filtered to what the subscriber may read. */
import { filter, pipe } from 'graphql-yoga';
import { canRead } from '../domain/access';
import { NotFoundError } from '../domain/errors';
import type { DomainEvent } from '../domain/events';
import { tenantEnvironmentById, type TenantEnvironmentContext } from '../domain/workspace';
import type { GraphQLContext } from './context';

export type DeploymentRecordedEvent = Extract<DomainEvent, { type: 'deploymentRecorded' }>;

export function eventsOf(ctx: GraphQLContext, predicate: (event: DomainEvent) => boolean): AsyncIterable<DomainEvent> {
  return pipe(
    ctx.pubsub.subscribe('domainEvent'),
    filter((event: DomainEvent) => predicate(event) && canRead(ctx.actor, event.projectId)),
  );
}

export async function requireReadableTenantEnvironment(ctx: GraphQLContext, id: string): Promise<TenantEnvironmentContext> {
  const context = await tenantEnvironmentById(ctx.services, ctx.actor, id);
  if (!context) throw new NotFoundError('tenant-environment');
  return context;
}
