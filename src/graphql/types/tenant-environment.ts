import { compareRevisions, compareWithCurrent, currentServices, headRevision, listDeployments, openTenantEnvironment } from '../../domain/history/queries';
import { archivedAtOf } from '../../domain/archived';
import type { TenantEnvironment } from '../../domain/model';
import { archiveTenantEnvironment } from '../../domain/onboarding/archive';
import { createTenantEnvironment } from '../../domain/onboarding/structure';
import { recurringRollbackTargets, rollbackRequestsOf } from '../../domain/requests/rollback-requests';
import { rollbackModes } from '../../domain/rollback/modes';
import { driftOf, syncStatusOf } from '../../domain/sync';
import { tenantEnvironmentsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import { DriftEntryRef, SyncStatusRef } from './sync-status';
import { connectionOf, encodeIdCursor, pageRequest } from '../pagination';
import { ApprovalPolicyRef } from './approval-policy';
import { RollbackRequestStateEnum } from './enums';
import { RollbackModeOptionRef } from './rollback-mode';
import { RollbackRequestRef } from './rollback-request';
import { DeploymentRef } from './deployment';
import { ProjectRef } from './project';
import { RevisionDiffRef } from './revision-diff';

export const TenantEnvironmentRef = builder.objectRef<TenantEnvironment>('TenantEnvironment');

asNode(TenantEnvironmentRef, (te) => te.id, tenantEnvironmentsByIds);

TenantEnvironmentRef.implement({
  description: 'A tenant in one environment: the unit of deployment and rollback.',
  fields: (t) => ({
    tenant: t.string({ resolve: (te) => te.tenant.slug }),
    environment: t.string({ resolve: (te) => te.environment.slug }),
    path: t.string({
      description: 'Its directory in the hosted repository.',
      resolve: (te) => `tenants/${te.tenant.slug}/${te.environment.slug}`,
    }),
    project: t.field({ type: ProjectRef, resolve: (te) => te.project }),
    archivedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set while it, its tenant, its environment, its project or its organization is archived: new writes are refused (ARCHIVED); history stays readable.',
      resolve: (te) => archivedAtOf(te),
    }),
    headRevision: t.string({ nullable: true, resolve: (te, _a, ctx) => headRevision(ctx.backend, te) }),
    services: t.stringList({
      description: 'Services at the head revision; archived ones only with includeArchived.',
      extensions: { cost: 10 },
      args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
      resolve: (te, args, ctx) => currentServices(ctx.backend, te, args.includeArchived ?? false),
    }),
    deployments: t.connection({
      type: DeploymentRef,
      description: 'Deployment history, newest first: `first`/`after` page towards older deployments, `last`/`before` towards newer ones.',
      extensions: { cost: 10 },
      resolve: async (te, args, ctx) =>
        connectionOf(await listDeployments(ctx.backend, te, pageRequest('deployment', args)), (d) => encodeIdCursor('deployment', d.sequence)),
    }),
    compareWithCurrent: t.field({
      type: RevisionDiffRef,
      description: 'From the given revision to the current head ("Compare with current").',
      extensions: { cost: 500 },
      args: { revision: t.arg.string() },
      resolve: (te, args, ctx) => compareWithCurrent(ctx.backend, te, args.revision),
    }),
    compareRevisions: t.field({
      type: RevisionDiffRef,
      extensions: { cost: 500 },
      args: { base: t.arg.string(), head: t.arg.string() },
      resolve: (te, args, ctx) => compareRevisions(ctx.backend, te, args.base, args.head),
    }),
    approvalPolicy: t.field({ type: ApprovalPolicyRef, resolve: (te) => te.environment }),
    syncStatus: t.field({ type: SyncStatusRef, extensions: { cost: 20 }, resolve: (te, _a, ctx) => syncStatusOf(ctx.backend, te) }),
    drift: t.field({
      type: [DriftEntryRef],
      description: 'Desired (head) vs live values the agent reported; empty when they agree.',
      extensions: { cost: 50 },
      resolve: (te, _a, ctx) => driftOf(ctx.backend, te),
    }),
    rollbackModes: t.field({
      type: [RollbackModeOptionRef],
      resolve: (te, _a, ctx) => rollbackModes(ctx.actor, te.organization, te.project.id),
    }),
    rollbackRequests: t.field({
      type: [RollbackRequestRef],
      description: 'Newest first, optionally only in the given states.',
      extensions: { cost: 10 },
      args: { states: t.arg({ type: [RollbackRequestStateEnum], required: false }) },
      resolve: (te, args, ctx) => rollbackRequestsOf(ctx.backend, te, args.states ?? null),
    }),
    rollbackInsights: t.field({
      type: [RecurringRollbackRef],
      description: 'Revisions rolled back to three or more times in 30 days: a recurring issue needing root-cause analysis.',
      extensions: { cost: 10 },
      resolve: (te, _a, ctx) => recurringRollbackTargets(ctx.backend, te),
    }),
  }),
});

builder.queryField('tenantEnvironment', (t) =>
  t.field({
    type: TenantEnvironmentRef,
    nullable: true,
    args: { project: t.arg.string(), tenant: t.arg.string(), environment: t.arg.string() },
    resolve: (_root, args, ctx) => openTenantEnvironment(ctx.backend, ctx.actor, args),
  }),
);

const TenantEnvironmentInput = builder.inputType('CreateTenantEnvironmentInput', {
  fields: (t) => ({ project: t.string(), tenant: t.string(), environment: t.string() }),
});

builder.mutationField('createTenantEnvironment', (t) =>
  t.field({
    type: TenantEnvironmentRef,
    description: 'ADMIN only: an existing tenant in an existing environment. Its directory appears with its first service (createService).',
    args: { input: t.arg({ type: TenantEnvironmentInput }) },
    resolve: (_root, { input }, ctx) => createTenantEnvironment(ctx.backend, ctx.actor, input),
  }),
);

const ArchiveTenantEnvironmentInput = builder.inputType('ArchiveTenantEnvironmentInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    archived: t.boolean({ required: false, defaultValue: true, description: 'false restores it.' }),
  }),
});

builder.mutationField('archiveTenantEnvironment', (t) =>
  t.field({
    type: TenantEnvironmentRef,
    description: 'ADMIN only. Releases, promotions, rollback requests and new services are refused while it is archived; its files stay in Git.',
    args: { input: t.arg({ type: ArchiveTenantEnvironmentInput }) },
    resolve: (_root, { input }, ctx) => archiveTenantEnvironment(ctx.backend, ctx.actor, input, input.archived ?? true),
  }),
);

const RecurringRollbackRef = builder
  .objectRef<{ revision: string; rollbacks: number; windowDays: number }>('RecurringRollback')
  .implement({
    fields: (t) => ({
      revision: t.exposeString('revision'),
      rollbacks: t.exposeInt('rollbacks'),
      windowDays: t.exposeInt('windowDays'),
      message: t.string({
        resolve: (r) =>
          `revision ${r.revision.slice(0, 7)} was rolled back to ${r.rollbacks} times in ${r.windowDays} days: look for the root cause instead of rolling back again`,
      }),
    }),
  });
