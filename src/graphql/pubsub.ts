/** The in-process event bus: domain events fan out to GraphQL subscriptions. A Redis event target can replace it for several instances. */
import { createPubSub } from 'graphql-yoga';
import type { DomainEvent, EventBus } from '../domain/events';

/** An EventTarget that knows how many listeners (live subscriptions) it has. */
class CountingEventTarget extends EventTarget {
  listeners = 0;

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    if (args[1]) this.listeners++;
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    if (args[1]) this.listeners--;
    super.removeEventListener(...args);
  }
}

/** The bus port plus what an operator (or a test) may want to know about the process-local fan-out. */
export interface InProcessEventBus extends EventBus {
  /** Subscriptions currently listening for domain events in this process. */
  subscriberCount(): number;
}

export function createEventPubSub() {
  const eventTarget = new CountingEventTarget();
  const pubsub = createPubSub<{ domainEvent: [DomainEvent] }>({ eventTarget });
  const bus: InProcessEventBus = {
    publish: (event) => pubsub.publish('domainEvent', event),
    subscriberCount: () => eventTarget.listeners,
  };
  return { pubsub, bus };
}

export type EventPubSub = ReturnType<typeof createEventPubSub>['pubsub'];
