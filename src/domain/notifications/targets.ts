/** Notification targets per project (ADMIN only), their delivery log, and redelivery. */
import { roleIn } from '../access';
import { requireProjectWritable } from '../archived';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { NotificationDelivery, NotificationDeliveryState, NotificationTarget, NotificationTargetKind, Project } from '../model';
import { authorize, auditOnboarding, isOperator, type Caller } from '../onboarding/caller';
import { findProject } from '../onboarding/lookup';
import { readPage, type Page, type PageRequest } from '../paging';
import type { Backend } from '../ports';
import { NAME_PATTERN } from '../layout';
import { checkEventKinds, MAX_SECRET_LENGTH, parseTargetUrl } from './targets-policy';
import { NOTIFICATION_TARGET_KINDS } from '../model';

export interface NotificationTargetInput {
  project: string;
  name: string;
  kind: NotificationTargetKind;
  url: string;
  /** Undefined keeps the stored one; null or '' removes it. */
  secret?: string | null;
  eventKinds?: readonly string[] | null;
  /** `tenant/environment` names; empty or absent: all of them. */
  tenantEnvironments?: readonly string[] | null;
}

/** The target as settings compare (the apply file): no secret, names instead of ids. */
export interface NotificationTargetView {
  target: NotificationTarget;
  tenantEnvironments: string[];
}

/** Creates or replaces the project's target of this name; the URL is checked against the network policy first. */
export async function setNotificationTarget(backend: Backend, caller: Caller, input: NotificationTargetInput): Promise<NotificationTarget> {
  const { project, organization, user } = await findProject(backend, caller, input.project, 'ADMIN');
  requireProjectWritable(project, organization);
  const name = input.name?.trim() ?? '';
  if (!NAME_PATTERN.test(name) || name.length > 63) {
    throw new BadRequestError('INVALID_NOTIFICATION_TARGET', 'a notification target name is 1 to 63 lowercase letters, digits and dashes');
  }
  if (!(NOTIFICATION_TARGET_KINDS as readonly string[]).includes(input.kind)) {
    throw new BadRequestError('INVALID_NOTIFICATION_TARGET', `kind must be one of ${NOTIFICATION_TARGET_KINDS.join(', ')}`);
  }
  const url = parseTargetUrl(input.url);
  const refusal = await backend.notificationNetwork?.refusal(url);
  if (refusal) throw new BadRequestError(refusal.code, refusal.message);
  const eventKinds = checkEventKinds(input.kind, input.eventKinds ?? []);
  if (input.secret != null && input.secret.length > MAX_SECRET_LENGTH) {
    throw new BadRequestError('INVALID_NOTIFICATION_TARGET', `a secret is at most ${MAX_SECRET_LENGTH} characters`);
  }
  if (input.kind === 'SLACK' && input.secret) throw new BadRequestError('INVALID_NOTIFICATION_TARGET', 'a SLACK target has no secret: its URL is the secret');
  const tenantEnvironmentIds = await tenantEnvironmentIdsOf(backend, project, input.tenantEnvironments ?? []);
  const now = backend.now();
  return backend.transact(async ({ stores }) => {
    const existing = (await stores.notificationTargets.ofProject(project.id)).find((t) => t.name === name) ?? null;
    const secret = input.secret === undefined ? (existing?.kind === input.kind ? existing.secret : null) : input.secret || null;
    const target = await stores.notificationTargets.upsert({
      id: existing?.id ?? newId('ntt'),
      projectId: project.id,
      name,
      kind: input.kind,
      url: url.toString(),
      secret,
      eventKinds,
      tenantEnvironmentIds,
      updatedAt: now,
    });
    await auditOnboarding(stores, user, {
      projectId: project.id,
      action: existing ? 'notification_target.updated' : 'notification_target.created',
      targetType: 'NotificationTarget',
      targetId: target.id,
      // Where it points, never the secret (the URL of a Slack target is one).
      details: { name, kind: input.kind, host: url.host, eventKinds, tenantEnvironments: input.tenantEnvironments ?? [], hasSecret: secret !== null },
      now,
    });
    return target;
  });
}

async function tenantEnvironmentIdsOf(backend: Backend, project: Project, names: readonly string[]): Promise<string[]> {
  const all = await backend.stores.tenantEnvironments.ofProject(project.id);
  return [...new Set(names)].map((name) => {
    const [tenant, environment, extra] = name.split('/');
    const te = extra === undefined ? all.find((t) => t.tenant.slug === tenant && t.environment.slug === environment) : undefined;
    if (!te) throw new NotFoundError(`tenant-environment ${name} in project ${project.slug} (name it tenant/environment)`);
    return te.id;
  });
}

export async function removeNotificationTarget(backend: Backend, caller: Caller, input: { project: string; name: string }): Promise<boolean> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const now = backend.now();
  return backend.transact(async ({ stores }) => {
    const existing = (await stores.notificationTargets.ofProject(project.id)).find((t) => t.name === input.name);
    if (!existing) return false;
    await stores.notificationTargets.remove(existing.id);
    await auditOnboarding(stores, user, {
      projectId: project.id,
      action: 'notification_target.removed',
      targetType: 'NotificationTarget',
      targetId: existing.id,
      details: { name: existing.name, kind: existing.kind },
      now,
    });
    return true;
  });
}

/** ADMIN only: others get an empty list (as with repository tokens). */
export async function notificationTargetsOf(backend: Backend, caller: Caller, project: Project): Promise<NotificationTargetView[]> {
  if (!isAdmin(caller, project)) return [];
  const [targets, tes] = await Promise.all([backend.stores.notificationTargets.ofProject(project.id), backend.stores.tenantEnvironments.ofProject(project.id)]);
  const names = new Map(tes.map((te) => [te.id, `${te.tenant.slug}/${te.environment.slug}`]));
  return targets.map((target) => ({ target, tenantEnvironments: target.tenantEnvironmentIds.map((id) => names.get(id) ?? id) }));
}

function isAdmin(caller: Caller, project: Project): boolean {
  if (isOperator(caller)) return true;
  return roleIn(caller, project.id) === 'ADMIN';
}

export async function notificationDeliveriesOf(
  backend: Backend,
  caller: Caller,
  project: Project,
  filter: { target?: string | null; state?: NotificationDeliveryState | null },
  request: PageRequest,
): Promise<Page<NotificationDelivery>> {
  if (!isAdmin(caller, project)) return { rows: [], hasNextPage: false, hasPreviousPage: false };
  let targetId: string | null = null;
  if (filter.target) {
    const target = (await backend.stores.notificationTargets.ofProject(project.id)).find((t) => t.name === filter.target);
    if (!target) return { rows: [], hasNextPage: false, hasPreviousPage: false };
    targetId = target.id;
  }
  return readPage(request, (beforeId, limit, window) =>
    backend.stores.notificationDeliveries.list(project.id, { targetId, state: filter.state ?? null }, { limit, beforeId, ...window }),
  );
}

/** Sends the row again with the same idempotency key (a receiver that kept it drops the copy), with a fresh attempt budget. */
export async function redeliverNotification(backend: Backend, caller: Caller, id: number): Promise<NotificationDelivery> {
  const row = Number.isSafeInteger(id) ? await backend.stores.notificationDeliveries.byId(id) : null;
  if (!row) throw new NotFoundError('notification delivery');
  const user = authorize(caller, row.projectId, 'ADMIN', 'notification delivery');
  const now = backend.now();
  const inFlight = () => new ConflictError('NOTIFICATION_IN_FLIGHT', 'an attempt of this delivery is under way: wait for its outcome, then redeliver');
  if (row.leaseExpiresAt && row.leaseExpiresAt > now) throw inFlight();
  const fresh = await backend.transact(async ({ stores }) => {
    const updated = await stores.notificationDeliveries.setRedeliver(id, now);
    if (!updated) throw inFlight();
    await auditOnboarding(stores, user, {
      projectId: row.projectId,
      action: 'notification.redelivered',
      targetType: 'NotificationDelivery',
      targetId: String(id),
      details: { eventId: row.eventId, eventKind: row.eventKind, previousState: row.state },
      now,
    });
    return updated;
  });
  return fresh;
}
