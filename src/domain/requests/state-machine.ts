/** Rollback request states and the only transitions between them (spec "Request States"). */
import { BadRequestError } from '../errors';
import type { RequestState, RollbackRequest } from '../model';
import type { RequestPatch, Stores } from '../ports';

export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  PENDING: ['APPROVED', 'REJECTED'],
  APPROVED: ['EXECUTING'],
  EXECUTING: ['COMPLETED', 'FAILED'],
  FAILED: ['EXECUTING'],
  REJECTED: [],
  COMPLETED: [],
};

const TIMESTAMP_OF: Partial<Record<RequestState, 'approvedAt' | 'rejectedAt' | 'executingAt' | 'completedAt' | 'failedAt'>> = {
  APPROVED: 'approvedAt',
  REJECTED: 'rejectedAt',
  EXECUTING: 'executingAt',
  COMPLETED: 'completedAt',
  FAILED: 'failedAt',
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Moves a request from its state to `to`, guarded by the state it is expected to be in, so two
 * writers can never both make the same transition.
 */
export async function transition(
  stores: Stores,
  request: RollbackRequest,
  to: RequestState,
  now: Date,
  patch: RequestPatch = {},
): Promise<RollbackRequest> {
  if (!canTransition(request.state, to)) {
    throw new BadRequestError('INVALID_TRANSITION', `a ${request.state.toLowerCase()} rollback request cannot become ${to.toLowerCase()}`);
  }
  const timestamp = TIMESTAMP_OF[to];
  const updated = await stores.requests.transition(request.id, request.state, {
    ...patch,
    state: to,
    updatedAt: now,
    ...(timestamp ? { [timestamp]: now } : {}),
  });
  if (!updated) throw new BadRequestError('INVALID_TRANSITION', `the rollback request is no longer ${request.state.toLowerCase()}`);
  return updated;
}
