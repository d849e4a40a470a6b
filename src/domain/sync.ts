/** Cluster sync status as reported by agents: latest report, reachability, drift, failed deployments. */
import { and, desc, eq, sql } from 'drizzle-orm';
import { deployments, rollbackRequests, syncReports, tenantEnvironments, type HealthState, type LiveServiceValues, type SyncState } from '../db/schema';
import type { Db } from '../db/client';
import type { Actor } from './actor';
import type { DomainEvent } from './events';
import { recordAudit } from './audit';
import type { FieldDiff } from './diff/compare-files';
import { BadRequestError, ForbiddenError, UnauthenticatedError } from './errors';
import { serviceOfPath, VALUES_FILE, serviceFile } from './layout';
import { flattenLeaves, parseYaml } from '../yaml';
import type { Services } from './services';
import { readFiles, servicesIn } from './tenant-environment-files';
import { indexHistory } from './history/index-history';
import { loadTenantEnvironment, tenantEnvironmentBySlugs, type TenantEnvironmentContext } from './workspace';

export type SyncReportRow = typeof syncReports.$inferSelect;

export interface SyncReportInput {
  project: string;
  tenant: string;
  environment: string;
  revision: string;
  syncState: SyncState;
  health: HealthState;
  services: LiveServiceValues[];
}

export interface SyncStatusView {
  context: TenantEnvironmentContext;
  report: SyncReportRow | null;
  headRevision: string | null;
  agentReachable: boolean;
  /** Completed rollbacks whose commit the agent has not synced yet: safe in Git, sync follows when the agent reconnects. */
  pendingRollbacks: Array<{ id: string; resultSha: string }>;
  checkedAt: Date;
}

const SAFE_IN_GIT = 'The rollback is safe in Git; sync will occur when the agent reconnects';

/** One line for the incident screen: synced, out of date, unreachable, or a rollback waiting to be synced. */
export function syncMessage(status: SyncStatusView): string {
  const pending = status.pendingRollbacks.length > 0;
  if (!status.agentReachable) {
    const why = status.report ? 'agent unreachable' : 'no sync report yet';
    if (pending) return `${why}: rollback committed, pending sync. ${SAFE_IN_GIT}`;
    return status.report ? `${why}: sync status cannot be confirmed` : why;
  }
  if (pending) return 'rollback committed, pending sync: The rollback is safe in Git; waiting for the agent to sync it';
  return status.report!.revision === status.headRevision ? `synced, ${status.report!.health.toLowerCase()}` : 'out of date with main';
}

export async function latestSyncReport(services: Services, tenantEnvironmentId: string): Promise<SyncReportRow | null> {
  const [row] = await services.db
    .select()
    .from(syncReports)
    .where(eq(syncReports.tenantEnvironmentId, tenantEnvironmentId))
    .orderBy(desc(syncReports.id))
    .limit(1);
  return row ?? null;
}

/** The live value an agent reported for a desired-state field, if it reports that field. */
export function liveValueOf(report: SyncReportRow, field: Pick<FieldDiff, 'file' | 'path'>): unknown {
  const service = serviceOfPath(field.file);
  if (!service || !field.file.endsWith(`/${VALUES_FILE}`)) return undefined;
  const live = report.liveValues.find((v) => v.service === service);
  if (!live) return undefined;
  if (field.path === 'image.tag' && live.imageTag != null) return live.imageTag;
  if (field.path === 'replicas' && live.replicas != null) return live.replicas;
  return live.values?.[field.path];
}

export function isReachable(services: Services, report: SyncReportRow | null, now: Date): boolean {
  return report !== null && now.getTime() - report.reportedAt.getTime() <= services.settings.agentSilenceMs;
}

/** The status against the latest report, or against `written` when the caller has just inserted it. */
export async function syncStatusOf(services: Services, context: TenantEnvironmentContext, written?: SyncReportRow): Promise<SyncStatusView> {
  const git = await services.repositories.forProject(context.project.slug);
  const [report, headRevision, completed] = await Promise.all([
    written ?? latestSyncReport(services, context.id),
    git.head(),
    services.db
      .select({ id: rollbackRequests.id, resultSha: rollbackRequests.resultSha })
      .from(rollbackRequests)
      .where(and(eq(rollbackRequests.tenantEnvironmentId, context.id), eq(rollbackRequests.state, 'COMPLETED')))
      .orderBy(desc(rollbackRequests.completedAt))
      .limit(20),
  ]);
  const now = services.now();
  const pendingRollbacks: SyncStatusView['pendingRollbacks'] = [];
  for (const rollback of completed) {
    const synced =
      report && (report.revision === rollback.resultSha || (await git.isAncestor(rollback.resultSha!, report.revision).catch(() => false)));
    if (!synced) pendingRollbacks.push({ id: rollback.id, resultSha: rollback.resultSha! });
  }
  return { context, report, headRevision, agentReachable: isReachable(services, report, now), pendingRollbacks, checkedAt: now };
}

export async function reportSyncStatus(services: Services, actor: Actor | null, input: SyncReportInput): Promise<SyncStatusView> {
  if (!actor) throw new UnauthenticatedError();
  if (actor.kind !== 'agent') throw new ForbiddenError('AGENT_REQUIRED', 'only cluster agents report sync status');
  const context = await tenantEnvironmentBySlugs(services, actor, input);
  if (!context) {
    throw new ForbiddenError('AGENT_OUT_OF_SCOPE', `agent ${actor.agent.name} does not serve tenant/${input.tenant} env/${input.environment}`);
  }
  const git = await services.repositories.forProject(context.project.slug);
  let revision: string;
  try {
    revision = await git.resolveRevision(input.revision);
  } catch {
    throw new BadRequestError('REVISION_NOT_FOUND', `revision not found: ${input.revision}`);
  }
  const degraded = input.health === 'DEGRADED' ? await deploymentLiveAt(services, context, revision) : null;
  const now = services.now();
  let status: Promise<SyncStatusView> | undefined;
  await services.transaction(async (tx, afterCommit) => {
    const [report] = await tx
      .insert(syncReports)
      .values({
        tenantEnvironmentId: context.id,
        agentId: actor.agent.id,
        revision,
        syncState: input.syncState,
        health: input.health,
        liveValues: input.services,
        reportedAt: now,
      })
      .returning();
    if (degraded) {
      await tx
        .update(deployments)
        .set({ status: 'FAILED' })
        .where(and(eq(deployments.id, degraded), eq(deployments.status, 'SUCCESS')));
    }
    await recordAudit(tx, {
      projectId: context.project.id,
      actor,
      action: 'sync.reported',
      targetType: 'TenantEnvironment',
      targetId: context.id,
      tenantEnvironmentId: context.id,
      details: { revision, syncState: input.syncState, health: input.health },
      now,
    });
    afterCommit(() => {
      const event: DomainEvent = { type: 'syncStatusChanged', projectId: context.project.id, tenantEnvironmentId: context.id, at: now };
      // The answer to this call is also what every subscriber gets for this event: computed once.
      status = syncStatusOf(services, context, report);
      statusByEvent.set(event, status);
      services.events.publish(event);
    });
  });
  return status!;
}

const statusByEvent = new WeakMap<DomainEvent, Promise<SyncStatusView>>();

/**
 * The status right after a syncStatusChanged event, computed once per event and shared by all its
 * subscribers (and by the report that caused it).
 */
export function syncStatusAtEvent(services: Services, event: DomainEvent): Promise<SyncStatusView> {
  let status = statusByEvent.get(event);
  if (!status) {
    status = loadTenantEnvironment(services, event.tenantEnvironmentId).then((context) => syncStatusOf(services, context));
    statusByEvent.set(event, status);
  }
  return status;
}

/**
 * The deployment the cluster runs when it has synced `revision`: the newest deployment of the
 * tenant-environment at or before that revision. Agents report the revision of main they synced,
 * which is often a later commit that only changed other tenant-environments.
 */
export async function deploymentLiveAt(services: Services, context: TenantEnvironmentContext, revision: string): Promise<string | null> {
  await indexHistory(services, context.project);
  const git = await services.repositories.forProject(context.project.slug);
  const recent = await services.db
    .select({ id: deployments.id, revision: deployments.revision })
    .from(deployments)
    .where(eq(deployments.tenantEnvironmentId, context.id))
    .orderBy(desc(deployments.sequence))
    .limit(200);
  for (const deployment of recent) {
    if (deployment.revision === revision || (await git.isAncestor(deployment.revision, revision).catch(() => false))) return deployment.id;
  }
  return null;
}

export interface DriftEntry {
  service: string;
  field: string;
  desired: unknown;
  live: unknown;
}

/**
 * Compares values as the delivery generator writes them into manifests: scalars as text, so
 * `tag: 2` (a number in values.yaml) and the "2" an agent reports from the cluster agree.
 */
function sameWhenRendered(desired: unknown, live: unknown): boolean {
  if (desired == null || live == null) return desired == null && live == null;
  const rendered = (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : String(value));
  return rendered(desired) === rendered(live);
}

/** Desired values (head revision) against what the agent last reported, per service and field. */
export async function driftOf(services: Services, context: TenantEnvironmentContext): Promise<DriftEntry[]> {
  const report = await latestSyncReport(services, context.id);
  if (!report) return [];
  const git = await services.repositories.forProject(context.project.slug);
  const files = await readFiles(git, await git.head(), context.ref);
  const drift: DriftEntry[] = [];
  const desiredServices = servicesIn(files);
  for (const live of report.liveValues) {
    if (!desiredServices.includes(live.service)) {
      drift.push({ service: live.service, field: '(service)', desired: null, live: 'running' });
      continue;
    }
    let desired: Map<string, unknown>;
    try {
      desired = flattenLeaves(parseYaml(files.get(serviceFile(live.service, VALUES_FILE)) ?? '', VALUES_FILE) ?? {});
    } catch {
      continue;
    }
    const observed: Array<[string, unknown]> = [
      ...(live.imageTag != null ? ([['image.tag', live.imageTag]] as Array<[string, unknown]>) : []),
      ...(live.replicas != null ? ([['replicas', live.replicas]] as Array<[string, unknown]>) : []),
      ...Object.entries(live.values ?? {}),
    ];
    for (const [field, value] of observed) {
      const want = desired.get(field) ?? null;
      if (!sameWhenRendered(want, value)) drift.push({ service: live.service, field, desired: want, live: value });
    }
  }
  for (const service of desiredServices) {
    if (!report.liveValues.some((v) => v.service === service)) drift.push({ service, field: '(service)', desired: 'running', live: null });
  }
  return drift;
}

/**
 * Watches agent silence: when an agent stops reporting for longer than the configured silence
 * (or comes back), subscribers of that tenant-environment get a syncStatusChanged event.
 * Every report already announced "reachable" with its own event, so a report the monitor has not
 * seen yet counts as announced-reachable: an agent that goes silent between two checks still flips.
 */
/**
 * When each tenant-environment's agent last reported: one index lookup per tenant-environment, so
 * the periodic check does not grow with the report history.
 */
function latestReportTimes(db: Db) {
  return db.all<{ tenantEnvironmentId: string; reportedAt: number | null }>(sql`
    select te.id as tenantEnvironmentId,
      (select s.reported_at from ${syncReports} s where s.tenant_environment_id = te.id order by s.id desc limit 1) as reportedAt
    from ${tenantEnvironments} te`);
}

export function startReachabilityMonitor(services: Services): { stop(): void } {
  const announced = new Map<string, { reportedAt: number; reachable: boolean }>();
  const interval = Math.max(200, Math.min(services.settings.agentSilenceMs / 4, 5000));
  let running = false;
  let firstPass = true;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const latest = await latestReportTimes(services.db);
      const now = services.now();
      for (const row of latest) {
        if (row.reportedAt === null) continue;
        const reportedAt = row.reportedAt;
        const reachable = now.getTime() - reportedAt <= services.settings.agentSilenceMs;
        const before = announced.get(row.tenantEnvironmentId);
        // At start nobody is subscribed yet: take the current state as known.
        const wasReachable = before && before.reportedAt === reportedAt ? before.reachable : firstPass ? reachable : true;
        announced.set(row.tenantEnvironmentId, { reportedAt, reachable });
        if (wasReachable !== reachable) {
          const context = await loadTenantEnvironment(services, row.tenantEnvironmentId).catch(() => null);
          if (context) {
            services.events.publish({ type: 'syncStatusChanged', projectId: context.project.id, tenantEnvironmentId: context.id, at: now });
          }
        }
      }
      firstPass = false;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check().catch(() => undefined), interval);
  timer.unref();
  void check().catch(() => undefined);
  return { stop: () => clearInterval(timer) };
}
