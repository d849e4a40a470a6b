/**
 * Records by id, as the actor may read them: in the order asked, null where unknown or not
 * readable (the same answer, so ids of other teams' objects reveal nothing). What `node(id:)` and
 * `nodes(ids:)` resolve through.
 */
import type { Actor } from './actor';
import { canReadAuditEvent, canReadProject, canReadProjectWide, canReadRecord, canReadUser, readableProjectIds } from './access';
import type {
  AuditEvent,
  BreakGlassSession,
  Deployment,
  Environment,
  Organization,
  Project,
  RollbackNote,
  RollbackRequest,
  RollbackReview,
  TenantEnvironment,
  User,
} from './model';
import type { Backend } from './ports';
import { syncStatusOf, type SyncStatusView } from './sync';
import { canRead, environmentsOfProject } from './workspace';

type Found<T> = Array<T | null>;

const keep = <T>(rows: Found<T>, readable: (row: T) => boolean): Found<T> => rows.map((row) => (row && readable(row) ? row : null));

export async function rollbackRequestsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<RollbackRequest>> {
  return keep(await backend.stores.requests.byIds(ids), (request) => canReadRecord(actor, request));
}

export async function tenantEnvironmentsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<TenantEnvironment>> {
  return keep(await backend.stores.tenantEnvironments.byIds(ids), (te) => canRead(actor, te));
}

export async function deploymentsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<Deployment>> {
  return keep(await backend.stores.deployments.byIds(ids), (deployment) => canReadRecord(actor, deployment));
}

export async function breakGlassSessionsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<BreakGlassSession>> {
  return keep(await backend.stores.breakGlass.byIds(ids), (session) => canReadProjectWide(actor, session.projectId));
}

export async function projectsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<Project>> {
  const projects = new Map((await backend.stores.projects.byIds(ids)).map((project) => [project.id, project]));
  return keep(ids.map((id) => projects.get(id) ?? null), (project) => canReadProject(actor, project.id));
}

/** An organization is readable through any project of it the actor reads. */
export async function organizationsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<Organization>> {
  const visible = new Set((await backend.stores.projects.byIds(readableProjectIds(actor))).map((project) => project.organizationId));
  return Promise.all(ids.map((id) => (visible.has(id) ? backend.stores.organizations.byId(id) : null)));
}

export async function usersByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<User>> {
  const users = await backend.stores.users.byIds(ids);
  return Promise.all(
    users.map(async (user) => {
      if (!user) return null;
      const memberships = await backend.stores.memberships.ofUser(user.id);
      return canReadUser(actor, user.id, memberships.map((m) => m.projectId)) ? user : null;
    }),
  );
}

/** Reviews and notes are readable with their request. */
async function ofReadableRequests<T extends { requestId: string }>(backend: Backend, actor: Actor | null, rows: Found<T>): Promise<Found<T>> {
  const requestIds = [...new Set(rows.flatMap((row) => (row ? [row.requestId] : [])))];
  const readable = new Set((await rollbackRequestsByIds(backend, actor, requestIds)).flatMap((request) => (request ? [request.id] : [])));
  return keep(rows, (row) => readable.has(row.requestId));
}

export async function reviewsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<RollbackReview>> {
  return ofReadableRequests(backend, actor, await backend.stores.reviews.byIds(ids));
}

export async function notesByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<RollbackNote>> {
  return ofReadableRequests(backend, actor, await backend.stores.notes.byIds(ids));
}

export async function auditEventsByIds(backend: Backend, actor: Actor | null, ids: readonly number[]): Promise<Found<AuditEvent>> {
  return keep(await backend.stores.audit.byIds(ids), (event) => canReadAuditEvent(actor, event));
}

/** Environments (their approval policies) are readable where Project.approvalPolicies lists them. */
export async function environmentsByIds(backend: Backend, actor: Actor | null, ids: readonly string[]): Promise<Found<Environment>> {
  const environments = await backend.stores.environments.byIds(ids);
  const projectIds = [...new Set(environments.flatMap((environment) => (environment ? [environment.projectId] : [])))];
  const listed = new Set((await Promise.all(projectIds.map((projectId) => environmentsOfProject(backend, actor, projectId)))).flat().map((e) => e.id));
  return keep(environments, (environment) => listed.has(environment.id));
}

/** The sync status of each readable tenant-environment. */
export async function syncStatusesByIds(backend: Backend, actor: Actor | null, tenantEnvironmentIds: readonly string[]): Promise<Found<SyncStatusView>> {
  const tenantEnvironments = await tenantEnvironmentsByIds(backend, actor, tenantEnvironmentIds);
  return Promise.all(tenantEnvironments.map((te) => (te ? syncStatusOf(backend, te) : null)));
}
