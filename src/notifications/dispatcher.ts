/**
 * Sends the outbox. Each pass leases the due head row of every target (see setLeases), posts them
 * concurrently, then records each outcome. Sending happens before recording, so a crash in between
 * sends the row again after the lease expires: delivery is at least once, with the same
 * idempotency key every time, and a receiver drops what it has already seen.
 */
import { randomUUID } from 'node:crypto';
import type { NotificationDelivery, NotificationTarget } from '../domain/model';
import type { Backend } from '../domain/ports';
import type { Logger } from '../logger';
import type { AddressPolicy } from './address-policy';
import { requestFor } from './format';
import { DeliveryError, postOnce } from './safe-http';

export interface DispatcherSettings {
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  maxAttempts: number;
  pollMs: number;
  concurrency: number;
}

export interface DeliveryObserver {
  (result: { target: NotificationTarget; delivery: NotificationDelivery; outcome: 'delivered' | 'retry' | 'dead'; status: number | null; ms: number }): void;
}

/** Exponential, capped, with "equal jitter": half the step fixed, half random, so retries of many rows spread out. */
export function backoffMs(settings: Pick<DispatcherSettings, 'backoffBaseMs' | 'backoffMaxMs'>, failedAttempts: number, random = Math.random): number {
  const step = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

export interface Dispatcher {
  start(): void;
  /** Look at the outbox now (a commit just wrote rows). */
  wake(): void;
  /** Stops claiming, gives up the attempts in flight (recorded as failed, so retried after a restart) and waits for them to be recorded. */
  stop(): Promise<void>;
  readonly owner: string;
}

export function createDispatcher(backend: Backend, settings: DispatcherSettings, policy: AddressPolicy, logger: Logger, observe?: DeliveryObserver): Dispatcher {
  const owner = `dispatcher-${randomUUID()}`;
  // Longer than an attempt can take, so a lease only lapses when its holder died.
  const leaseMs = settings.timeoutMs * 2 + 1000;
  const inFlight = new Set<Promise<void>>();
  // Aborted on stop: an attempt in flight then ends as a failed one (retried soon after a restart) instead of holding up shutdown.
  let shutdown = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void pass(), ms);
    timer.unref();
  };

  function pass(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = claimAndSend();
    return running;
  }

  async function claimAndSend(): Promise<void> {
    try {
      const room = settings.concurrency - inFlight.size;
      if (room > 0 && (await backend.stores.notificationDeliveries.anyDue(backend.now()))) {
        const now = backend.now();
        const rows = await backend.transact(({ stores }) => stores.notificationDeliveries.setLeases(owner, now, new Date(now.getTime() + leaseMs), room));
        // Stopped while claiming: the leases lapse and the rows are sent after a restart, like attempts given up.
        for (const row of stopped ? [] : rows) {
          const attempt = deliver(row).finally(() => {
            inFlight.delete(attempt);
            // The target's next row may be due now.
            schedule(0);
          });
          inFlight.add(attempt);
        }
      }
    } catch (error) {
      if (!stopped) logger.error({ err: error }, 'notification dispatcher: claiming from the outbox failed');
    } finally {
      running = null;
      if (again) {
        again = false;
        schedule(0);
      } else {
        schedule(settings.pollMs);
      }
    }
  }

  async function deliver(row: NotificationDelivery): Promise<void> {
    let target: NotificationTarget | null;
    try {
      target = await backend.stores.notificationTargets.byId(row.targetId);
    } catch (failure) {
      if (!stopped) logger.error({ err: failure, deliveryId: row.id }, 'notification delivery: reading its target failed');
      return;
    }
    if (!target) return;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    let code = 'NOTIFICATION_HTTP_ERROR';
    const host = safeHost(target.url);
    try {
      const outgoing = await requestFor(backend, target, row);
      const result = await postOnce(new URL(target.url), outgoing.headers, outgoing.body, { timeoutMs: settings.timeoutMs, policy, signal: shutdown.signal });
      status = result.status;
      if (status < 200 || status >= 300) error = `HTTP ${status}${result.body ? `: ${result.body.slice(0, 200)}` : ''}`;
    } catch (failure) {
      error = (failure as Error).message;
      if (failure instanceof DeliveryError) code = failure.code;
    }
    const now = backend.now();
    const attempts = row.attempts + 1;
    const delivered = error === null;
    const dead = !delivered && attempts >= settings.maxAttempts;
    const outcome = delivered ? 'delivered' : dead ? 'dead' : 'retry';
    try {
      const recorded = await backend.transact(({ stores }) =>
        stores.notificationDeliveries.setOutcome(row.id, owner, {
          state: delivered ? 'DELIVERED' : dead ? 'DEAD' : 'PENDING',
          attempts,
          nextAttemptAt: delivered || dead ? now : new Date(now.getTime() + backoffMs(settings, attempts)),
          lastStatus: status,
          lastError: error,
          lastAttemptAt: now,
          deliveredAt: delivered ? now : null,
        }),
      );
      if (!recorded) logger.warn({ deliveryId: row.id, target: target.name, host }, 'notification delivery: the lease lapsed before the outcome was recorded');
    } catch (failure) {
      if (!stopped) logger.error({ err: failure, deliveryId: row.id, target: target.name, host }, 'notification delivery: recording the outcome failed');
    }
    observe?.({ target, delivery: row, outcome, status, ms: Date.now() - started });
    // The host names the target; its URL may carry a token (Slack's does) and its secret is never logged.
    if (!delivered) {
      const fields = { deliveryId: row.id, eventId: row.eventId, event: row.eventKind, target: target.name, kind: target.kind, host, attempts, status, code, error };
      if (dead) logger.error(fields, 'notification dead after its last attempt');
      else logger.warn(fields, 'notification delivery failed; retrying');
    }
  }

  return {
    owner,
    start() {
      stopped = false;
      shutdown = new AbortController();
      schedule(0);
    },
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      shutdown.abort();
      // A pass still claiming may add attempts; wait for it before waiting for them.
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
