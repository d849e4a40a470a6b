/**
 * The approval framework of every protected action: the ApprovalRequest interface (implemented by
 * RollbackRequest, ReleaseRequest and PromotionRequest), the release/promotion request mutations,
 * the generic review, break-glass execution of one's own pending request, the approval queue.
 */
import type { Actor } from '../../domain/actor';
import { requestFromSnapshot, type ApprovalRequestUpdated, type RollbackRequestUpdated } from '../../domain/events';
import { canReadRecord } from '../../domain/access';
import { NotFoundError } from '../../domain/errors';
import type { ChangeRequest, PromotionPayload, ReleasePayload } from '../../domain/model';
import type { Backend } from '../../domain/ports';
import { approvalRequestsOf, eligibleReviewersOf, isChangeRequest, pendingApprovalsOf, type AwaitingReview } from '../../domain/requests/approval-queue';
import {
  changeRequestById,
  executeChangeRequestUnderBreakGlass,
  requestPromotion,
  requestRelease,
  retryChangeExecution,
  reviewChangeRequest,
} from '../../domain/requests/change-requests';
import { executeRollbackRequestUnderBreakGlass, reviewRollbackRequest, rollbackRequestById } from '../../domain/requests/rollback-requests';
import { builder } from '../builder';
import { eventsOf, requireReadableFilters, requireReadableTenantEnvironment } from '../subscriptions';
import { BreakGlassSessionRef } from './break-glass-session';
import { DeployReleaseInput, DeploymentRef, PromoteInput, toReleaseInput } from './deployment';
import { RollbackRequestStateEnum } from './enums';
import { ApprovalRequestRef } from './approval-request-ref';
import { asNode } from './node';
import { ProjectRef } from './project';
import { ReviewInput, RollbackRequestChangeEnum, RollbackRequestRef, RollbackReviewRef } from './rollback-request';
import { TenantEnvironmentRef } from './tenant-environment';
import { UserRef } from './user';

export const ApprovalActionEnum = builder.enumType('ApprovalAction', {
  description: 'The protected actions an environment approval policy governs.',
  values: ['RELEASE', 'PROMOTION', 'ROLLBACK'] as const,
});

const kindOf = (request: AwaitingReview) => (isChangeRequest(request) ? request.kind : 'ROLLBACK');


ApprovalRequestRef.implement({
  description: 'A protected action (release, promotion or rollback) going through its environment approval policy: pending → approved → executing → completed | failed, or rejected.',
  resolveType: (request) => (isChangeRequest(request) ? (request.kind === 'RELEASE' ? 'ReleaseRequest' : 'PromotionRequest') : 'RollbackRequest'),
  fields: (t) => ({
    id: t.id({ resolve: (r) => r.id }),
    kind: t.field({ type: ApprovalActionEnum, resolve: kindOf }),
    state: t.field({ type: RollbackRequestStateEnum, resolve: (r) => r.state }),
    tenantEnvironment: t.field({ type: TenantEnvironmentRef, resolve: (r, _a, ctx) => requireReadableTenantEnvironment(ctx, r.tenantEnvironmentId) }),
    requestedBy: t.field({ type: UserRef, resolve: async (r, _a, ctx) => (await ctx.loaders.user.load(r.requestedById))! }),
    affectedServices: t.stringList({ resolve: (r) => r.affectedServices }),
    approvalRequired: t.boolean({ resolve: (r) => r.approvalRequired }),
    requiredApprovals: t.int({ description: 'The quorum this request needs.', resolve: (r) => r.requiredApprovals }),
    approvals: t.int({ resolve: async (r, _a, ctx) => (await reviewsOf(ctx.backend, r)).filter((v) => v.decision === 'APPROVE').length }),
    reviews: t.field({ type: [RollbackReviewRef], resolve: (r, _a, ctx) => reviewsOf(ctx.backend, r) }),
    eligibleReviewers: t.field({
      type: [UserRef],
      description: 'Who may still review it: APPROVERs and ADMINs of the project, minus the requester (when self-approval is blocked) and those who reviewed it already.',
      resolve: (r, _a, ctx) => eligibleReviewersOf(ctx.backend, r),
    }),
    breakGlassSession: t.field({
      type: BreakGlassSessionRef,
      nullable: true,
      description: 'The break-glass session that bypassed its approval, if one did.',
      resolve: (r, _a, ctx) => (r.breakGlassSessionId ? ctx.loaders.breakGlassSession.load(r.breakGlassSessionId) : null),
    }),
    resultRevision: t.string({ nullable: true, description: 'The commit it made, once completed.', resolve: (r) => r.resultSha }),
    error: t.string({ nullable: true, resolve: (r) => r.error }),
    errorCode: t.string({ nullable: true, resolve: (r) => r.errorCode }),
    attempts: t.int({ resolve: (r) => r.attempts }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    approvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.approvedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.completedAt }),
    failedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.failedAt }),
  }),
});

async function reviewsOf(backend: Backend, request: AwaitingReview) {
  const store = isChangeRequest(request) ? backend.stores.changeReviews : backend.stores.reviews;
  return (await store.ofRequests([request.id]))[0]!;
}

builder.objectField(RollbackRequestRef, 'kind', (t) => t.field({ type: ApprovalActionEnum, resolve: () => 'ROLLBACK' as const }));
builder.objectFields(RollbackRequestRef, (t) => ({
  eligibleReviewers: t.field({
    type: [UserRef],
    description: 'Who may still review it: APPROVERs and ADMINs of the project, minus the requester (when self-approval is blocked) and those who reviewed it already.',
    resolve: (r, _a, ctx) => eligibleReviewersOf(ctx.backend, r),
  }),
}));

async function changeRequestsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]) {
  return (await backend.stores.changeRequests.byIds(ids)).map((r) => (r && canReadRecord(actor, r) ? r : null));
}

function changeRequestType(name: 'ReleaseRequest' | 'PromotionRequest', description: string) {
  const ref = builder.objectRef<ChangeRequest>(name);
  asNode(ref, (r) => r.id, changeRequestsByIds);
  ref.implement({
    description,
    interfaces: [ApprovalRequestRef],
    isTypeOf: (value) => isChangeRequest(value as AwaitingReview) && (value as ChangeRequest).kind === (name === 'ReleaseRequest' ? 'RELEASE' : 'PROMOTION'),
    fields: (t) => ({
      description: t.exposeString('description', { nullable: true }),
      baseRevision: t.exposeString('baseSha', { nullable: true, description: 'Head of main when the request was made.' }),
      rejectedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.rejectedAt }),
      executingAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.executingAt }),
      deployment: t.field({
        type: DeploymentRef,
        nullable: true,
        description: 'The history entry of its commit, once completed.',
        resolve: async (r, _a, ctx) => (r.resultSha ? ctx.backend.stores.deployments.byRevision(r.tenantEnvironmentId, r.resultSha) : null),
      }),
    }),
  });
  return ref;
}

export const ReleaseRequestRef = changeRequestType('ReleaseRequest', 'A release to an environment that requires approval; commits the requested edits once approved.');
export const PromotionRequestRef = changeRequestType('PromotionRequest', 'A promotion into an environment that requires approval; copies the services from the source environment once approved.');

const ReleaseChangeRef = builder.objectRef<ReleasePayload['services'][number]>('RequestedServiceRelease').implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    fields: t.stringList({ resolve: (s) => (s.setFields ?? []).map((f) => `${f.file} ${f.path}`) }),
    replacedFiles: t.stringList({ resolve: (s) => (s.replaceFiles ?? []).map((f) => f.file) }),
  }),
});

builder.objectFields(ReleaseRequestRef, (t) => ({
  services: t.field({ type: [ReleaseChangeRef], resolve: (r) => (r.payload as ReleasePayload).services }),
  environmentFields: t.stringList({ resolve: (r) => (r.payload as ReleasePayload).environmentFields.map((f) => `${f.file} ${f.path}`) }),
}));

builder.objectFields(PromotionRequestRef, (t) => ({
  fromEnvironment: t.string({ description: 'The services promoted are its affectedServices.', resolve: (r) => (r.payload as PromotionPayload).fromEnvironment }),
}));

builder.objectField(TenantEnvironmentRef, 'approvalRequests', (t) =>
  t.field({
    type: [ApprovalRequestRef],
    description: 'Releases, promotions and rollbacks that went through (or bypassed) its approval policy, newest first; optionally only some states and kinds.',
    extensions: { cost: 10 },
    args: {
      states: t.arg({ type: [RollbackRequestStateEnum], required: false }),
      kinds: t.arg({ type: [ApprovalActionEnum], required: false }),
    },
    resolve: (te, args, ctx) => approvalRequestsOf(ctx.backend, ctx.actor, te, { states: args.states ?? null, kinds: args.kinds ?? null }),
  }),
);

/** Release, promotion or rollback request by id (the id's prefix names its kind). */
async function approvalRequestById(backend: Backend, actor: Actor | null, id: string): Promise<AwaitingReview | null> {
  return id.startsWith('rbk-') ? rollbackRequestById(backend, actor, id) : changeRequestById(backend, actor, id);
}

builder.queryField('approvalRequest', (t) =>
  t.field({
    type: ApprovalRequestRef,
    nullable: true,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => approvalRequestById(ctx.backend, ctx.actor, String(args.id)),
  }),
);

builder.mutationField('requestRelease', (t) =>
  t.field({
    type: ReleaseRequestRef,
    description:
      'Submits a release through the environment approval policy: PENDING until the quorum approves it, then committed; at once when no approval is needed or you have a break-glass session open.',
    args: { input: t.arg({ type: DeployReleaseInput }) },
    resolve: (_root, { input }, ctx) => requestRelease(ctx.backend, ctx.actor, toReleaseInput(input)),
  }),
);

builder.mutationField('requestPromotion', (t) =>
  t.field({
    type: PromotionRequestRef,
    description: 'Submits a promotion through the target environment approval policy (as requestRelease).',
    args: { input: t.arg({ type: PromoteInput }) },
    resolve: (_root, { input }, ctx) => requestPromotion(ctx.backend, ctx.actor, input),
  }),
);

builder.mutationField('reviewApprovalRequest', (t) =>
  t.field({
    type: ApprovalRequestRef,
    description: 'Approves or rejects a pending release, promotion or rollback request (reviewRollbackRequest keeps working for rollbacks).',
    args: { input: t.arg({ type: ReviewInput }) },
    resolve: (_root, { input }, ctx): Promise<AwaitingReview> => {
      const review = { id: String(input.id), decision: input.decision, comment: input.comment };
      return review.id.startsWith('rbk-') ? reviewRollbackRequest(ctx.backend, ctx.actor, review) : reviewChangeRequest(ctx.backend, ctx.actor, review);
    },
  }),
);

builder.mutationField('executeOwnRequestUnderBreakGlass', (t) =>
  t.field({
    type: ApprovalRequestRef,
    description:
      'With a break-glass session open, executes your own PENDING request at once (approved by the session, flagged in the audit trail) instead of filing a duplicate.',
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx): Promise<AwaitingReview> => {
      const id = String(args.id);
      return id.startsWith('rbk-') ? executeRollbackRequestUnderBreakGlass(ctx.backend, ctx.actor, id) : executeChangeRequestUnderBreakGlass(ctx.backend, ctx.actor, id);
    },
  }),
);

builder.mutationField('retryApprovalRequestExecution', (t) =>
  t.field({
    type: ApprovalRequestRef,
    description: 'Retries a FAILED release or promotion request (retryRollbackExecution for rollbacks).',
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => retryChangeExecution(ctx.backend, ctx.actor, String(args.id)),
  }),
);

builder.objectField(ProjectRef, 'pendingApprovals', (t) =>
  t.field({
    type: [ApprovalRequestRef],
    description: 'Every request awaiting review in the project, across tenant-environments and kinds, oldest first (with eligibleReviewers).',
    resolve: (project, _a, ctx) => pendingApprovalsOf(ctx.backend, ctx.actor, project),
  }),
);

/** A change of any request: rollbackRequestUpdated events are carried here too (kind ROLLBACK). */
type AnyRequestEvent = RollbackRequestUpdated | ApprovalRequestUpdated;

const ApprovalRequestEventRef = builder.objectRef<AnyRequestEvent>('ApprovalRequestEvent');

ApprovalRequestEventRef.implement({
  fields: (t) => ({
    kind: t.field({ type: ApprovalActionEnum, resolve: (e) => (e.type === 'approvalRequestUpdated' ? e.kind : 'ROLLBACK') }),
    change: t.field({ type: RollbackRequestChangeEnum, resolve: (e) => e.change }),
    state: t.field({ type: RollbackRequestStateEnum, description: 'The state right after this event.', resolve: (e) => e.state }),
    at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
    request: t.field({
      type: ApprovalRequestRef,
      description: 'The request as it was right after this event.',
      resolve: (e): AwaitingReview => (e.type === 'approvalRequestUpdated' ? requestFromSnapshot(e.request) : requestFromSnapshot(e.request)),
    }),
  }),
});

builder.subscriptionField('approvalRequestUpdated', (t) =>
  t.field({
    type: ApprovalRequestEventRef,
    description:
      'Every change of matching release, promotion and rollback requests (filter by project, tenant-environment or request); an approval queue stays current with `projectId` alone.',
    args: { projectId: t.arg.id({ required: false }), tenantEnvironmentId: t.arg.id({ required: false }), requestId: t.arg.id({ required: false }) },
    subscribe: async (_root, args, ctx) => {
      const filters = {
        projectId: args.projectId ? String(args.projectId) : null,
        tenantEnvironmentId: args.tenantEnvironmentId ? String(args.tenantEnvironmentId) : null,
        requestId: args.requestId ? String(args.requestId) : null,
      };
      await requireReadableFilters(ctx, { ...filters, requestId: filters.requestId?.startsWith('rbk-') ? filters.requestId : null });
      if (filters.requestId && !filters.requestId.startsWith('rbk-') && !(await changeRequestById(ctx.backend, ctx.actor, filters.requestId))) {
        throw new NotFoundError('approval request');
      }
      return eventsOf(
        ctx,
        (e) =>
          (e.type === 'approvalRequestUpdated' || e.type === 'rollbackRequestUpdated') &&
          (!filters.projectId || e.projectId === filters.projectId) &&
          (!filters.tenantEnvironmentId || e.tenantEnvironmentId === filters.tenantEnvironmentId) &&
          (!filters.requestId || e.requestId === filters.requestId),
        // Two event types: routed by tenant-environment only, the predicate picks the types.
        filters.tenantEnvironmentId ? { tenantEnvironmentId: filters.tenantEnvironmentId } : {},
      );
    },
    resolve: (event) => event as AnyRequestEvent,
  }),
);
