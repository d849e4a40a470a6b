import type { LiveServiceValues } from '../../domain/model';
import { syncMessage, reportSyncStatus, syncStatusAtEvent, type DriftEntry, type SyncStatusView } from '../../domain/sync';
import { syncStatusesByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode, syncStatusId, underlyingId } from './node';
import { eventsOf, requireReadableTenantEnvironment } from '../subscriptions';
import { HealthEnum, SyncStateEnum } from './enums';
import { TenantEnvironmentRef } from './tenant-environment';

/** The spec's word for a rollback the agent cannot confirm ("Error Handling", agent unreachable). */

const LiveServiceRef = builder.objectRef<LiveServiceValues>('LiveService');

LiveServiceRef.implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    imageTag: t.string({ nullable: true, resolve: (v) => v.imageTag ?? null }),
    replicas: t.int({ nullable: true, resolve: (v) => v.replicas ?? null }),
    values: t.field({ type: 'JSON', nullable: true, resolve: (v) => v.values ?? null }),
  }),
});

export const SyncStatusRef = builder.objectRef<SyncStatusView>('SyncStatus');

// `sync:<tenant-environment id>`: one per tenant-environment, so a normalized cache (Apollo, urql)
// updates the same object from syncStatusChanged events and from TenantEnvironment.syncStatus.
asNode(SyncStatusRef, (s) => syncStatusId(s.context.id), (backend, actor, ids) => syncStatusesByIds(backend, actor, ids.map(underlyingId)));

SyncStatusRef.implement({
  description: "What the cluster agent last reported for a tenant-environment, against the head of main.",
  fields: (t) => ({
    tenantEnvironment: t.field({ type: TenantEnvironmentRef, resolve: (s) => s.context }),
    reported: t.boolean({ description: 'False until an agent has reported at all.', resolve: (s) => s.report !== null }),
    syncedRevision: t.string({ nullable: true, resolve: (s) => s.report?.revision ?? null }),
    headRevision: t.string({ nullable: true, resolve: (s) => s.headRevision }),
    syncedHead: t.boolean({
      description: 'The agent has synced the head revision of main.',
      resolve: (s) => s.report !== null && s.report.revision === s.headRevision,
    }),
    syncState: t.field({ type: SyncStateEnum, resolve: (s) => s.report?.syncState ?? 'UNKNOWN' }),
    health: t.field({ type: HealthEnum, nullable: true, resolve: (s) => s.report?.health ?? null }),
    liveServices: t.field({ type: [LiveServiceRef], resolve: (s) => s.report?.liveValues ?? [] }),
    lastSeenAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.report?.reportedAt ?? null }),
    secondsSinceLastSeen: t.int({
      nullable: true,
      resolve: (s) => (s.report ? Math.max(0, Math.floor((s.checkedAt.getTime() - s.report.reportedAt.getTime()) / 1000)) : null),
    }),
    agentReachable: t.exposeBoolean('agentReachable', {
      description: 'False when the agent has been silent for longer than AGENT_SILENCE_SECONDS.',
    }),
    pendingSyncRollbacks: t.stringList({
      description:
        'Completed rollback requests whose commit the agent has not synced yet. The rollback is safe in Git; sync will occur when the agent reconnects.',
      resolve: (s) => s.pendingRollbacks.map((r) => r.id),
    }),
    // A completed rollback the agent has not synced yet is pending sync, never failed.
    message: t.string({ resolve: syncMessage }),
  }),
});

export const DriftEntryRef = builder.objectRef<DriftEntry>('DriftEntry');

DriftEntryRef.implement({
  description: 'A field whose live cluster value differs from the desired value at the head revision.',
  fields: (t) => ({
    service: t.exposeString('service'),
    field: t.exposeString('field'),
    desired: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.desired }),
    live: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.live }),
  }),
});


const LiveServiceInput = builder.inputType('LiveServiceInput', {
  fields: (t) => ({
    service: t.string(),
    imageTag: t.string({ required: false }),
    replicas: t.int({ required: false }),
    values: t.field({ type: 'JSON', required: false, description: 'Other live values by YAML path, e.g. {"resources.limits.memory": "512Mi"}.' }),
  }),
});

const SyncReportInput = builder.inputType('SyncReportInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    revision: t.string({ description: 'The revision the agent has synced.' }),
    syncState: t.field({ type: SyncStateEnum }),
    health: t.field({ type: HealthEnum }),
    services: t.field({ type: [LiveServiceInput], required: false, defaultValue: [] }),
  }),
});

builder.mutationField('reportSyncStatus', (t) =>
  t.field({
    type: SyncStatusRef,
    description: 'Cluster agents only, for the tenant-environments they serve.',
    args: { input: t.arg({ type: SyncReportInput }) },
    resolve: (_root, { input }, ctx) =>
      reportSyncStatus(ctx.backend, ctx.actor, {
        ...input,
        services: (input.services ?? []).map((s) => ({
          service: s.service,
          imageTag: s.imageTag ?? null,
          replicas: s.replicas ?? null,
          values: (s.values as Record<string, unknown> | null) ?? undefined,
        })),
      }),
  }),
);

builder.subscriptionField('syncStatusChanged', (t) =>
  t.field({
    type: SyncStatusRef,
    description: 'Every report, and every change of agentReachable when an agent goes silent or comes back.',
    args: { tenantEnvironmentId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      await requireReadableTenantEnvironment(ctx, String(args.tenantEnvironmentId));
      const tenantEnvironmentId = String(args.tenantEnvironmentId);
      return eventsOf(ctx, (e) => e.type === 'syncStatusChanged' && e.tenantEnvironmentId === tenantEnvironmentId, {
        type: 'syncStatusChanged',
        tenantEnvironmentId,
      });
    },
    // One status per event, computed once and shared by all its subscribers (each was checked at subscribe time and per event).
    resolve: (event, _args, ctx) => syncStatusAtEvent(ctx.backend, event),
  }),
);
