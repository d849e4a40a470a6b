/**
 * Domain events: plain JSON values (dates as ISO strings, a version field), published only after
 * their transaction commits, so that an instance receiving one from another (through Redis) filters
 * and resolves it exactly as the instance that caused it.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeRequest, ChangeRequestKind, RequestState, RollbackRequest } from './model';

export const EVENT_VERSION = 1;

export type RollbackRequestChange = 'CREATED' | 'STATE_CHANGED' | 'REVIEWED' | 'NOTE_ADDED';

/** A record with its dates as ISO strings. */
export type Snapshot<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

interface EventBase {
  v: typeof EVENT_VERSION;
  /** Unique per event: work shared by every subscriber of one event is keyed by it. */
  id: string;
  projectId: string;
  tenantEnvironmentId: string;
  at: string;
}

export type RollbackRequestUpdated = EventBase & {
  type: 'rollbackRequestUpdated';
  requestId: string;
  change: RollbackRequestChange;
  state: RequestState;
  /** The request as it was right after this change. */
  request: Snapshot<RollbackRequest>;
};

/** A release or promotion request changed (rollback requests keep their own rollbackRequestUpdated). */
export type ApprovalRequestUpdated = EventBase & {
  type: 'approvalRequestUpdated';
  kind: ChangeRequestKind;
  requestId: string;
  change: RollbackRequestChange;
  state: RequestState;
  /** The request as it was right after this change. */
  request: Snapshot<ChangeRequest>;
};

export type SyncStatusChanged = EventBase & {
  type: 'syncStatusChanged';
  /** The report that caused it; null when the agent's reachability changed without one. */
  reportId: number | null;
};

export type DeploymentRecorded = EventBase & { type: 'deploymentRecorded'; deploymentId: string };

export type DomainEvent = RollbackRequestUpdated | ApprovalRequestUpdated | SyncStatusChanged | DeploymentRecorded;

type EventBody<E> = E extends DomainEvent ? Omit<E, 'v' | 'id' | 'at'> : never;

export function domainEvent<E extends DomainEvent>(body: EventBody<E>, at: Date): E {
  return { v: EVENT_VERSION, id: randomUUID(), at: at.toISOString(), ...body } as unknown as E;
}

export function snapshotOf<T extends object>(record: T): Snapshot<T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])) as Snapshot<T>;
}

const REQUEST_DATES = ['createdAt', 'updatedAt', 'approvedAt', 'rejectedAt', 'executingAt', 'completedAt', 'failedAt'] as const;

export function requestFromSnapshot(snapshot: Snapshot<RollbackRequest>): RollbackRequest;
export function requestFromSnapshot(snapshot: Snapshot<ChangeRequest>): ChangeRequest;
export function requestFromSnapshot(snapshot: Snapshot<RollbackRequest> | Snapshot<ChangeRequest>): RollbackRequest | ChangeRequest {
  const request = { ...snapshot } as unknown as Record<string, unknown>;
  for (const key of REQUEST_DATES) {
    const value = snapshot[key];
    request[key] = value === null ? null : new Date(value);
  }
  return request as unknown as RollbackRequest | ChangeRequest;
}

export function requestEvent(request: RollbackRequest, change: RollbackRequestChange, at: Date): RollbackRequestUpdated {
  return domainEvent<RollbackRequestUpdated>(
    {
      type: 'rollbackRequestUpdated',
      projectId: request.projectId,
      tenantEnvironmentId: request.tenantEnvironmentId,
      requestId: request.id,
      change,
      state: request.state,
      request: snapshotOf(request),
    },
    at,
  );
}

export function changeRequestEvent(request: ChangeRequest, change: RollbackRequestChange, at: Date): ApprovalRequestUpdated {
  return domainEvent<ApprovalRequestUpdated>(
    {
      type: 'approvalRequestUpdated',
      kind: request.kind,
      projectId: request.projectId,
      tenantEnvironmentId: request.tenantEnvironmentId,
      requestId: request.id,
      change,
      state: request.state,
      request: snapshotOf(request),
    },
    at,
  );
}
