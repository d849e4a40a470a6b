import type { Environment } from '../../domain/model';
import { archiveEnvironment } from '../../domain/onboarding/archive';
import { createEnvironment } from '../../domain/onboarding/structure';
import { environmentsOfProject } from '../../domain/workspace';
import { builder } from '../builder';
import { ApprovalPolicyRef } from './approval-policy';
import { ProjectRef } from './project';

export const EnvironmentRef = builder.objectRef<Environment>('Environment');

EnvironmentRef.implement({
  description: 'An environment of a project (e.g. staging, production), with its approval policy.',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    approvalPolicy: t.field({ type: ApprovalPolicyRef, resolve: (e) => e }),
    archivedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.archivedAt }),
  }),
});

builder.objectField(ProjectRef, 'environments', (t) =>
  t.field({
    type: [EnvironmentRef],
    description: 'By slug; archived ones only with includeArchived.',
    args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (p, args, ctx) => environmentsOfProject(ctx.backend, ctx.actor, p.id, args.includeArchived ?? false),
  }),
);

const CreateEnvironmentInput = builder.inputType('CreateEnvironmentInput', {
  fields: (t) => ({
    project: t.string(),
    slug: t.string({ description: 'Lowercase letters, digits and dashes: its directory name under each tenant.' }),
    approvalRequired: t.boolean({ required: false, defaultValue: false }),
    quorum: t.int({ required: false, defaultValue: 1 }),
    blockSelfApproval: t.boolean({ required: false, defaultValue: true }),
  }),
});

builder.mutationField('createEnvironment', (t) =>
  t.field({
    type: EnvironmentRef,
    description: 'ADMIN only. A policy other than the default (no approval) needs the rollback_approval feature flag.',
    args: { input: t.arg({ type: CreateEnvironmentInput }) },
    resolve: (_root, { input }, ctx) => createEnvironment(ctx.backend, ctx.actor, input),
  }),
);

const ArchiveEnvironmentInput = builder.inputType('ArchiveEnvironmentInput', {
  fields: (t) => ({
    project: t.string(),
    environment: t.string(),
    archived: t.boolean({ required: false, defaultValue: true, description: 'false restores it.' }),
  }),
});

builder.mutationField('archiveEnvironment', (t) =>
  t.field({
    type: EnvironmentRef,
    description: 'ADMIN only. Its tenant-environments refuse new writes while it is archived.',
    args: { input: t.arg({ type: ArchiveEnvironmentInput }) },
    resolve: (_root, { input }, ctx) => archiveEnvironment(ctx.backend, ctx.actor, input, input.archived ?? true),
  }),
);
