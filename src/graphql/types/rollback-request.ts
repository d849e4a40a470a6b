import type { RollbackNote, RollbackRequest, RollbackReview } from '../../domain/model';
import { requestFromSnapshot, type RollbackRequestUpdated } from '../../domain/events';
import {
  addRollbackNote,
  retryRollbackExecution,
  requestRollback,
  reviewRollbackRequest,
  rollbackRequestById,
} from '../../domain/requests/rollback-requests';
import { notesByIds, reviewsByIds, rollbackRequestsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { ApprovalRequestRef } from './approval-request-ref';
import { asNode } from './node';
import { eventsOf, requireReadableFilters, requireReadableTenantEnvironment } from '../subscriptions';
import { DeploymentRef } from './deployment';
import { ReviewDecisionEnum, RollbackModeEnum, RollbackRequestStateEnum } from './enums';
import { RollbackInput, toRollbackInput } from './rollback-preview';
import { TenantEnvironmentRef } from './tenant-environment';
import { UserRef } from './user';
import { DiffCountsRef } from './revision-diff';
import { BreakGlassSessionRef } from './break-glass-session';

const SelectedFieldRef = builder.objectRef<{ file: string; path: string }>('SelectedField').implement({
  fields: (t) => ({ file: t.exposeString('file'), path: t.exposeString('path') }),
});

export const RollbackReviewRef = builder.objectRef<RollbackReview>('RollbackReview');

asNode(RollbackReviewRef, (r) => r.id, reviewsByIds);

RollbackReviewRef.implement({
  fields: (t) => ({
    decision: t.field({ type: ReviewDecisionEnum, resolve: (r) => r.decision }),
    comment: t.exposeString('comment', { nullable: true }),
    reviewer: t.field({ type: UserRef, resolve: async (r, _a, ctx) => (await ctx.loaders.user.load(r.reviewerId))! }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

const RollbackNoteRef = builder.objectRef<RollbackNote>('RollbackNote');

asNode(RollbackNoteRef, (n) => n.id, notesByIds);

RollbackNoteRef.implement({
  fields: (t) => ({
    note: t.exposeString('note'),
    author: t.field({ type: UserRef, resolve: async (n, _a, ctx) => (await ctx.loaders.user.load(n.authorId))! }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
  }),
});

const optionalDate = (key: keyof RollbackRequest) => (r: RollbackRequest) => (r[key] as Date | null) ?? null;

export const RollbackRequestRef = builder.objectRef<RollbackRequest>('RollbackRequest');

asNode(RollbackRequestRef, (r) => r.id, rollbackRequestsByIds);

RollbackRequestRef.implement({
  description: 'A request to roll a tenant-environment back; states follow the spec: pending → approved → executing → completed | failed, or rejected.',
  interfaces: [ApprovalRequestRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'mode' in value && 'targetSha' in value,
  fields: (t) => ({
    state: t.field({ type: RollbackRequestStateEnum, resolve: (r) => r.state }),
    mode: t.field({ type: RollbackModeEnum, resolve: (r) => r.mode }),
    targetRevision: t.exposeString('targetSha'),
    baseRevision: t.exposeString('baseSha', { description: 'Head of main when the request was made.' }),
    previewHash: t.exposeString('previewHash'),
    previewImpact: t.field({
      type: DiffCountsRef,
      nullable: true,
      description: 'The impact counts of the preview (previewHash) the request was planned and executed on.',
      resolve: (r) => r.previewImpact,
    }),
    service: t.exposeString('service', { nullable: true }),
    selectedFields: t.field({ type: [SelectedFieldRef], resolve: (r) => r.selectedFields }),
    affectedServices: t.exposeStringList('affectedServices'),
    justification: t.exposeString('justification'),
    tenantEnvironment: t.field({
      type: TenantEnvironmentRef,
      resolve: (r, _a, ctx) => requireReadableTenantEnvironment(ctx, r.tenantEnvironmentId),
    }),
    requestedBy: t.field({ type: UserRef, resolve: async (r, _a, ctx) => (await ctx.loaders.user.load(r.requestedById))! }),
    approvalRequired: t.exposeBoolean('approvalRequired'),
    requiredApprovals: t.exposeInt('requiredApprovals', { description: 'The quorum this request needs.' }),
    approvals: t.int({
      resolve: async (r, _a, ctx) => (await ctx.loaders.reviewsByRequest.load(r.id)).filter((v) => v.decision === 'APPROVE').length,
    }),
    reviews: t.field({ type: [RollbackReviewRef], resolve: (r, _a, ctx) => ctx.loaders.reviewsByRequest.load(r.id) }),
    notes: t.field({ type: [RollbackNoteRef], resolve: (r, _a, ctx) => ctx.loaders.notesByRequest.load(r.id) }),
    breakGlassSession: t.field({
      type: BreakGlassSessionRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.breakGlassSessionId ? ctx.loaders.breakGlassSession.load(r.breakGlassSessionId) : null),
    }),
    resultRevision: t.exposeString('resultSha', { nullable: true, description: 'The rollback commit, once completed.' }),
    deployment: t.field({
      type: DeploymentRef,
      nullable: true,
      description: 'The history entry of the rollback commit.',
      resolve: (r, _a, ctx) => ctx.loaders.deploymentByRequest.load(r.id),
    }),
    error: t.exposeString('error', { nullable: true }),
    errorCode: t.exposeString('errorCode', { nullable: true }),
    attempts: t.exposeInt('attempts'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    approvedAt: t.field({ type: 'DateTime', nullable: true, resolve: optionalDate('approvedAt') }),
    rejectedAt: t.field({ type: 'DateTime', nullable: true, resolve: optionalDate('rejectedAt') }),
    executingAt: t.field({ type: 'DateTime', nullable: true, resolve: optionalDate('executingAt') }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: optionalDate('completedAt') }),
    failedAt: t.field({ type: 'DateTime', nullable: true, resolve: optionalDate('failedAt') }),
  }),
});

const RequestRollbackInput = builder.inputType('RequestRollbackInput', {
  fields: (t) => ({
    rollback: t.field({ type: RollbackInput }),
    justification: t.string({ required: false, description: 'Required: why the rollback is needed.' }),
    previewHash: t.string({ required: false, description: 'From previewRollback: refuse if the plan has changed since.' }),
  }),
});

export const ReviewInput = builder.inputType('ReviewInput', {
  fields: (t) => ({
    id: t.id(),
    decision: t.field({ type: ReviewDecisionEnum }),
    comment: t.string({ required: false }),
  }),
});

builder.queryField('rollbackRequest', (t) =>
  t.field({
    type: RollbackRequestRef,
    nullable: true,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => rollbackRequestById(ctx.backend, ctx.actor, String(args.id)),
  }),
);

builder.mutationField('requestRollback', (t) =>
  t.field({
    type: RollbackRequestRef,
    description: 'Submits a rollback; it executes at once when no approval is needed (or a break-glass session is open).',
    args: { input: t.arg({ type: RequestRollbackInput }) },
    resolve: (_root, { input }, ctx) =>
      requestRollback(ctx.backend, ctx.actor, {
        ...toRollbackInput(input.rollback),
        justification: input.justification ?? '',
        previewHash: input.previewHash,
      }),
  }),
);

builder.mutationField('reviewRollbackRequest', (t) =>
  t.field({
    type: RollbackRequestRef,
    args: { input: t.arg({ type: ReviewInput }) },
    resolve: (_root, { input }, ctx) =>
      reviewRollbackRequest(ctx.backend, ctx.actor, { id: String(input.id), decision: input.decision, comment: input.comment }),
  }),
);

builder.mutationField('retryRollbackExecution', (t) =>
  t.field({
    type: RollbackRequestRef,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => retryRollbackExecution(ctx.backend, ctx.actor, String(args.id)),
  }),
);

builder.mutationField('addRollbackNote', (t) =>
  t.field({
    type: RollbackRequestRef,
    args: { id: t.arg.id(), note: t.arg.string() },
    resolve: (_root, args, ctx) => addRollbackNote(ctx.backend, ctx.actor, String(args.id), args.note),
  }),
);

export const RollbackRequestChangeEnum = builder.enumType('RollbackRequestChange', {
  values: ['CREATED', 'STATE_CHANGED', 'REVIEWED', 'NOTE_ADDED'] as const,
});

const RollbackRequestEventRef = builder.objectRef<RollbackRequestUpdated>('RollbackRequestEvent');

RollbackRequestEventRef.implement({
  fields: (t) => ({
    change: t.field({ type: RollbackRequestChangeEnum, resolve: (e) => e.change }),
    state: t.field({ type: RollbackRequestStateEnum, description: 'The state right after this event.', resolve: (e) => e.state }),
    at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
    request: t.field({ type: RollbackRequestRef, description: 'The request as it was right after this event.', resolve: (e) => requestFromSnapshot(e.request) }),
  }),
});

builder.subscriptionField('rollbackRequestUpdated', (t) =>
  t.field({
    type: RollbackRequestEventRef,
    description:
      'Every state transition, review and note of matching requests (filter by project, tenant-environment or request). A filter naming something unknown or unreadable is NOT_FOUND at once.',
    args: { projectId: t.arg.id({ required: false }), tenantEnvironmentId: t.arg.id({ required: false }), requestId: t.arg.id({ required: false }) },
    subscribe: async (_root, args, ctx) => {
      const filters = {
        projectId: args.projectId ? String(args.projectId) : null,
        tenantEnvironmentId: args.tenantEnvironmentId ? String(args.tenantEnvironmentId) : null,
        requestId: args.requestId ? String(args.requestId) : null,
      };
      await requireReadableFilters(ctx, filters);
      return eventsOf(
        ctx,
        (e) =>
          e.type === 'rollbackRequestUpdated' &&
          (!filters.projectId || e.projectId === filters.projectId) &&
          (!filters.tenantEnvironmentId || e.tenantEnvironmentId === filters.tenantEnvironmentId) &&
          (!filters.requestId || e.requestId === filters.requestId),
        { type: 'rollbackRequestUpdated', ...(filters.tenantEnvironmentId ? { tenantEnvironmentId: filters.tenantEnvironmentId } : {}) },
      );
    },
    resolve: (event) => event as RollbackRequestUpdated,
  }),
);
