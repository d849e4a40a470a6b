import type { Deployment } from '../../domain/model';
import { compareWithCurrent } from '../../domain/history/queries';
import { deployRelease, promote } from '../../domain/releases';
import { deploymentsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import type { DeploymentRecorded } from '../../domain/events';
import { eventsOf, requireReadableTenantEnvironment } from '../subscriptions';
import { DeploymentSourceEnum, DeploymentStatusEnum } from './enums';
import { RevisionDiffRef } from './revision-diff';
import { TenantEnvironmentRef } from './tenant-environment';
import { RollbackRequestRef } from './rollback-request';
import { UserRef } from './user';

export const DeploymentRef = builder.objectRef<Deployment>('Deployment');

const DeploymentAuthorRef = builder.objectRef<Deployment>('DeploymentAuthor');

DeploymentAuthorRef.implement({
  description: 'The commit author; `user` is set when the email belongs to a Backtrack user.',
  fields: (t) => ({
    name: t.exposeString('authorName'),
    email: t.exposeString('authorEmail'),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (d, _a, ctx) => (d.authorId ? ctx.loaders.user.load(d.authorId) : null),
    }),
  }),
});

asNode(DeploymentRef, (d) => d.id, deploymentsByIds);

DeploymentRef.implement({
  description: 'A commit on main that changed a tenant-environment.',
  fields: (t) => ({
    revision: t.exposeString('revision'),
    shortRevision: t.string({ resolve: (d) => d.revision.slice(0, 7) }),
    timestamp: t.field({ type: 'DateTime', resolve: (d) => d.committedAt }),
    author: t.field({ type: DeploymentAuthorRef, resolve: (d) => d }),
    changes: t.exposeStringList('changesSummary', { description: 'Generated from the actual field and file changes.' }),
    changedFiles: t.exposeStringList('changedPaths'),
    source: t.field({ type: DeploymentSourceEnum, resolve: (d) => d.source }),
    status: t.field({ type: DeploymentStatusEnum, resolve: (d) => d.status }),
    rollbackRequest: t.field({
      type: RollbackRequestRef,
      nullable: true,
      description: 'The rollback request behind this deployment, when its source is ROLLBACK.',
      resolve: (d, _a, ctx) => (d.rollbackRequestId ? ctx.loaders.rollbackRequest.load(d.rollbackRequestId) : null),
    }),
    rolledBackBy: t.field({
      type: DeploymentRef,
      nullable: true,
      description: 'The rollback deployment that reverted this one (status ROLLED_BACK).',
      resolve: (d, _a, ctx) => (d.rolledBackById ? ctx.loaders.deployment.load(d.rolledBackById) : null),
    }),
    tenantEnvironment: t.field({
      type: TenantEnvironmentRef,
      resolve: (d, _a, ctx) => requireReadableTenantEnvironment(ctx, d.tenantEnvironmentId),
    }),
    compareWithCurrent: t.field({
      type: RevisionDiffRef,
      extensions: { cost: 500 },
      resolve: async (d, _a, ctx) =>
        compareWithCurrent(ctx.backend, await requireReadableTenantEnvironment(ctx, d.tenantEnvironmentId), d.revision),
    }),
  }),
});

const FieldEditInput = builder.inputType('FieldEditInput', {
  fields: (t) => ({
    file: t.string({ defaultValue: 'values.yaml', required: false }),
    path: t.string({ description: 'YAML path, e.g. `image.tag` or `containers[0].image`.' }),
    value: t.field({ type: 'JSON' }),
  }),
});

const FileReplacementInput = builder.inputType('FileReplacementInput', {
  fields: (t) => ({ file: t.string(), content: t.string() }),
});

const ServiceReleaseInput = builder.inputType('ServiceReleaseInput', {
  fields: (t) => ({
    service: t.string(),
    setFields: t.field({ type: [FieldEditInput], required: false }),
    replaceFiles: t.field({ type: [FileReplacementInput], required: false }),
  }),
});

export const DeployReleaseInput = builder.inputType('DeployReleaseInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    description: t.string({ required: false }),
    services: t.field({ type: [ServiceReleaseInput], required: false }),
    environmentFields: t.field({
      type: [FieldEditInput],
      required: false,
      description: 'Edits of variables.yaml or environment.yaml.',
    }),
  }),
});

export const PromoteInput = builder.inputType('PromoteInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    fromEnvironment: t.string(),
    toEnvironment: t.string(),
    service: t.string({ required: false, description: 'Promote one service; all services when omitted.' }),
    description: t.string({ required: false }),
  }),
});

export const withDefaultFile = <T extends { file?: string | null }>(edits: T[] | null | undefined) =>
  edits?.map((edit) => ({ ...edit, file: edit.file ?? 'values.yaml' }));

/** The release input as the domain takes it (field edits default to values.yaml). */
export const toReleaseInput = (input: typeof DeployReleaseInput.$inferInput) => ({
  ...input,
  services: input.services?.map((s) => ({
    service: s.service,
    setFields: withDefaultFile(s.setFields),
    replaceFiles: s.replaceFiles ?? undefined,
  })),
  environmentFields: withDefaultFile(input.environmentFields),
});

builder.mutationField('deployRelease', (t) =>
  t.field({
    type: DeploymentRef,
    description:
      'Commits a release at once. On an environment that requires approval it is refused with APPROVAL_REQUIRED (use requestRelease), unless you have a break-glass session open: then it commits at once, flagged.',
    args: { input: t.arg({ type: DeployReleaseInput }) },
    resolve: (_root, { input }, ctx) => deployRelease(ctx.backend, ctx.actor, toReleaseInput(input)),
  }),
);

builder.mutationField('promote', (t) =>
  t.field({
    type: DeploymentRef,
    description:
      'Commits a promotion at once. On an environment that requires approval it is refused with APPROVAL_REQUIRED (use requestPromotion), unless you have a break-glass session open: then it commits at once, flagged.',
    args: { input: t.arg({ type: PromoteInput }) },
    resolve: (_root, { input }, ctx) => promote(ctx.backend, ctx.actor, input),
  }),
);

builder.subscriptionField('deploymentRecorded', (t) =>
  t.field({
    type: DeploymentRef,
    description: 'Every new history entry of the tenant-environment.',
    args: { tenantEnvironmentId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      await requireReadableTenantEnvironment(ctx, String(args.tenantEnvironmentId));
      const tenantEnvironmentId = String(args.tenantEnvironmentId);
      return eventsOf(ctx, (e) => e.type === 'deploymentRecorded' && e.tenantEnvironmentId === tenantEnvironmentId, {
        type: 'deploymentRecorded',
        tenantEnvironmentId,
      });
    },
    resolve: async (event, _args, ctx) => (await ctx.loaders.deployment.load((event as DeploymentRecorded).deploymentId))!,
  }),
);
