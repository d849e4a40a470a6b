import { setApprovalPolicy } from '../../domain/requests/approval-policy';
import type { Environment } from '../../domain/model';
import { environmentsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { approvalPolicyId, asNode, underlyingId } from './node';

export const ApprovalPolicyRef = builder.objectRef<Environment>('ApprovalPolicy');

// `policy:<environment id>`: one per environment, whichever tenant-environment or project it is read through.
asNode(ApprovalPolicyRef, (e) => approvalPolicyId(e.id), (backend, actor, ids) => environmentsByIds(backend, actor, ids.map(underlyingId)));

ApprovalPolicyRef.implement({
  description: "An environment's approval policy for rollback requests.",
  fields: (t) => ({
    environment: t.exposeString('slug'),
    approvalRequired: t.exposeBoolean('approvalRequired'),
    quorum: t.exposeInt('quorum', { description: 'Distinct approvals needed.' }),
    blockSelfApproval: t.exposeBoolean('blockSelfApproval', { description: 'The requester cannot review their own request.' }),
  }),
});

const ApprovalPolicyInput = builder.inputType('ApprovalPolicyInput', {
  fields: (t) => ({
    project: t.string(),
    environment: t.string(),
    approvalRequired: t.boolean(),
    quorum: t.int({ required: false, defaultValue: 1 }),
    blockSelfApproval: t.boolean({ required: false, defaultValue: true }),
  }),
});

builder.mutationField('setApprovalPolicy', (t) =>
  t.field({
    type: ApprovalPolicyRef,
    description: 'ADMIN only; needs the rollback_approval feature flag.',
    args: { input: t.arg({ type: ApprovalPolicyInput }) },
    resolve: (_root, { input }, ctx) => setApprovalPolicy(ctx.backend, ctx.actor, input),
  }),
);
