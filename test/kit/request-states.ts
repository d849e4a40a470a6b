/** The spec's "Request States" table, written out independently of the implementation (src/domain/requests/state-machine.ts). */
import { REQUEST_STATES, type RequestState, type RollbackRequest } from '../../src/domain/model';

export const ALLOWED: Array<[RequestState, RequestState]> = [
  ['PENDING', 'APPROVED'],
  ['PENDING', 'REJECTED'],
  ['APPROVED', 'EXECUTING'],
  ['EXECUTING', 'COMPLETED'],
  ['EXECUTING', 'FAILED'],
  ['FAILED', 'EXECUTING'],
];
export const isAllowed = (from: RequestState, to: RequestState) => ALLOWED.some(([f, s]) => f === from && s === to);
export const ALL_PAIRS = REQUEST_STATES.flatMap((from) => REQUEST_STATES.map((to) => [from, to] as [RequestState, RequestState]));

/** The timestamp each state sets when a request enters it. */
export const TIMESTAMP: Partial<Record<RequestState, 'approvedAt' | 'rejectedAt' | 'executingAt' | 'completedAt' | 'failedAt'>> = {
  APPROVED: 'approvedAt',
  REJECTED: 'rejectedAt',
  EXECUTING: 'executingAt',
  COMPLETED: 'completedAt',
  FAILED: 'failedAt',
};

/** A stored request as requestRollback writes it (FIELD rollback of api's image tag, PENDING-shaped), with `fields` on top. */
export function requestRow(fields: Pick<RollbackRequest, 'id' | 'projectId' | 'tenantEnvironmentId' | 'state' | 'requestedById' | 'createdAt'> & Partial<RollbackRequest>): RollbackRequest {
  return {
    mode: 'FIELD',
    targetSha: 't'.repeat(40),
    service: 'api',
    selectedFields: [{ file: 'values.yaml', path: 'image.tag' }],
    affectedServices: ['api'],
    justification: 'bad tag',
    baseSha: 'b'.repeat(40),
    previewHash: 'hash',
    previewImpact: { services: 1, files: 1, variables: 0, bindings: 0 },
    breakGlassSessionId: null,
    requiredApprovals: 1,
    approvalRequired: true,
    resultSha: null,
    error: null,
    errorCode: null,
    updatedAt: fields.createdAt,
    approvedAt: null,
    rejectedAt: null,
    executingAt: null,
    completedAt: null,
    failedAt: null,
    attempts: 0,
    ...fields,
  };
}
