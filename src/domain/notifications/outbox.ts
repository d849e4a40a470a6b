/**
 * The transactional outbox. Every notification is a row of notification_deliveries written in the
 * transaction of the change that causes it, one per matching target; the dispatcher sends them after
 * the commit, so a slow or dead target never slows the change, and a crash loses nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DomainEvent } from '../events';
import type { ChangeRequest, Deployment, NotificationEventKind, Project, NotificationTarget, RequestState, RollbackRequest, TenantEnvironment } from '../model';
import type { DomainSettings, NewNotificationDelivery, Outbox, Stores } from '../ports';
import type { Notice } from './notices';
import { acceptsEvent } from './targets-policy';

/** The version of the webhook body; a change that is not additive gets a new one. */
export const PAYLOAD_VERSION = 1;

/** A notification before it is matched against targets. */
interface Pending {
  id: string;
  kind: NotificationEventKind;
  projectId: string;
  tenantEnvironmentId: string | null;
  at: string;
  build: (lookups: Lookups) => Promise<Record<string, unknown>>;
}

const REQUEST_STATE_KINDS: Partial<Record<RequestState, NotificationEventKind>> = {
  APPROVED: 'REQUEST_APPROVED',
  REJECTED: 'REQUEST_REJECTED',
  COMPLETED: 'REQUEST_COMPLETED',
  FAILED: 'REQUEST_FAILED',
};

/** A stable id from parts, for notifications several writers may derive (a commit, an agent's silence). */
function derivedId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Reads inside the transaction, memoized for one write. */
class Lookups {
  private readonly tes = new Map<string, Promise<TenantEnvironment | null>>();
  private readonly users = new Map<string, Promise<{ id: string; email: string; name: string } | null>>();
  private readonly projects = new Map<string, Promise<Project | null>>();
  private readonly deployments = new Map<string, Promise<Deployment | null>>();
  constructor(
    readonly stores: Stores,
    readonly settings: DomainSettings,
  ) {}
  tenantEnvironment(id: string) {
    let found = this.tes.get(id);
    if (!found) this.tes.set(id, (found = this.stores.tenantEnvironments.byIds([id]).then((rows) => rows[0] ?? null)));
    return found;
  }
  project(id: string) {
    let found = this.projects.get(id);
    if (!found) this.projects.set(id, (found = this.stores.projects.byId(id)));
    return found;
  }
  deployment(id: string) {
    let found = this.deployments.get(id);
    if (!found) this.deployments.set(id, (found = this.stores.deployments.byIds([id]).then((rows) => rows[0] ?? null)));
    return found;
  }
  user(id: string) {
    let found = this.users.get(id);
    if (!found) this.users.set(id, (found = this.stores.users.byId(id).then((u) => (u ? { id: u.id, email: u.email, name: u.name } : null))));
    return found;
  }
}

function teView(te: TenantEnvironment | null) {
  return te ? { id: te.id, tenant: te.tenant.slug, environment: te.environment.slug, path: `tenants/${te.tenant.slug}/${te.environment.slug}` } : null;
}

function requestView(request: RollbackRequest | ChangeRequest, type: 'ROLLBACK' | 'RELEASE' | 'PROMOTION') {
  const rollback = type === 'ROLLBACK' ? (request as RollbackRequest) : null;
  return {
    id: request.id,
    type,
    state: request.state,
    approvalRequired: request.approvalRequired,
    requiredApprovals: request.requiredApprovals,
    breakGlass: request.breakGlassSessionId !== null,
    ...(rollback
      ? {
          mode: rollback.mode,
          targetRevision: rollback.targetSha,
          service: rollback.service,
          selectedFields: rollback.selectedFields.map((f) => (f.file ? `${f.file}:${f.path}` : f.path)),
          justification: rollback.justification,
          preview: { hash: rollback.previewHash, affectedServices: rollback.affectedServices.length, selectedFields: rollback.selectedFields.length },
        }
      : {
          description: (request as ChangeRequest).description,
          environmentWide: (request as ChangeRequest).environmentWide,
        }),
    affectedServices: request.affectedServices,
    baseRevision: request.baseSha,
    resultRevision: request.resultSha,
    error: request.error,
    errorCode: request.errorCode,
    createdAt: request.createdAt instanceof Date ? request.createdAt.toISOString() : request.createdAt,
  };
}

function pendingOf(event: DomainEvent): Pending[] {
  const base = { projectId: event.projectId, tenantEnvironmentId: event.tenantEnvironmentId, at: event.at };
  if (event.type === 'rollbackRequestUpdated' || event.type === 'approvalRequestUpdated') {
    const kinds: NotificationEventKind[] = [];
    if (event.change === 'CREATED') {
      kinds.push('REQUEST_CREATED');
      if (event.state === 'PENDING') kinds.push('REQUEST_AWAITING_APPROVAL');
    } else if (event.change === 'STATE_CHANGED' && REQUEST_STATE_KINDS[event.state]) {
      kinds.push(REQUEST_STATE_KINDS[event.state]!);
    }
    const type = event.type === 'rollbackRequestUpdated' ? 'ROLLBACK' : event.kind;
    const request = event.request as unknown as RollbackRequest | ChangeRequest;
    return kinds.map((kind) => ({
      ...base,
      id: randomUUID(),
      kind,
      build: async (lookups) => {
        const te = await lookups.tenantEnvironment(event.tenantEnvironmentId);
        const requestedBy = await lookups.user(request.requestedById);
        const reviews = type === 'ROLLBACK' ? lookups.stores.reviews : lookups.stores.changeReviews;
        const [ofRequest] = await reviews.ofRequests([request.id]);
        const approvals = (ofRequest ?? []).filter((r) => r.decision === 'APPROVE').length;
        const target = te ? `${te.project.slug}/${te.tenant.slug}/${te.environment.slug}` : '';
        return {
          request: { ...requestView(request, type), approvals, requestedBy: requestedBy && { email: requestedBy.email, name: requestedBy.name } },
          links: {
            incident: `${lookups.settings.publicUrl}/incident#/${target}`,
            // The on-call CLI reviews rollback requests; releases and promotions are reviewed on the incident screen.
            ...(request.state === 'PENDING' && type === 'ROLLBACK' ? { approveCommand: `backtrack approve ${request.id}`, rejectCommand: `backtrack reject ${request.id}` } : {}),
          },
        };
      },
    }));
  }
  if (event.type === 'deploymentRecorded') {
    const deployment = (lookups: Lookups) => lookups.deployment(event.deploymentId);
    const view = async (lookups: Lookups) => {
      const d = await deployment(lookups);
      return d
        ? {
            id: d.id,
            revision: d.revision,
            source: d.source,
            status: d.status,
            author: { name: d.authorName, email: d.authorEmail },
            committedAt: d.committedAt.toISOString(),
            changes: d.changesSummary,
            changedPaths: d.changedPaths,
            rollbackRequestId: d.rollbackRequestId,
          }
        : null;
    };
    return [
      { ...base, id: randomUUID(), kind: 'DEPLOYMENT_RECORDED', build: async (lookups) => ({ deployment: await view(lookups) }) },
      // One push per commit: the id is derived from it, so a commit recorded for several tenant-environments (or twice) notifies once.
      {
        ...base,
        id: '',
        kind: 'COMMIT_PUSHED',
        build: async (lookups) => {
          const d = await deployment(lookups);
          return { commit: d ? { revision: d.revision, ref: 'refs/heads/main', author: { name: d.authorName, email: d.authorEmail } } : null };
        },
      },
    ];
  }
  return [];
}

function pendingOfNotice(notice: Notice): Pending {
  const at = notice.at.toISOString();
  if (notice.kind === 'BREAK_GLASS_OPENED') {
    const { session } = notice;
    return {
      id: randomUUID(),
      kind: notice.kind,
      projectId: session.projectId,
      tenantEnvironmentId: null,
      at,
      build: async (lookups) => {
        const user = await lookups.user(session.userId);
        return {
          breakGlass: {
            id: session.id,
            openedBy: user && { email: user.email, name: user.name },
            justification: session.justification,
            openedAt: session.openedAt.toISOString(),
            expiresAt: session.expiresAt.toISOString(),
          },
        };
      },
    };
  }
  if (notice.kind === 'AGENT_UNREACHABLE') {
    return {
      id: derivedId('agent-unreachable', notice.tenantEnvironmentId, String(notice.lastReportedAt.getTime())),
      kind: notice.kind,
      projectId: notice.projectId,
      tenantEnvironmentId: notice.tenantEnvironmentId,
      at,
      build: async () => ({ agent: { lastReportedAt: notice.lastReportedAt.toISOString(), silenceSeconds: Math.round(notice.silenceMs / 1000) } }),
    };
  }
  return {
    id: randomUUID(),
    kind: notice.kind,
    projectId: notice.projectId,
    tenantEnvironmentId: notice.tenantEnvironmentId,
    at,
    build: async () => ({ drift: { revision: notice.revision, reportId: notice.reportId, fields: notice.drift } }),
  };
}

/** The outbox the server's transactions write through. `settings` is read at write time (the public URL is known once listening). */
export function notificationOutbox(settings: DomainSettings, now: () => Date = () => new Date()): Outbox & { onWritten: (() => void) | null } {
  const outbox = {
    onWritten: null as (() => void) | null,
    written: () => outbox.onWritten?.(),
    async write(stores: Stores, events: readonly DomainEvent[], notices: readonly Notice[]): Promise<number> {
      const pending = [...events.flatMap(pendingOf), ...notices.map(pendingOfNotice)];
      if (pending.length === 0) return 0;
      const targetsByProject = new Map<string, NotificationTarget[]>();
      for (const projectId of new Set(pending.map((p) => p.projectId))) targetsByProject.set(projectId, await stores.notificationTargets.ofProject(projectId));
      if ([...targetsByProject.values()].every((targets) => targets.length === 0)) return 0;
      const lookups = new Lookups(stores, settings);
      const rows: NewNotificationDelivery[] = [];
      const seen = new Set<string>();
      for (const notification of pending) {
        const targets = targetsByProject.get(notification.projectId)!.filter((target) => acceptsEvent(target, notification.kind, notification.tenantEnvironmentId));
        if (targets.length === 0) continue;
        const body = await notification.build(lookups);
        let id = notification.id;
        if (notification.kind === 'COMMIT_PUSHED') {
          const revision = (body.commit as { revision: string } | null)?.revision;
          if (!revision) continue;
          id = derivedId('commit-pushed', notification.projectId, revision);
        }
        if (seen.has(id)) continue;
        seen.add(id);
        const project = await lookups.project(notification.projectId);
        const te = notification.tenantEnvironmentId ? await lookups.tenantEnvironment(notification.tenantEnvironmentId) : null;
        const payload = {
          version: PAYLOAD_VERSION,
          id,
          kind: notification.kind,
          occurredAt: notification.at,
          project: { id: notification.projectId, slug: project?.slug ?? null },
          tenantEnvironment: teView(te),
          ...body,
        };
        const at = now();
        for (const target of targets) {
          rows.push({
            projectId: notification.projectId,
            targetId: target.id,
            eventId: id,
            eventKind: notification.kind,
            tenantEnvironmentId: notification.tenantEnvironmentId,
            payload,
            nextAttemptAt: at,
            createdAt: at,
          });
        }
      }
      return rows.length === 0 ? 0 : stores.notificationDeliveries.insert(rows);
    },
  };
  return outbox;
}
