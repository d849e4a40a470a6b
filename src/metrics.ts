/** Prometheus metrics: yoga's HTTP/GraphQL metrics plus rollback executions by mode and result. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvent } from './domain/events';
import type { EventPubSub } from './events/pubsub';

export function createMetrics(pubsub: EventPubSub) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'backtrack_' });
  const executions = new Counter({
    name: 'backtrack_rollback_executions_total',
    help: 'Rollback executions by mode and result (completed or failed).',
    labelNames: ['mode', 'result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'backtrack_rollback_execution_duration_seconds',
    help: 'Time from EXECUTING to COMPLETED or FAILED.',
    labelNames: ['mode', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const casRetries = new Counter({
    name: 'backtrack_git_cas_retries_total',
    help: 'Writes whose compare-and-swap of main failed because main moved (planned again, or refused with CONCURRENT_CHANGE).',
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'backtrack_notification_deliveries_total',
    help: 'Notification delivery attempts by target, target kind and result (delivered, retry, dead).',
    labelNames: ['target', 'kind', 'result'] as const,
    registers: [registry],
  });
  const notificationDuration = new Histogram({
    name: 'backtrack_notification_attempt_duration_seconds',
    help: 'Time of one delivery attempt, from the request to the answer (or the failure).',
    labelNames: ['kind', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Derived from domain events, so the domain layer needs no metrics dependency.
  const observe = (event: DomainEvent) => {
    if (event.type !== 'rollbackRequestUpdated' || event.change !== 'STATE_CHANGED') return;
    const { request } = event;
    if (request.state !== 'COMPLETED' && request.state !== 'FAILED') return;
    const result = request.state.toLowerCase();
    const finishedAt = request.completedAt ?? request.failedAt;
    executions.inc({ mode: request.mode, result });
    if (request.executingAt && finishedAt) duration.observe({ mode: request.mode, result }, (Date.parse(finishedAt) - Date.parse(request.executingAt)) / 1000);
  };
  const iterator = pubsub.subscribe('domainEvent', { durable: true })[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const next = await iterator.next();
      if (next.done) break;
      observe(next.value);
    }
  })();
  return {
    registry,
    /** The dispatcher's observer: one count per attempt. */
    notificationAttempt: (attempt: { target: { name: string; kind: string }; outcome: string; ms: number }) => {
      notifications.inc({ target: attempt.target.name, kind: attempt.target.kind, result: attempt.outcome });
      notificationDuration.observe({ kind: attempt.target.kind, result: attempt.outcome }, attempt.ms / 1000);
    },
    casRetries,
    stop: () => {
      stopped = true;
      void iterator.return?.();
    },
  };
}
