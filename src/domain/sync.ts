/** Cluster sync status as reported by agents: latest report, reachability, drift, failed deployments. */
import { flattenLeaves, parseYaml } from '../yaml';
import type { Actor } from './actor';
import { recordAudit } from './audit';
import type { FieldDiff } from './diff/compare-files';
import { BadRequestError, ForbiddenError, UnauthenticatedError } from './errors';
import { domainEvent, type DomainEvent, type SyncStatusChanged } from './events';
import { indexHistoryWithin } from './history/index-history';
import { READ_INDEXING_BUDGET_MS } from './history/queries';
import { openTenantEnvironment } from './history/queries';
import { serviceOfPath, VALUES_FILE, serviceFile } from './layout';
import type { HealthState, LiveServiceValues, SyncReport, SyncState, TenantEnvironment } from './model';
import type { Backend } from './ports';
import { readFiles, servicesIn } from './tenant-environment-files';
import { loadTenantEnvironment } from './workspace';
import { acceptsEvent } from './notifications/targets-policy';

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
  context: TenantEnvironment;
  report: SyncReport | null;
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

/** The live value an agent reported for a desired-state field, if it reports that field. */
export function liveValueOf(report: SyncReport, field: Pick<FieldDiff, 'file' | 'path'>): unknown {
  const service = serviceOfPath(field.file);
  if (!service || !field.file.endsWith(`/${VALUES_FILE}`)) return undefined;
  const live = report.liveValues.find((v) => v.service === service);
  if (!live) return undefined;
  if (field.path === 'image.tag' && live.imageTag != null) return live.imageTag;
  if (field.path === 'replicas' && live.replicas != null) return live.replicas;
  return live.values?.[field.path];
}

export function isReachable(backend: Backend, report: SyncReport | null, now: Date): boolean {
  return report !== null && now.getTime() - report.reportedAt.getTime() <= backend.settings.agentSilenceMs;
}

/** The status against the latest report, or against `written` when the caller has just inserted it. */
export async function syncStatusOf(backend: Backend, context: TenantEnvironment, written?: SyncReport): Promise<SyncStatusView> {
  const git = await backend.repositories.forProject(context.project.slug);
  const [report, headRevision, completed] = await Promise.all([
    written ?? backend.stores.syncReports.latest(context.id),
    git.head(),
    backend.stores.requests.completedOf(context.id, 20),
  ]);
  const now = backend.now();
  const pendingRollbacks: SyncStatusView['pendingRollbacks'] = [];
  for (const rollback of completed) {
    const synced =
      report && (report.revision === rollback.resultSha || (await git.isAncestor(rollback.resultSha!, report.revision).catch(() => false)));
    if (!synced) pendingRollbacks.push({ id: rollback.id, resultSha: rollback.resultSha! });
  }
  return { context, report, headRevision, agentReachable: isReachable(backend, report, now), pendingRollbacks, checkedAt: now };
}

export async function reportSyncStatus(backend: Backend, actor: Actor | null, input: SyncReportInput): Promise<SyncStatusView> {
  if (!actor) throw new UnauthenticatedError();
  if (actor.kind !== 'agent') throw new ForbiddenError('AGENT_REQUIRED', 'only cluster agents report sync status');
  const context = await openTenantEnvironment(backend, actor, input);
  if (!context) {
    throw new ForbiddenError('AGENT_OUT_OF_SCOPE', `agent ${actor.agent.name} does not serve tenant/${input.tenant} env/${input.environment}`);
  }
  const git = await backend.repositories.forProject(context.project.slug);
  let revision: string;
  try {
    revision = await git.resolveRevision(input.revision);
  } catch {
    throw new BadRequestError('REVISION_NOT_FOUND', `revision not found: ${input.revision}`);
  }
  const degraded = input.health === 'DEGRADED' ? await deploymentLiveAt(backend, context, revision) : null;
  // A deployment marked FAILED that later reports HEALTHY at the same revision recovered: no longer FAILED.
  const recovered = input.health === 'HEALTHY' ? await deploymentLiveAt(backend, context, revision) : null;
  const now = backend.now();
  const drift = input.syncState === 'SYNCED' ? await driftToNotify(backend, context, revision, input.services) : [];
  const { report, event } = await backend.transact(async ({ stores, emit, notify }) => {
    const report = await stores.syncReports.insert({
      tenantEnvironmentId: context.id,
      agentId: actor.agent.id,
      revision,
      syncState: input.syncState,
      health: input.health,
      liveValues: input.services,
      reportedAt: now,
    });
    if (degraded) await stores.deployments.setStatus([degraded], 'SUCCESS', 'FAILED');
    if (recovered) await stores.deployments.setStatus([recovered], 'FAILED', 'SUCCESS');
    await recordAudit(stores, {
      projectId: context.project.id,
      actor,
      action: 'sync.reported',
      targetType: 'TenantEnvironment',
      targetId: context.id,
      tenantEnvironmentId: context.id,
      details: { revision, syncState: input.syncState, health: input.health },
      now,
    });
    const event = domainEvent<SyncStatusChanged>({ type: 'syncStatusChanged', projectId: context.project.id, tenantEnvironmentId: context.id, reportId: report.id }, now);
    emit(event);
    if (drift.length > 0) notify({ kind: 'DRIFT_DETECTED', projectId: context.project.id, tenantEnvironmentId: context.id, reportId: report.id, revision, drift, at: now });
    return { report, event };
  });
  // The answer to this call is also what every local subscriber gets for this event: computed once.
  return shareStatus(event, syncStatusOf(backend, context, report));
}

/** Statuses by event id, so one event's status is computed once however many subscribe to it. */
const statusByEvent = new Map<string, Promise<SyncStatusView>>();
const SHARED_STATUSES = 256;

function shareStatus(event: DomainEvent, status: Promise<SyncStatusView>): Promise<SyncStatusView> {
  statusByEvent.set(event.id, status);
  while (statusByEvent.size > SHARED_STATUSES) statusByEvent.delete(statusByEvent.keys().next().value!);
  return status;
}

/**
 * The status right after a syncStatusChanged event, computed once per event and shared by all its
 * subscribers (and by the report that caused it).
 */
export function syncStatusAtEvent(backend: Backend, event: DomainEvent): Promise<SyncStatusView> {
  return (
    statusByEvent.get(event.id) ??
    shareStatus(event, loadTenantEnvironment(backend, event.tenantEnvironmentId).then((context) => syncStatusOf(backend, context)))
  );
}

/**
 * The deployment the cluster runs when it has synced `revision`: the newest deployment of the
 * tenant-environment at or before that revision. Agents report the revision of main they synced,
 * which is often a later commit that only changed other tenant-environments.
 */
export async function deploymentLiveAt(backend: Backend, context: TenantEnvironment, revision: string): Promise<string | null> {
  await indexHistoryWithin(backend, context.project, READ_INDEXING_BUDGET_MS);
  const git = await backend.repositories.forProject(context.project.slug);
  const recent = await backend.stores.deployments.page(context.id, Number.MAX_SAFE_INTEGER, 200);
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

/**
 * The drift of a report that says SYNCED, against the revision it synced, when a notification target
 * of the project wants to hear of drift (otherwise nobody reads it, and the files are not read).
 */
async function driftToNotify(backend: Backend, context: TenantEnvironment, revision: string, live: LiveServiceValues[]): Promise<DriftEntry[]> {
  const targets = await backend.stores.notificationTargets.ofProject(context.project.id);
  if (!targets.some((target) => acceptsEvent(target, 'DRIFT_DETECTED', context.id))) return [];
  try {
    return await driftAgainst(backend, context, live, revision);
  } catch {
    // A notification is no reason to refuse the report.
    return [];
  }
}

/** Desired values (head revision) against what the agent last reported, per service and field. */
export async function driftOf(backend: Backend, context: TenantEnvironment): Promise<DriftEntry[]> {
  const report = await backend.stores.syncReports.latest(context.id);
  if (!report) return [];
  return driftAgainst(backend, context, report.liveValues, null);
}

/** Desired values at `revision` (null: main's head) against live values, per service and field. */
async function driftAgainst(backend: Backend, context: TenantEnvironment, liveValues: LiveServiceValues[], revision: string | null): Promise<DriftEntry[]> {
  const git = await backend.repositories.forProject(context.project.slug);
  const files = await readFiles(git, revision ?? (await git.head()), context.ref);
  const drift: DriftEntry[] = [];
  const desiredServices = servicesIn(files);
  for (const live of liveValues) {
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
    if (!liveValues.some((v) => v.service === service)) drift.push({ service, field: '(service)', desired: 'running', live: null });
  }
  return drift;
}

/** How often silence is checked (and a standby instance tries to take the monitor over). */
const checkInterval = (backend: Backend) => Math.max(200, Math.min(backend.settings.agentSilenceMs / 4, 5000));

/**
 * Announces agents going silent (and coming back) once across instances: only the instance holding
 * the monitor's lock watches, holding it while it runs; the others try to take over every interval,
 * so the monitor moves when its instance stops or dies.
 */
export function startReachabilityMonitor(backend: Backend): { stop(): void } {
  let stopped = false;
  let release: () => void = () => undefined;
  const interval = checkInterval(backend);
  const tryLead = async () => {
    while (!stopped) {
      await backend.locks
        .tryRun('reachability-monitor', async () => {
          // stop() may have come while the lock was being taken.
          if (stopped) return;
          const watching = watchReachability(backend);
          await new Promise<void>((resolve) => (release = resolve));
          watching.stop();
        })
        .catch(() => undefined);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, interval).unref());
    }
  };
  void tryLead();
  return {
    stop: () => {
      stopped = true;
      release();
    },
  };
}

function unreachableNotice(backend: Backend, context: TenantEnvironment, lastReportedAt: Date, at: Date) {
  return { kind: 'AGENT_UNREACHABLE' as const, projectId: context.project.id, tenantEnvironmentId: context.id, lastReportedAt, silenceMs: backend.settings.agentSilenceMs, at };
}

/**
 * Watches agent silence: when an agent stops reporting for longer than the configured silence
 * (or comes back), subscribers of that tenant-environment get a syncStatusChanged event.
 * Every report already announced "reachable" with its own event, so a report the monitor has not
 * seen yet counts as announced-reachable: an agent that goes silent between two checks still flips.
 */
function watchReachability(backend: Backend): { stop(): void } {
  const announced = new Map<string, { reportedAt: number; reachable: boolean }>();
  const interval = checkInterval(backend);
  let running = false;
  let firstPass = true;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const latest = await backend.stores.syncReports.latestReportTimes();
      const now = backend.now();
      for (const row of latest) {
        if (row.reportedAt === null) continue;
        const reportedAt = row.reportedAt.getTime();
        const reachable = now.getTime() - reportedAt <= backend.settings.agentSilenceMs;
        const before = announced.get(row.tenantEnvironmentId);
        // At start nobody is subscribed yet: take the current state as known.
        const wasReachable = before && before.reportedAt === reportedAt ? before.reachable : firstPass ? reachable : true;
        announced.set(row.tenantEnvironmentId, { reportedAt, reachable });
        if (firstPass && !before && !reachable) {
          // Silent since before this start (it may have gone silent while no instance ran): the
          // notification's id comes from the last report, so one already sent is not sent again.
          const context = await loadTenantEnvironment(backend, row.tenantEnvironmentId).catch(() => null);
          if (context) await backend.transact(async ({ notify }) => notify(unreachableNotice(backend, context, row.reportedAt!, now)));
        }
        if (wasReachable !== reachable) {
          const context = await loadTenantEnvironment(backend, row.tenantEnvironmentId).catch(() => null);
          if (context) {
            const event = domainEvent<SyncStatusChanged>({ type: 'syncStatusChanged', projectId: context.project.id, tenantEnvironmentId: context.id, reportId: null }, now);
            if (reachable) {
              backend.events.publish(event);
            } else {
              // Its notification id is derived from the silent agent's last report: instances that all notice it notify once.
              await backend.transact(async ({ emit, notify }) => {
                emit(event);
                notify(unreachableNotice(backend, context, row.reportedAt!, now));
              });
            }
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
