/**
 * Domain events across instances (REDIS_URL): every committed event is published to one Redis
 * channel, and this process's subscribers get only what comes back from it — its own events
 * included — so each is delivered exactly once wherever it was caused. When the subscriber
 * connection drops, events may be missed: every subscription is ended with EVENTS_INTERRUPTED
 * (and new ones until the channel is back), so no client goes on silently with a gap.
 */
import { Redis } from 'ioredis';
import { EVENT_VERSION, type DomainEvent } from '../domain/events';
import type { EventBus } from '../domain/ports';
import type { Logger } from '../logger';
import { EventsInterruptedError, type LocalDelivery } from './pubsub';

export const EVENTS_CHANNEL = 'backtrack:domain-events';

export interface RedisRelay {
  bus: EventBus;
  /** Subscribed to the channel (rejects when Redis cannot be reached at start). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function createRedisRelay(url: string, local: LocalDelivery, logger: Logger): RedisRelay {
  const retryStrategy = (attempt: number) => Math.min(50 * attempt, 1000);
  const publisher = new Redis(url, { retryStrategy, maxRetriesPerRequest: 2, lazyConnect: true });
  const subscriber = new Redis(url, { retryStrategy, lazyConnect: true });
  // ioredis reports connection errors as events; without listeners they would be unhandled.
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  let subscribed = false;
  let closing = false;

  subscriber.on('message', (_channel: string, message: string) => {
    let event: DomainEvent;
    try {
      event = JSON.parse(message) as DomainEvent;
    } catch {
      return;
    }
    if (event.v !== EVENT_VERSION) {
      logger.warn({ version: event.v }, 'ignored a domain event of another version from Redis');
      return;
    }
    local.deliver(event);
  });
  subscriber.on('close', () => {
    if (!subscribed || closing) return;
    subscribed = false;
    logger.warn('lost the Redis event channel: open subscriptions end with EVENTS_INTERRUPTED until it is back');
    local.interrupt(new EventsInterruptedError());
  });
  // ioredis subscribes again on reconnect; events flow once it has.
  subscriber.on('ready', () => {
    if (closing) return;
    if (!subscribed) logger.info('Redis event channel connected');
    subscribed = true;
    local.resume();
  });

  const ready = (async () => {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(EVENTS_CHANNEL);
    subscribed = true;
  })();
  ready.catch(() => undefined);

  return {
    bus: {
      publish: (event) => {
        publisher.publish(EVENTS_CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
          // Nobody (here at least) hears this event: end the subscriptions rather than leave a silent gap.
          logger.error({ err: error, event: event.id }, 'could not publish a domain event to Redis');
          local.interrupt(new EventsInterruptedError());
          if (subscribed) local.resume();
        });
      },
    },
    ready,
    close: async () => {
      closing = true;
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
