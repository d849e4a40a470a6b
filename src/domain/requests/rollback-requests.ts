/** Rollback requests: submit, review (quorum, no self-approval), retry, notes — the approval workflow. */
import type { Actor, UserActor } from '../actor';
import { requireWritable } from '../archived';
import { canReadRecord, requireRole, requireUser } from '../access';
import { recordAudit } from '../audit';
import { BadRequestError, ConflictError, DomainError, NotFoundError } from '../errors';
import { requestEvent } from '../events';
import { requireModeAllowed } from '../gating';
import { newId } from '../ids';
import { boundedText } from '../input-limits';
import type { RequestState, ReviewDecision, RollbackRequest, TenantEnvironment } from '../model';
import type { Backend, Transaction } from '../ports';
import { recordedChangesOf } from '../history/deployment-record';
import { previewRollback, type RollbackInput } from '../rollback/preview';
import { loadTenantEnvironment } from '../workspace';
import {
  checkReviewAllowed,
  decideApproval,
  decisionOf,
  executionFailure,
  messagesOf,
  requireNoOverlappingRequest,
  requireOwnPendingUnderBreakGlass,
  requireRetryable,
} from './approval';
import { auditOf, executionLease, runExecution } from './run-execution';
import { transition } from './state-machine';

export interface RequestRollbackInput extends RollbackInput {
  justification: string;
  /** The hash of the preview the requester looked at; a different plan now is a conflict. */
  previewHash?: string | null;
}

export const MESSAGES = messagesOf('ROLLBACK');

export async function requestRollback(backend: Backend, actor: Actor | null, input: RequestRollbackInput): Promise<RollbackRequest> {
  const justification = boundedText(input.justification, 'justification');
  const preview = await previewRollback(backend, actor, input);
  const user = requireUser(actor);
  if (!justification) throw new BadRequestError('JUSTIFICATION_REQUIRED', 'justification is required: explain why the rollback is needed');
  if (input.previewHash && input.previewHash !== preview.previewHash) {
    throw new ConflictError('ROLLBACK_CONFLICT', 'conflict detected: the tenant-environment changed since the rollback was previewed (same files or fields); preview again', {
      expectedPreviewHash: input.previewHash,
      actualPreviewHash: preview.previewHash,
    });
  }
  const { tenantEnvironment: context } = preview;
  requireWritable(context);
  const id = newId('rbk');
  // Held from before the request can be APPROVED until its execution is stored (see reconcileInterruptedExecutions).
  return backend.locks.run(executionLease(id), async () => {
    const created = await backend.locks.run(`requests:${context.id}`, () => backend.transact(async ({ stores, emit }) => {
      const now = backend.now();
      await requireNoOverlappingRequest(stores, context.id, { services: preview.affectedServices, whole: preview.scope.mode === 'FULL' });
      const decision = await decideApproval(stores, context, user, now);
      const session = decision.session;
      const needsApproval = decision.approvalRequired;
      const state: RequestState = decision.state;
      const row = await stores.requests.insert({
        id,
        projectId: context.project.id,
        tenantEnvironmentId: context.id,
        mode: preview.scope.mode,
        targetSha: preview.targetRevision,
        service: preview.scope.service,
        selectedFields: preview.scope.fields,
        affectedServices: preview.affectedServices,
        justification,
        baseSha: preview.baseRevision,
        previewHash: preview.previewHash,
        previewImpact: preview.diff.counts,
        state,
        requestedById: user.user.id,
        breakGlassSessionId: session?.id ?? null,
        requiredApprovals: needsApproval ? context.environment.quorum : 0,
        approvalRequired: needsApproval,
        resultSha: null,
        error: null,
        errorCode: null,
        createdAt: now,
        updatedAt: now,
        approvedAt: state === 'APPROVED' ? now : null,
        rejectedAt: null,
        executingAt: null,
        completedAt: null,
        failedAt: null,
        attempts: 0,
      });
      // What the rollback's deployment record will be, while the directory stays as previewed.
      if (row.mode === 'FULL') await stores.requests.insertPreviewChanges(row.id, recordedChangesOf(preview.diff));
      await recordAudit(
        stores,
        auditOf(row, user, 'rollback.requested', now, {
          service: row.service,
          fields: row.selectedFields,
          affectedServices: row.affectedServices,
          justification,
          approval: session ? 'bypassed by break-glass' : needsApproval ? `pending (quorum ${context.environment.quorum})` : 'not required',
        }),
      );
      emit(requestEvent(row, 'CREATED', now));
      return row;
    }));
    if (created.state !== 'APPROVED') return created;
    const executed = await runExecution(backend, user, created, context);
    // No approval was saved here: the failure is a REQUEST_EXECUTION_FAILED, in the same shape as every other.
    if (executed.state === 'FAILED') throw executionFailure(executed, false, 'ROLLBACK');
    return executed;
  });
}

/** A request the actor may see; unknown and invisible are the same "not found". */
export async function rollbackRequestById(backend: Backend, actor: Actor | null, id: string): Promise<RollbackRequest | null> {
  const row = await backend.stores.requests.byId(id);
  return row && canReadRecord(actor, row) ? row : null;
}

async function requireRequest(backend: Backend, actor: Actor | null, id: string): Promise<RollbackRequest> {
  const request = await rollbackRequestById(backend, actor, id);
  if (!request) throw new NotFoundError(`rollback request ${id}`);
  return request;
}

export async function reviewRollbackRequest(
  backend: Backend,
  actor: Actor | null,
  input: { id: string; decision: ReviewDecision; comment?: string | null },
): Promise<RollbackRequest> {
  const request = await requireRequest(backend, actor, input.id);
  const reviewer = requireRole(actor, request.projectId, 'APPROVER', 'rollback request');
  // An approval executes the rollback: the mode must still be allowed (plan or flags may have changed since).
  if (input.decision === 'APPROVE') requireModeAllowed(await loadTenantEnvironment(backend, request.tenantEnvironmentId), request.mode);
  const { environment } = await loadTenantEnvironment(backend, request.tenantEnvironmentId);
  return backend.locks.run(executionLease(request.id), async () => {
    const reviewed = await backend.transact((tx) => recordReview(backend, tx, request.id, reviewer, environment.slug, input));
    if (reviewed.state !== 'APPROVED') return reviewed;
    const executed = await runExecution(backend, reviewer, reviewed);
    if (executed.state === 'FAILED') throw executionFailure(executed, true, 'ROLLBACK');
    return executed;
  });
}

/** The review, and the decision it makes (REJECTED, or APPROVED once the quorum is met), checked against the stored request. */
async function recordReview(
  backend: Backend,
  { stores, emit }: Transaction,
  requestId: string,
  reviewer: UserActor,
  environmentSlug: string,
  input: { decision: ReviewDecision; comment?: string | null },
): Promise<RollbackRequest> {
  const now = backend.now();
  const comment = boundedText(input.comment, 'comment');
  const fresh = (await stores.requests.byId(requestId))!;
  const policy = (await stores.environments.bySlug(fresh.projectId, environmentSlug))!;
  await checkReviewAllowed(stores.reviews, 'ROLLBACK', fresh, policy, reviewer);
  await stores.reviews.insert({
    id: newId('rev'),
    requestId: fresh.id,
    reviewerId: reviewer.user.id,
    decision: input.decision,
    comment,
    createdAt: now,
  });
  await recordAudit(stores, auditOf(fresh, reviewer, 'rollback.reviewed', now, { decision: input.decision, comment }));
  let row = fresh;
  const [reviews] = await stores.reviews.ofRequests([row.id]);
  const { to, approvals } = decisionOf(row, reviews!, input.decision);
  if (to === 'REJECTED') {
    row = await transition(stores, row, 'REJECTED', now);
    await recordAudit(stores, auditOf(row, reviewer, 'rollback.rejected', now));
  } else if (to === 'APPROVED') {
    row = await transition(stores, row, 'APPROVED', now);
    await recordAudit(stores, auditOf(row, reviewer, 'rollback.approved', now, { approvals, quorum: row.requiredApprovals }));
  }
  emit(requestEvent(row, 'REVIEWED', now));
  if (row.state !== 'PENDING') emit(requestEvent(row, 'STATE_CHANGED', now));
  return row;
}

export async function retryRollbackExecution(backend: Backend, actor: Actor | null, id: string): Promise<RollbackRequest> {
  const request = await requireRequest(backend, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'rollback request');
  const notFailed = (state: string) => new BadRequestError('REQUEST_NOT_FAILED', 'only a failed rollback request can be retried', { state });
  if (request.state !== 'FAILED') throw notFailed(request.state);
  requireRetryable(request);
  requireModeAllowed(await loadTenantEnvironment(backend, request.tenantEnvironmentId), request.mode);
  let executed: RollbackRequest;
  try {
    executed = await backend.locks.run(executionLease(request.id), () => runExecution(backend, user, request));
  } catch (error) {
    // A concurrent retry moved it to EXECUTING first: this one is refused like any retry of a request that is not failed.
    if (error instanceof DomainError && error.code === 'INVALID_TRANSITION') {
      const current = await rollbackRequestById(backend, actor, id);
      if (current && current.state !== 'FAILED') throw notFailed(current.state);
    }
    throw error;
  }
  if (executed.state === 'FAILED') throw executionFailure(executed, false, 'ROLLBACK');
  return executed;
}

/**
 * Under an open break-glass session, the requester executes their own PENDING rollback request at
 * once (PENDING → APPROVED by the session, audited as break-glass) instead of filing a duplicate.
 */
export async function executeRollbackRequestUnderBreakGlass(backend: Backend, actor: Actor | null, id: string): Promise<RollbackRequest> {
  const request = await requireRequest(backend, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'rollback request');
  requireModeAllowed(await loadTenantEnvironment(backend, request.tenantEnvironmentId), request.mode);
  return backend.locks.run(executionLease(request.id), async () => {
    const approved = await backend.transact(async ({ stores, emit }) => {
      const now = backend.now();
      const fresh = (await stores.requests.byId(request.id))!;
      const session = await requireOwnPendingUnderBreakGlass(stores, fresh, user, now, 'ROLLBACK');
      const row = await transition(stores, fresh, 'APPROVED', now, { breakGlassSessionId: session.id });
      await recordAudit(stores, auditOf(row, user, 'rollback.approved', now, { approval: 'bypassed by break-glass', breakGlassSessionId: session.id }));
      emit(requestEvent(row, 'STATE_CHANGED', now));
      return row;
    });
    const executed = await runExecution(backend, user, approved);
    if (executed.state === 'FAILED') throw executionFailure(executed, false, 'ROLLBACK');
    return executed;
  });
}

export async function addRollbackNote(backend: Backend, actor: Actor | null, id: string, note: string): Promise<RollbackRequest> {
  const request = await requireRequest(backend, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'rollback request');
  const text = boundedText(note, 'note');
  if (!text) throw new BadRequestError('NOTE_REQUIRED', 'note cannot be empty');
  if (request.state !== 'COMPLETED' && request.state !== 'FAILED') {
    throw new BadRequestError('NOTE_NOT_ALLOWED', 'post-rollback notes can be added to completed or failed rollback requests');
  }
  await backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    await stores.notes.insert({ id: newId('note'), requestId: id, authorId: user.user.id, note: text, createdAt: now });
    await recordAudit(stores, auditOf(request, user, 'rollback.note_added', now, { note: text }));
    emit(requestEvent(request, 'NOTE_ADDED', now));
  });
  return request;
}

export async function rollbackRequestsOf(backend: Backend, tenantEnvironment: TenantEnvironment, states: RequestState[] | null): Promise<RollbackRequest[]> {
  return backend.stores.requests.ofTenantEnvironment(tenantEnvironment.id, states);
}

/** Revisions rolled back to three or more times in 30 days: a recurring issue that needs root-cause analysis. */
export async function recurringRollbackTargets(backend: Backend, tenantEnvironment: TenantEnvironment, threshold = 3, days = 30) {
  const since = new Date(backend.now().getTime() - days * 86_400_000);
  const rows = await backend.stores.requests.completedTargetsSince(tenantEnvironment.id, since);
  return rows.filter((r) => r.rollbacks >= threshold).map((r) => ({ ...r, windowDays: days }));
}
