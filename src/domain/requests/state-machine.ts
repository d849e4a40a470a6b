/** Rollback request states and the only transitions between them (spec "Request States"). */
import { and, eq } from 'drizzle-orm';
import { rollbackRequests, type RequestState } from '../../db/schema';
import type { Db } from '../../db/client';
import type { RollbackRequestRow } from '../batch-reads';
import { BadRequestError } from '../errors';

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
 * Moves a request from `from` to `to`, guarded in SQL by the state it is expected to be in,
 * so two writers can never both make the same transition.
 */
export async function transition(
  tx: Db,
  request: RollbackRequestRow,
  to: RequestState,
  now: Date,
  patch: Partial<typeof rollbackRequests.$inferInsert> = {},
): Promise<RollbackRequestRow> {
  if (!canTransition(request.state, to)) {
    throw new BadRequestError('INVALID_TRANSITION', `a ${request.state.toLowerCase()} rollback request cannot become ${to.toLowerCase()}`);
  }
  const timestamp = TIMESTAMP_OF[to];
  const [updated] = await tx
    .update(rollbackRequests)
    .set({ ...patch, state: to, updatedAt: now, ...(timestamp ? { [timestamp]: now } : {}) })
    .where(and(eq(rollbackRequests.id, request.id), eq(rollbackRequests.state, request.state)))
    .returning();
  if (!updated) {
    throw new BadRequestError('INVALID_TRANSITION', `the rollback request is no longer ${request.state.toLowerCase()}`);
  }
  return updated;
}
