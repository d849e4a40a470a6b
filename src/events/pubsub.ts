/**
 * The in-process event bus: domain events fan out to GraphQL subscriptions (and the metrics observer).
 * Subscribers are indexed by event type and tenant-environment, and filter before queuing, so an event
 * only wakes the subscriptions it is for. With REDIS_URL the relay (redis-relay.ts) feeds `publish`
 * from a channel, and interrupts the subscriptions when the channel is lost.
 */
import { DomainError } from '../domain/errors';
import type { DomainEvent } from '../domain/events';
import type { EventBus } from '../domain/ports';

type EventType = DomainEvent['type'];

/** Items a consumer may fall behind by before its stream is ended (a client can subscribe again). */
export const MAX_QUEUED_EVENTS = 10_000;

/** Expected, with its code: the client hears why its stream ended (it was masked as an internal error). */
export class SubscriberTooSlowError extends DomainError {
  constructor(message = `the subscription fell more than ${MAX_QUEUED_EVENTS} events behind and was ended; subscribe again`) {
    super('SUBSCRIBER_TOO_SLOW', message, 503);
  }
}

/**
 * The cross-instance channel was lost: events may have been missed, so the subscription ends rather
 * than go on with a gap. The client subscribes again and refetches what it shows.
 */
export class EventsInterruptedError extends DomainError {
  constructor(message = 'the event channel between instances was interrupted; events may have been missed: refetch and subscribe again') {
    super('EVENTS_INTERRUPTED', message, 503);
  }
}

/**
 * A push-fed async iterator: one promise per awaited item, items kept in order for a slow consumer.
 * `onEnd` runs once, when the stream ends for any reason (consumer return, finish, failure).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(private readonly onEnd: () => void = () => undefined) {}

  get isOpen(): boolean {
    return !this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
    } else if (this.items.length >= MAX_QUEUED_EVENTS) {
      this.items.length = 0;
      this.fail(new SubscriberTooSlowError());
    } else {
      this.items.push(item);
    }
  }

  /** Ends after the queued items; a waiting consumer is told at once. */
  finish(): void {
    this.end(null);
  }

  /** Fails after the queued items. */
  fail(error: unknown): void {
    this.end({ error });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.failure = null;
    this.end(null);
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.failure = null;
    this.end(null);
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private end(failure: { error: unknown } | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        waiting.reject(error);
      } else {
        waiting.resolve({ value: undefined, done: true });
      }
    }
    this.onEnd();
  }
}

export interface SubscribeOptions {
  /** Only events of this type. */
  type?: EventType;
  /** Only events of this tenant-environment. */
  tenantEnvironmentId?: string;
  /** Runs synchronously at publish time; events it rejects are never queued. */
  filter?: (event: DomainEvent) => boolean;
  /** Called for each accepted event, when it is queued. */
  onAccept?: (event: DomainEvent) => void;
  /** Called once when the stream ends, for whatever reason. */
  onEnd?: () => void;
  /** Not ended when the event channel is interrupted (in-process observers such as metrics, which miss nothing that matters). */
  durable?: boolean;
}

export interface EventPubSub {
  publish(topic: 'domainEvent', event: DomainEvent): void;
  subscribe(topic: 'domainEvent', options?: SubscribeOptions): AsyncQueue<DomainEvent>;
}

/** The bus port plus what an operator (or a test) may want to know about the process-local fan-out. */
export interface InProcessEventBus extends EventBus {
  /** Subscriptions currently listening for domain events in this process. */
  subscriberCount(): number;
}

/** What a relay (redis-relay.ts) drives: delivery to this process's subscribers, and interruption. */
export interface LocalDelivery {
  deliver(event: DomainEvent): void;
  /** Ends every non-durable subscription with `error`; until `resume`, new ones end with it at once. */
  interrupt(error: Error): void;
  resume(): void;
}

const ALL = '*';
const keyOf = (type: string, tenantEnvironmentId: string) => `${type}|${tenantEnvironmentId}`;

interface Subscriber {
  queue: AsyncQueue<DomainEvent>;
  options: SubscribeOptions;
}

export function createEventPubSub(): { pubsub: EventPubSub; bus: InProcessEventBus; local: LocalDelivery } {
  const subscribers = new Map<string, Set<Subscriber>>();
  let count = 0;
  let interrupted: Error | null = null;

  const deliver = (key: string, event: DomainEvent) => {
    const set = subscribers.get(key);
    if (!set) return;
    // A subscriber that ends while we deliver deletes itself from the set, which iteration tolerates.
    for (const { queue, options } of set) {
      if (!queue.isOpen || (options.filter && !options.filter(event))) continue;
      options.onAccept?.(event);
      queue.push(event);
    }
  };

  const pubsub: EventPubSub = {
    publish(_topic, event) {
      deliver(keyOf(ALL, ALL), event);
      deliver(keyOf(event.type, ALL), event);
      deliver(keyOf(ALL, event.tenantEnvironmentId), event);
      deliver(keyOf(event.type, event.tenantEnvironmentId), event);
    },
    subscribe(_topic, options = {}) {
      const key = keyOf(options.type ?? ALL, options.tenantEnvironmentId ?? ALL);
      let set = subscribers.get(key);
      if (!set) subscribers.set(key, (set = new Set()));
      const members = set;
      const subscriber: Subscriber = {
        options,
        queue: new AsyncQueue<DomainEvent>(() => {
          count--;
          members.delete(subscriber);
          if (members.size === 0 && subscribers.get(key) === members) subscribers.delete(key);
          options.onEnd?.();
        }),
      };
      members.add(subscriber);
      count++;
      if (interrupted && !options.durable) subscriber.queue.fail(interrupted);
      return subscriber.queue;
    },
  };

  const bus: InProcessEventBus = {
    publish: (event) => pubsub.publish('domainEvent', event),
    subscriberCount: () => count,
  };
  const local: LocalDelivery = {
    deliver: (event) => pubsub.publish('domainEvent', event),
    interrupt: (error) => {
      interrupted = error;
      for (const set of subscribers.values()) for (const { queue, options } of [...set]) if (!options.durable) queue.fail(error);
    },
    resume: () => {
      interrupted = null;
    },
  };
  return { pubsub, bus, local };
}
