/** The in-process event bus: domain events fan out to GraphQL subscriptions. A Redis event target can replace it for several instances. */
import { createPubSub } from 'graphql-yoga';
import type { DomainEvent, EventBus } from '../domain/events';

export function createEventPubSub() {
  const pubsub = createPubSub<{ domainEvent: [DomainEvent] }>();
  const bus: EventBus = { publish: (event) => pubsub.publish('domainEvent', event) };
  return { pubsub, bus };
}

export type EventPubSub = ReturnType<typeof createEventPubSub>['pubsub'];
