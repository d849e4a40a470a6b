/**
 * Release and promotion requests: the approval framework of rollback requests (the same states,
 * quorum, self-approval blocking, break-glass bypass, audit events and crash recovery) for the two
 * other protected actions. An approved request commits exactly what was requested, on the head of
 * main at that time, with the Approval and Approval Request ID trailers.
 */
import type { Actor, UserActor } from '../actor';
import { canReadRecord, requireRole } from '../access';
import { requireWritable } from '../archived';
import { recordAudit, type AuditInput } from '../audit';
import { APPROVAL_REQUEST_ID_TRAILER, parseCommitMessage } from '../commit-metadata';
import { BadRequestError, DomainError, NotFoundError, StorageFullError, isStorageFull } from '../errors';
import { changeRequestEvent } from '../events';
import { indexHistory } from '../history/index-history';
import { newId } from '../ids';
import { tenantEnvironmentDir } from '../layout';
import type { ChangeRequest, ChangeRequestKind, PromotionPayload, ReleasePayload, RequestState, ReviewDecision, TenantEnvironment } from '../model';
import type { Backend, ChangeRequestPatch, Stores, Transaction } from '../ports';
import { commitPromotion, commitRelease, planPromotion, planRelease, requireReleaseApplies, type PromoteInput, type ReleaseInput } from '../releases';
import { loadTenantEnvironment } from '../workspace';
import {
  ACTION_NAMES,
  STALE_PLAN_CODES,
  approvalLineOf,
  checkReviewAllowed,
  decideApproval,
  decisionOf,
  executionFailure,
  executionLease,
  requireNoOverlappingRequest,
  requireOwnPendingUnderBreakGlass,
  requireRetryable,
  stalePlanFailure,
} from './approval';
import { canTransition } from './state-machine';

const AUDIT_PREFIX: Record<ChangeRequestKind, string> = { RELEASE: 'release', PROMOTION: 'promotion' };
const TARGET_TYPE: Record<ChangeRequestKind, string> = { RELEASE: 'ReleaseRequest', PROMOTION: 'PromotionRequest' };

export async function requestRelease(backend: Backend, actor: Actor | null, input: ReleaseInput): Promise<ChangeRequest> {
  const planned = await planRelease(backend, actor, input);
  await requireReleaseApplies(backend, planned);
  return submit(backend, planned.user, planned.context, 'RELEASE', planned.description, planned.payload, planned.scope, {
    services: planned.scope.services,
    environmentFields: planned.payload.environmentFields.map((f) => `${f.file} ${f.path}`),
  });
}

export async function requestPromotion(backend: Backend, actor: Actor | null, input: PromoteInput): Promise<ChangeRequest> {
  const planned = await planPromotion(backend, actor, input);
  return submit(backend, planned.user, planned.context, 'PROMOTION', planned.description, planned.payload, planned.scope, {
    fromEnvironment: planned.payload.fromEnvironment,
    services: planned.payload.services,
  });
}

async function submit(
  backend: Backend,
  user: UserActor,
  context: TenantEnvironment,
  kind: ChangeRequestKind,
  description: string | null,
  payload: ReleasePayload | PromotionPayload,
  scope: { services: string[]; whole: boolean },
  details: Record<string, unknown>,
): Promise<ChangeRequest> {
  requireWritable(context);
  const id = newId(kind === 'RELEASE' ? 'rel' : 'prm');
  const git = await backend.repositories.forProject(context.project.slug);
  const baseSha = await git.head();
  return backend.locks.run(executionLease(id), async () => {
    const created = await backend.locks.run(`requests:${context.id}`, () =>
      backend.transact(async ({ stores, emit }) => {
        const now = backend.now();
        await requireNoOverlappingRequest(stores, context.id, scope);
        const decision = await decideApproval(stores, context, user, now);
        const row = await stores.changeRequests.insert({
          id,
          projectId: context.project.id,
          tenantEnvironmentId: context.id,
          kind,
          description,
          payload,
          affectedServices: scope.services,
          environmentWide: scope.whole,
          baseSha,
          state: decision.state,
          requestedById: user.user.id,
          breakGlassSessionId: decision.session?.id ?? null,
          requiredApprovals: decision.requiredApprovals,
          approvalRequired: decision.approvalRequired,
          resultSha: null,
          error: null,
          errorCode: null,
          createdAt: now,
          updatedAt: now,
          approvedAt: decision.state === 'APPROVED' ? now : null,
          rejectedAt: null,
          executingAt: null,
          completedAt: null,
          failedAt: null,
          attempts: 0,
        });
        await recordAudit(stores, auditOf(row, user, 'requested', now, { ...details, description, approval: decision.approval }));
        emit(changeRequestEvent(row, 'CREATED', now));
        return row;
      }),
    );
    if (created.state !== 'APPROVED') return created;
    const executed = await runChangeExecution(backend, user, created);
    if (executed.state === 'FAILED') throw executionFailure(executed, false);
    return executed;
  });
}

export async function changeRequestById(backend: Backend, actor: Actor | null, id: string): Promise<ChangeRequest | null> {
  const row = await backend.stores.changeRequests.byId(id);
  return row && canReadRecord(actor, row) ? row : null;
}

async function requireChangeRequest(backend: Backend, actor: Actor | null, id: string): Promise<ChangeRequest> {
  const request = await changeRequestById(backend, actor, id);
  if (!request) throw new NotFoundError(`approval request ${id}`);
  return request;
}

export async function reviewChangeRequest(
  backend: Backend,
  actor: Actor | null,
  input: { id: string; decision: ReviewDecision; comment?: string | null },
): Promise<ChangeRequest> {
  const request = await requireChangeRequest(backend, actor, input.id);
  const reviewer = requireRole(actor, request.projectId, 'APPROVER', 'approval request');
  const { environment } = await loadTenantEnvironment(backend, request.tenantEnvironmentId);
  return backend.locks.run(executionLease(request.id), async () => {
    const reviewed = await backend.transact(async ({ stores, emit }) => {
      const now = backend.now();
      const comment = input.comment?.trim() ? input.comment.trim() : null;
      const fresh = (await stores.changeRequests.byId(request.id))!;
      const policy = (await stores.environments.bySlug(fresh.projectId, environment.slug))!;
      await checkReviewAllowed(stores.changeReviews, fresh.kind, fresh, policy, reviewer);
      await stores.changeReviews.insert({ id: newId('crv'), requestId: fresh.id, reviewerId: reviewer.user.id, decision: input.decision, comment, createdAt: now });
      await recordAudit(stores, auditOf(fresh, reviewer, 'reviewed', now, { decision: input.decision, comment }));
      const [reviews] = await stores.changeReviews.ofRequests([fresh.id]);
      const { to, approvals } = decisionOf(fresh, reviews!, input.decision);
      let row = fresh;
      if (to) {
        row = await transitionChange(stores, row, to, now);
        await recordAudit(stores, auditOf(row, reviewer, to === 'REJECTED' ? 'rejected' : 'approved', now, to === 'APPROVED' ? { approvals, quorum: row.requiredApprovals } : {}));
      }
      emit(changeRequestEvent(row, 'REVIEWED', now));
      if (row.state !== 'PENDING') emit(changeRequestEvent(row, 'STATE_CHANGED', now));
      return row;
    });
    if (reviewed.state !== 'APPROVED') return reviewed;
    const executed = await runChangeExecution(backend, reviewer, reviewed);
    if (executed.state === 'FAILED') throw executionFailure(executed, true);
    return executed;
  });
}

/**
 * Under an open break-glass session, the requester executes their own PENDING request at once
 * (PENDING → APPROVED by the session), instead of filing a duplicate.
 */
export async function executeChangeRequestUnderBreakGlass(backend: Backend, actor: Actor | null, id: string): Promise<ChangeRequest> {
  const request = await requireChangeRequest(backend, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'approval request');
  return backend.locks.run(executionLease(request.id), async () => {
    const approved = await backend.transact(async ({ stores, emit }) => {
      const now = backend.now();
      const fresh = (await stores.changeRequests.byId(request.id))!;
      const session = await requireOwnPendingUnderBreakGlass(stores, fresh, user, now, fresh.kind);
      const row = await transitionChange(stores, fresh, 'APPROVED', now, { breakGlassSessionId: session.id });
      await recordAudit(stores, auditOf(row, user, 'approved', now, { approval: 'bypassed by break-glass', breakGlassSessionId: session.id }));
      emit(changeRequestEvent(row, 'STATE_CHANGED', now));
      return row;
    });
    const executed = await runChangeExecution(backend, user, approved);
    if (executed.state === 'FAILED') throw executionFailure(executed, false);
    return executed;
  });
}

export async function retryChangeExecution(backend: Backend, actor: Actor | null, id: string): Promise<ChangeRequest> {
  const request = await requireChangeRequest(backend, actor, id);
  const user = requireRole(actor, request.projectId, 'DEPLOYER', 'approval request');
  const name = ACTION_NAMES[request.kind];
  if (request.state !== 'FAILED') throw new BadRequestError('REQUEST_NOT_FAILED', `only a failed ${name} request can be retried`, { state: request.state });
  requireRetryable(request);
  const executed = await backend.locks.run(executionLease(request.id), async () => {
    const current = (await backend.stores.changeRequests.byId(id))!;
    if (current.state !== 'FAILED') throw new BadRequestError('REQUEST_NOT_FAILED', `only a failed ${name} request can be retried`, { state: current.state });
    return runChangeExecution(backend, user, current);
  });
  if (executed.state === 'FAILED') throw executionFailure(executed, false);
  return executed;
}

async function transitionChange(stores: Stores, request: ChangeRequest, to: RequestState, now: Date, patch: ChangeRequestPatch = {}): Promise<ChangeRequest> {
  const name = ACTION_NAMES[request.kind];
  if (!canTransition(request.state, to)) {
    throw new BadRequestError('INVALID_TRANSITION', `a ${request.state.toLowerCase()} ${name} request cannot become ${to.toLowerCase()}`);
  }
  const stamp = { APPROVED: 'approvedAt', REJECTED: 'rejectedAt', EXECUTING: 'executingAt', COMPLETED: 'completedAt', FAILED: 'failedAt', PENDING: null }[to];
  const updated = await stores.changeRequests.transition(request.id, request.state, { ...patch, state: to, updatedAt: now, ...(stamp ? { [stamp]: now } : {}) });
  if (!updated) throw new BadRequestError('INVALID_TRANSITION', `the ${name} request is no longer ${request.state.toLowerCase()}`);
  return updated;
}

/** Executes an approved (or failed, on retry) request; the caller holds its execution lease. */
export async function runChangeExecution(backend: Backend, actor: Actor | null, request: ChangeRequest): Promise<ChangeRequest> {
  const executing = await backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transitionChange(stores, request, 'EXECUTING', now, { attempts: request.attempts + 1, error: null, errorCode: null });
    await recordAudit(stores, auditOf(row, actor, 'executing', now, { attempt: row.attempts }));
    emit(changeRequestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
  const tenantEnvironment = await loadTenantEnvironment(backend, executing.tenantEnvironmentId);
  const requester = (await backend.stores.users.byId(executing.requestedById))!;
  // Authored by the requester, like a rollback commit; audited as whoever executes it now.
  const user = { user: requester, actor };
  try {
    const landed = await landedChangeCommit(backend, tenantEnvironment, executing);
    if (landed) return await completeChange(backend, actor, executing, landed);
    let completed!: ChangeRequest;
    const approved = {
      approval: await approvalLineOf(backend.stores, backend.stores.changeReviews, executing),
      requestId: executing.id,
      afterCommit: async () => backend.faults?.pause('after-change-commit'),
      record: async (tx: Transaction, { sha }: { sha: string }) => {
        completed = await completeIn(backend, tx, actor, executing, sha);
      },
    };
    await backend.faults?.pause('before-change-commit');
    if (executing.kind === 'RELEASE') {
      await commitRelease(backend, user, tenantEnvironment, executing.description, executing.payload as ReleasePayload, approved);
    } else {
      await commitPromotion(backend, user, tenantEnvironment, executing.description, executing.payload as PromotionPayload, approved);
    }
    return completed;
  } catch (error) {
    const landed = await landedChangeCommit(backend, tenantEnvironment, executing).catch(() => null);
    if (landed) {
      return completeChange(backend, actor, executing, landed).catch((completing: unknown) => {
        if (!isStorageFull(completing)) throw completing;
        throw new StorageFullError(`storage is full: the ${ACTION_NAMES[executing.kind]} commit ${landed} landed on main, but completing the request failed; it completes automatically once space is freed`, {
          requestId: executing.id,
          revision: landed,
          committed: true,
        });
      });
    }
    return failChange(backend, actor, executing, error);
  }
}

/** The commit of this request on main, if one landed: its trailers carry the request's id. */
async function landedChangeCommit(backend: Backend, tenantEnvironment: TenantEnvironment, request: ChangeRequest): Promise<string | null> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const head = await git.head();
  if (!head) return null;
  const dir = tenantEnvironmentDir(tenantEnvironment.ref.tenant, tenantEnvironment.ref.environment);
  for (const commit of await git.log({ from: head, until: request.baseSha ?? undefined })) {
    const metadata = parseCommitMessage(commit.message);
    if (metadata.trailers.get(APPROVAL_REQUEST_ID_TRAILER) !== request.id) continue;
    if (metadata.tenant !== tenantEnvironment.ref.tenant || metadata.environment !== tenantEnvironment.ref.environment) continue;
    const parent = commit.parents[0] ?? null;
    if ((await git.treeIdOf(commit.sha, dir)) === (parent ? await git.treeIdOf(parent, dir) : null)) continue;
    return commit.sha;
  }
  return null;
}

async function completeChange(backend: Backend, actor: Actor | null, request: ChangeRequest, sha: string): Promise<ChangeRequest> {
  const tenantEnvironment = await loadTenantEnvironment(backend, request.tenantEnvironmentId);
  await indexHistory(backend, tenantEnvironment.project);
  return backend.transact((tx) => completeIn(backend, tx, actor, request, sha));
}

async function completeIn(backend: Backend, { stores, emit }: Transaction, actor: Actor | null, request: ChangeRequest, sha: string): Promise<ChangeRequest> {
  const now = backend.now();
  const row = await transitionChange(stores, request, 'COMPLETED', now, { resultSha: sha });
  await recordAudit(stores, auditOf(row, actor, 'completed', now, { resultSha: sha }));
  emit(changeRequestEvent(row, 'STATE_CHANGED', now));
  return row;
}

async function failChange(backend: Backend, actor: Actor | null, request: ChangeRequest, error: unknown): Promise<ChangeRequest> {
  const name = ACTION_NAMES[request.kind];
  let code = error instanceof DomainError ? error.code : 'EXECUTION_FAILED';
  let message = error instanceof DomainError ? error.message : `${name} execution failed: ${(error as Error).message}`;
  if (STALE_PLAN_CODES.includes(code)) ({ code, message } = stalePlanFailure(request.kind, request.baseSha, message));
  return backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transitionChange(stores, request, 'FAILED', now, { error: message, errorCode: code });
    await recordAudit(stores, auditOf(row, actor, 'failed', now, { error: message, code }));
    emit(changeRequestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
}

function auditOf(request: ChangeRequest, actor: Actor | null, verb: string, now: Date, details: Record<string, unknown> = {}): AuditInput {
  return {
    projectId: request.projectId,
    actor,
    action: `${AUDIT_PREFIX[request.kind]}.${verb}`,
    targetType: TARGET_TYPE[request.kind],
    targetId: request.id,
    tenantEnvironmentId: request.tenantEnvironmentId,
    details,
    now,
  };
}

/** Crash recovery of release and promotion requests: exactly as for rollbacks (see reconcileInterruptedExecutions). */
export async function reconcileInterruptedChanges(
  backend: Backend,
  onError?: (requestId: string, error: unknown) => void,
): Promise<Array<{ id: string; state: string }>> {
  const stuck = await backend.stores.changeRequests.inStates(['APPROVED', 'EXECUTING']);
  const outcomes: Array<{ id: string; state: string }> = [];
  for (const found of stuck) {
    const attempt = await backend.locks
      .tryRun(executionLease(found.id), async () => {
        const current = await backend.stores.changeRequests.byId(found.id);
        if (!current || (current.state !== 'APPROVED' && current.state !== 'EXECUTING')) return null;
        const tenantEnvironment = await loadTenantEnvironment(backend, current.tenantEnvironmentId);
        const request =
          current.state === 'APPROVED'
            ? await backend.transact(async ({ stores, emit }) => {
                const now = backend.now();
                const row = await transitionChange(stores, current, 'EXECUTING', now);
                await recordAudit(stores, auditOf(row, null, 'executing', now, { reconciled: true }));
                emit(changeRequestEvent(row, 'STATE_CHANGED', now));
                return row;
              })
            : current;
        await indexHistory(backend, tenantEnvironment.project);
        const commit = await landedChangeCommit(backend, tenantEnvironment, request);
        return commit
          ? completeChange(backend, null, request, commit)
          : failChange(
              backend,
              null,
              request,
              new DomainError(
                'EXECUTION_INTERRUPTED',
                current.state === 'APPROVED'
                  ? 'execution was interrupted by a server restart before it started; retry'
                  : `execution was interrupted by a server restart before the ${ACTION_NAMES[current.kind]} commit was written; retry`,
                500,
              ),
            );
      })
      .catch((error: unknown) => {
        if (!onError) throw error;
        onError(found.id, error);
        return { ran: false as const };
      });
    if (attempt.ran && attempt.value) outcomes.push({ id: attempt.value.id, state: attempt.value.state });
  }
  return outcomes;
}

export async function changeRequestsOf(backend: Backend, tenantEnvironment: TenantEnvironment, states: RequestState[] | null): Promise<ChangeRequest[]> {
  return backend.stores.changeRequests.ofTenantEnvironment(tenantEnvironment.id, states);
}
