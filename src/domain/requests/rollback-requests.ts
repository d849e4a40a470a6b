/** Rollback requests: submit, review (quorum, no self-approval), retry, notes — the approval workflow. */
import { and, count, desc, eq, gte, inArray } from 'drizzle-orm';
import {
  environments,
  rollbackNotes,
  rollbackRequests,
  rollbackReviews,
  tenantEnvironments,
  type RequestState,
  type ReviewDecision,
} from '../../db/schema';
import type { Actor } from '../actor';
import { canRead, requireRole, requireUser } from '../access';
import { activeBreakGlassSession, recordAudit } from '../audit';
import type { RollbackRequestRow } from '../batch-reads';
import { BadRequestError, ConflictError, DomainError, ExecutionError, ForbiddenError, NotFoundError } from '../errors';
import { approvalWorkflowEnabled, requireModeAllowed } from '../gating';
import { newId } from '../ids';
import { previewRollback, type RollbackInput } from '../rollback/preview';
import type { Services } from '../services';
import { loadTenantEnvironment, type TenantEnvironmentContext } from '../workspace';
import { auditOf, requestEvent, runExecution } from './run-execution';
import { transition } from './state-machine';

export interface RequestRollbackInput extends RollbackInput {
  justification: string;
  /** The hash of the preview the requester looked at; a different plan now is a conflict. */
  previewHash?: string | null;
}

export const MESSAGES = {
  notPending: 'rollback request is not pending approval',
  selfReview: 'cannot approve/reject your own rollback request',
  alreadyReviewed: 'you have already reviewed this rollback request',
  executionFailed: 'approval saved but rollback execution failed',
} as const;

export async function requestRollback(services: Services, actor: Actor | null, input: RequestRollbackInput): Promise<RollbackRequestRow> {
  const preview = await previewRollback(services, actor, input);
  const user = requireUser(actor);
  const justification = input.justification?.trim();
  if (!justification) throw new BadRequestError('JUSTIFICATION_REQUIRED', 'justification is required: explain why the rollback is needed');
  if (input.previewHash && input.previewHash !== preview.previewHash) {
    throw new ConflictError('ROLLBACK_CONFLICT', 'conflict detected: the tenant-environment changed since the rollback was previewed (same files or fields); preview again', {
      expectedPreviewHash: input.previewHash,
      actualPreviewHash: preview.previewHash,
    });
  }
  const { context } = preview;
  const needsApproval = approvalWorkflowEnabled(context.organization) && context.environment.approvalRequired;
  const created = await services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const session = needsApproval ? await activeBreakGlassSession(tx, user.user.id, context.project.id, now) : null;
    const state: RequestState = needsApproval && !session ? 'PENDING' : 'APPROVED';
    const [row] = await tx
      .insert(rollbackRequests)
      .values({
        id: newId('rbk'),
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
        state,
        requestedById: user.user.id,
        breakGlassSessionId: session?.id ?? null,
        requiredApprovals: needsApproval ? context.environment.quorum : 0,
        approvalRequired: needsApproval,
        createdAt: now,
        updatedAt: now,
        approvedAt: state === 'APPROVED' ? now : null,
      })
      .returning();
    await recordAudit(
      tx,
      auditOf(row!, user, 'rollback.requested', now, {
        service: row!.service,
        fields: row!.selectedFields,
        affectedServices: row!.affectedServices,
        justification,
        approval: session ? 'bypassed by break-glass' : needsApproval ? `pending (quorum ${context.environment.quorum})` : 'not required',
      }),
    );
    afterCommit(() => services.events.publish(requestEvent(row!, 'CREATED', now)));
    return row!;
  });
  return created.state === 'APPROVED' ? runExecution(services, user, created) : created;
}

/** A request the actor may see; unknown and invisible are the same "not found". */
export async function rollbackRequestById(services: Services, actor: Actor | null, id: string): Promise<RollbackRequestRow | null> {
  const [row] = await services.db.select().from(rollbackRequests).where(eq(rollbackRequests.id, id));
  if (!row) return null;
  if (actor?.kind === 'agent') return actor.tenantEnvironmentIds.has(row.tenantEnvironmentId) ? row : null;
  return canRead(actor, row.projectId) ? row : null;
}

async function requireRequest(services: Services, actor: Actor | null, id: string): Promise<RollbackRequestRow> {
  const request = await rollbackRequestById(services, actor, id);
  if (!request) throw new NotFoundError(`rollback request ${id}`);
  return request;
}

export async function reviewRollbackRequest(
  services: Services,
  actor: Actor | null,
  input: { id: string; decision: ReviewDecision; comment?: string | null },
): Promise<RollbackRequestRow> {
  const request = await requireRequest(services, actor, input.id);
  const reviewer = requireRole(actor, request.projectId, 'APPROVER', 'rollback request');
  // An approval executes the rollback: the mode must still be allowed (plan or flags may have changed since).
  if (input.decision === 'APPROVE') requireModeAllowed(await loadTenantEnvironment(services, request.tenantEnvironmentId), request.mode);
  const reviewed = await services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const [fresh] = await tx.select().from(rollbackRequests).where(eq(rollbackRequests.id, request.id));
    if (fresh!.state !== 'PENDING') throw new BadRequestError('REQUEST_NOT_PENDING', MESSAGES.notPending, { state: fresh!.state });
    const [policy] = await tx
      .select({ blockSelfApproval: environments.blockSelfApproval })
      .from(tenantEnvironments)
      .innerJoin(environments, eq(environments.id, tenantEnvironments.environmentId))
      .where(eq(tenantEnvironments.id, fresh!.tenantEnvironmentId));
    if (policy!.blockSelfApproval && fresh!.requestedById === reviewer.user.id) {
      throw new ForbiddenError('SELF_REVIEW_FORBIDDEN', MESSAGES.selfReview);
    }
    const [existing] = await tx
      .select({ id: rollbackReviews.id })
      .from(rollbackReviews)
      .where(and(eq(rollbackReviews.requestId, fresh!.id), eq(rollbackReviews.reviewerId, reviewer.user.id)));
    if (existing) throw new ConflictError('ALREADY_REVIEWED', MESSAGES.alreadyReviewed);
    await tx.insert(rollbackReviews).values({
      id: newId('rev'),
      requestId: fresh!.id,
      reviewerId: reviewer.user.id,
      decision: input.decision,
      comment: input.comment?.trim() || null,
      createdAt: now,
    });
    await recordAudit(tx, auditOf(fresh!, reviewer, 'rollback.reviewed', now, { decision: input.decision, comment: input.comment ?? null }));
    let row = fresh!;
    if (input.decision === 'REJECT') {
      row = await transition(tx, row, 'REJECTED', now);
      await recordAudit(tx, auditOf(row, reviewer, 'rollback.rejected', now));
    } else {
      const [{ approvals }] = (await tx
        .select({ approvals: count() })
        .from(rollbackReviews)
        .where(and(eq(rollbackReviews.requestId, row.id), eq(rollbackReviews.decision, 'APPROVE')))) as [{ approvals: number }];
      if (approvals >= row.requiredApprovals) {
        row = await transition(tx, row, 'APPROVED', now);
        await recordAudit(tx, auditOf(row, reviewer, 'rollback.approved', now, { approvals, quorum: row.requiredApprovals }));
      }
    }
    const events = [requestEvent(row, 'REVIEWED', now)];
    if (row.state !== 'PENDING') events.push(requestEvent(row, 'STATE_CHANGED', now));
    afterCommit(() => events.forEach((event) => services.events.publish(event)));
    return row;
  });
  if (reviewed.state !== 'APPROVED') return reviewed;
  const executed = await runExecution(services, reviewer, reviewed);
  if (executed.state === 'FAILED') {
    throw new ExecutionError('APPROVAL_SAVED_EXECUTION_FAILED', MESSAGES.executionFailed, {
      requestId: executed.id,
      cause: executed.error,
      causeCode: executed.errorCode,
    });
  }
  return executed;
}

export async function retryRollbackExecution(services: Services, actor: Actor | null, id: string): Promise<RollbackRequestRow> {
  const request = await requireRequest(services, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'rollback request');
  const notFailed = (state: string) => new BadRequestError('REQUEST_NOT_FAILED', 'only a failed rollback request can be retried', { state });
  if (request.state !== 'FAILED') throw notFailed(request.state);
  requireModeAllowed(await loadTenantEnvironment(services, request.tenantEnvironmentId), request.mode);
  try {
    return await runExecution(services, user, request);
  } catch (error) {
    // A concurrent retry moved it to EXECUTING first: this one is refused like any retry of a request that is not failed.
    if (error instanceof DomainError && error.code === 'INVALID_TRANSITION') {
      const current = await rollbackRequestById(services, actor, id);
      if (current && current.state !== 'FAILED') throw notFailed(current.state);
    }
    throw error;
  }
}

export async function addRollbackNote(services: Services, actor: Actor | null, id: string, note: string): Promise<RollbackRequestRow> {
  const request = await requireRequest(services, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'rollback request');
  const text = note?.trim();
  if (!text) throw new BadRequestError('NOTE_REQUIRED', 'note cannot be empty');
  if (request.state !== 'COMPLETED' && request.state !== 'FAILED') {
    throw new BadRequestError('NOTE_NOT_ALLOWED', 'post-rollback notes can be added to completed or failed rollback requests');
  }
  await services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    await tx.insert(rollbackNotes).values({ id: newId('note'), requestId: id, authorId: user.user.id, note: text, createdAt: now });
    await recordAudit(tx, auditOf(request, user, 'rollback.note_added', now, { note: text }));
    afterCommit(() => services.events.publish(requestEvent(request, 'NOTE_ADDED', now)));
  });
  return request;
}

export async function rollbackRequestsOf(
  services: Services,
  context: TenantEnvironmentContext,
  states: RequestState[] | null,
): Promise<RollbackRequestRow[]> {
  return services.db
    .select()
    .from(rollbackRequests)
    .where(and(eq(rollbackRequests.tenantEnvironmentId, context.id), states?.length ? inArray(rollbackRequests.state, states) : undefined))
    .orderBy(desc(rollbackRequests.createdAt));
}

/** Revisions rolled back to three or more times in 30 days: a recurring issue that needs root-cause analysis. */
export async function recurringRollbackTargets(services: Services, context: TenantEnvironmentContext, threshold = 3, days = 30) {
  const since = new Date(services.now().getTime() - days * 86_400_000);
  const rows = await services.db
    .select({ revision: rollbackRequests.targetSha, rollbacks: count() })
    .from(rollbackRequests)
    .where(
      and(
        eq(rollbackRequests.tenantEnvironmentId, context.id),
        eq(rollbackRequests.state, 'COMPLETED'),
        gte(rollbackRequests.completedAt, since),
      ),
    )
    .groupBy(rollbackRequests.targetSha);
  return rows.filter((r) => r.rollbacks >= threshold).map((r) => ({ ...r, windowDays: days }));
}
