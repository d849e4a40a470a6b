/**
 * The one approval mechanism of every protected action (RELEASE, PROMOTION, ROLLBACK): whether an
 * action waits for approval (the environment's policy, or a break-glass session bypassing it), the
 * review rules (quorum, self-approval blocking, one review per approver), the spec's messages with
 * the action's name, and the rule of one request in flight per scope of a tenant-environment.
 */
import type { UserActor } from '../actor';
import { BadRequestError, ConflictError, ExecutionError, ForbiddenError } from '../errors';
import type { ApprovalAction, BreakGlassSession, Environment, RequestState, ReviewDecision, RollbackReview, TenantEnvironment } from '../model';
import { oneLine } from '../commit-metadata';
import type { ReadStores, RollbackReviewStore, Stores } from '../ports';

export const ACTION_NAMES: Record<ApprovalAction, string> = { RELEASE: 'release', PROMOTION: 'promotion', ROLLBACK: 'rollback' };

/** The spec's messages (written for rollbacks), with the action's name. */
export function messagesOf(action: ApprovalAction) {
  const name = ACTION_NAMES[action];
  return {
    notPending: `${name} request is not pending approval`,
    selfReview: `cannot approve/reject your own ${name} request`,
    alreadyReviewed: `you have already reviewed this ${name} request`,
    executionFailed: `approval saved but ${name} execution failed`,
  } as const;
}

/**
 * The approval requirement in effect. It fails closed: an environment that requires approval keeps
 * requiring it even when the organization has lost the rollback_approval flag (the flag gates
 * changing policies, never silently dropping one).
 */
export function approvalRequiredIn(environment: Environment): boolean {
  return environment.approvalRequired;
}

export interface ApprovalDecision {
  /** PENDING waits for reviews; APPROVED executes at once. */
  state: 'PENDING' | 'APPROVED';
  approvalRequired: boolean;
  requiredApprovals: number;
  /** The session that bypassed the approval, if one did. */
  session: BreakGlassSession | null;
  /** For the audit event: pending (quorum N), bypassed by break-glass, or not required. */
  approval: string;
}

/** maybeCreateApprovalRequest: whether the user's action waits for approval (mayUseBreakGlass bypasses it). */
export async function decideApproval(stores: ReadStores, context: TenantEnvironment, user: UserActor, now: Date): Promise<ApprovalDecision> {
  const approvalRequired = approvalRequiredIn(context.environment);
  const session = approvalRequired ? await stores.breakGlass.activeFor(user.user.id, context.project.id, now) : null;
  const waits = approvalRequired && !session;
  return {
    state: waits ? 'PENDING' : 'APPROVED',
    approvalRequired,
    requiredApprovals: approvalRequired ? context.environment.quorum : 0,
    session,
    approval: session ? 'bypassed by break-glass' : approvalRequired ? `pending (quorum ${context.environment.quorum})` : 'not required',
  };
}

interface Reviewable {
  id: string;
  projectId: string;
  state: RequestState;
  requestedById: string;
  requiredApprovals: number;
}

/** Refuses a review the rules do not allow: not pending (400), own request (403), reviewed already (409). */
export async function checkReviewAllowed(
  reviews: Pick<RollbackReviewStore, 'byReviewer'>,
  action: ApprovalAction,
  request: Reviewable,
  environment: Environment,
  reviewer: UserActor,
): Promise<void> {
  const messages = messagesOf(action);
  if (request.state !== 'PENDING') throw new BadRequestError('REQUEST_NOT_PENDING', messages.notPending, { state: request.state });
  if (environment.blockSelfApproval && request.requestedById === reviewer.user.id) {
    throw new ForbiddenError('SELF_REVIEW_FORBIDDEN', messages.selfReview);
  }
  if (await reviews.byReviewer(request.id, reviewer.user.id)) throw new ConflictError('ALREADY_REVIEWED', messages.alreadyReviewed);
}

/** What the reviews decide: REJECTED at the first rejection, APPROVED once the quorum is met. */
export function decisionOf(request: Reviewable, reviews: RollbackReview[], latest: ReviewDecision): { to: RequestState | null; approvals: number } {
  const approvals = reviews.filter((review) => review.decision === 'APPROVE').length;
  if (latest === 'REJECT') return { to: 'REJECTED', approvals };
  return { to: approvals >= request.requiredApprovals ? 'APPROVED' : null, approvals };
}

/** What a request touches in its tenant-environment: some services, or the whole of it. */
export interface RequestScope {
  services: string[];
  whole: boolean;
}

export function scopesOverlap(a: RequestScope, b: RequestScope): boolean {
  return a.whole || b.whole || a.services.some((service) => b.services.includes(service));
}

export const IN_FLIGHT_STATES: readonly RequestState[] = ['PENDING', 'APPROVED', 'EXECUTING'];

/**
 * One request in flight per scope: a new request whose scope overlaps one already PENDING, APPROVED or
 * EXECUTING on the same tenant-environment (of any kind) is refused, naming it. FAILED, REJECTED and
 * COMPLETED requests are not in flight.
 */
export async function requireNoOverlappingRequest(stores: ReadStores, tenantEnvironmentId: string, scope: RequestScope): Promise<void> {
  const rollbacks = await stores.requests.ofTenantEnvironment(tenantEnvironmentId, IN_FLIGHT_STATES);
  const changes = await stores.changeRequests.ofTenantEnvironment(tenantEnvironmentId, IN_FLIGHT_STATES);
  const inFlight = [
    ...rollbacks.map((r) => ({ id: r.id, kind: 'ROLLBACK' as const, state: r.state, createdAt: r.createdAt, scope: { services: r.affectedServices, whole: r.mode === 'FULL' } })),
    ...changes.map((r) => ({ id: r.id, kind: r.kind, state: r.state, createdAt: r.createdAt, scope: { services: r.affectedServices, whole: r.environmentWide } })),
  ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const existing = inFlight.find((request) => scopesOverlap(request.scope, scope));
  if (!existing) return;
  throw new ConflictError(
    'REQUEST_IN_FLIGHT',
    `${ACTION_NAMES[existing.kind]} request ${existing.id} (${existing.state.toLowerCase()}) already covers this scope of the tenant-environment; review, finish or reject it first`,
    { existingRequestId: existing.id, existingKind: existing.kind, existingState: existing.state },
  );
}

/** The codes of a plan that no longer applies when an approved request executes. */
export const STALE_PLAN_CODES = ['NOTHING_TO_ROLL_BACK', 'NOTHING_TO_CHANGE'];

export async function breakGlassLine(stores: ReadStores, session: BreakGlassSession): Promise<string> {
  const user = await stores.users.byId(session.userId);
  return `Bypassed by break-glass session ${session.id} (${user?.email}: ${oneLine(session.justification)})`;
}

/** The commit message's Approval line of a request: bypassed, not required, or who approved it. */
export async function approvalLineOf(
  stores: ReadStores,
  reviews: Pick<RollbackReviewStore, 'ofRequests'>,
  request: { id: string; breakGlassSessionId: string | null; approvalRequired: boolean; requiredApprovals: number },
): Promise<string> {
  if (request.breakGlassSessionId) return breakGlassLine(stores, (await stores.breakGlass.byId(request.breakGlassSessionId))!);
  if (!request.approvalRequired) return 'Not required by the environment policy';
  const [ofRequest] = await reviews.ofRequests([request.id]);
  const approvals = ofRequest!.filter((review) => review.decision === 'APPROVE');
  const approvers = await stores.users.byIds(approvals.map((review) => review.reviewerId));
  return `Approved by ${approvers.map((user) => user!.email).join(', ')} (quorum: ${approvers.length}/${request.requiredApprovals})`;
}

/** The lease an execution holds, from the decision to execute until its outcome is stored. */
export const executionLease = (requestId: string) => `execution:${requestId}`;

/** The checks of executing one's own pending request under break-glass; returns the open session. */
export async function requireOwnPendingUnderBreakGlass(
  stores: Stores,
  request: { id: string; projectId: string; state: RequestState; requestedById: string },
  user: UserActor,
  now: Date,
  action: 'RELEASE' | 'PROMOTION' | 'ROLLBACK',
) {
  if (request.state !== 'PENDING') throw new BadRequestError('REQUEST_NOT_PENDING', messagesOf(action).notPending, { state: request.state });
  if (request.requestedById !== user.user.id) {
    throw new BadRequestError('NOT_YOUR_REQUEST', `only the requester can execute their own pending ${ACTION_NAMES[action]} request under break-glass`);
  }
  const session = await stores.breakGlass.activeFor(user.user.id, request.projectId, now);
  if (!session) throw new BadRequestError('BREAK_GLASS_NOT_ACTIVE', 'no break-glass session is open for you in this project: open one first');
  return session;
}

/**
 * One shape for every execution failure of a request: the request's id and state and the cause's
 * code in `extensions`. `500 approval saved but … execution failed` only when an approval was just saved.
 */
export function executionFailure(
  request: { id: string; state: RequestState; error: string | null; errorCode: string | null },
  approvalSaved: boolean,
  action: ApprovalAction = kindOfId(request.id),
) {
  const details = { requestId: request.id, state: request.state, kind: action, cause: request.error, causeCode: request.errorCode };
  // Not an execution failure to retry: the approved change is already undone or made by later commits.
  if (request.errorCode === 'PLAN_NO_LONGER_APPLIES') return new ConflictError('PLAN_NO_LONGER_APPLIES', request.error!, details);
  if (approvalSaved) return new ExecutionError('APPROVAL_SAVED_EXECUTION_FAILED', messagesOf(action).executionFailed, details);
  return new ExecutionError('REQUEST_EXECUTION_FAILED', `${ACTION_NAMES[action]} execution failed: ${request.error}`, details);
}

/** The action of a request, from its id's prefix (rbk-, rel-, prm-). */
export function kindOfId(id: string): ApprovalAction {
  return id.startsWith('rel-') ? 'RELEASE' : id.startsWith('prm-') ? 'PROMOTION' : 'ROLLBACK';
}

/** A FAILED request whose plan no longer applies is final: retrying it would fail the same way. */
export function requireRetryable(request: { id: string; error: string | null; errorCode: string | null }): void {
  if (request.errorCode !== 'PLAN_NO_LONGER_APPLIES') return;
  throw new ConflictError('PLAN_NO_LONGER_APPLIES', `${request.error} It cannot be retried; request again if still needed.`, { requestId: request.id });
}

/** The stored failure of an approved plan that no longer applies, saying what changed. */
export function stalePlanFailure(action: ApprovalAction, baseSha: string | null, cause: string): { code: 'PLAN_NO_LONGER_APPLIES'; message: string } {
  const base = baseSha ? ` (requested on ${baseSha.slice(0, 7)})` : '';
  return {
    code: 'PLAN_NO_LONGER_APPLIES',
    message: `the approved ${ACTION_NAMES[action]} no longer applies: later commits on main${base} already brought the tenant-environment to this state, so it would change nothing (${cause}).`,
  };
}

