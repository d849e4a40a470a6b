/** Batched reads by key, for the per-request DataLoaders; results come back in the order of the keys. */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import {
  breakGlassSessions,
  deployments,
  environments,
  organizations,
  projects,
  rollbackNotes,
  rollbackRequests,
  rollbackReviews,
  tenantEnvironments,
  tenants,
  users,
} from '../db/schema';
import type { Db } from '../db/client';
import { inJsonList, jsonList, preparedPerDb } from '../db/prepared';
import type { TenantEnvironmentContext } from './workspace';

export type UserRow = typeof users.$inferSelect;
export type RollbackRequestRow = typeof rollbackRequests.$inferSelect;
export type RollbackReviewRow = typeof rollbackReviews.$inferSelect;
export type RollbackNoteRow = typeof rollbackNotes.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;

function byKey<T, K>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): Array<T | null> {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function groupedByKey<T, K>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
}

const usersQuery = preparedPerDb((db) => db.select().from(users).where(inJsonList(users.id, 'ids')).prepare());
const rollbackRequestsQuery = preparedPerDb((db) =>
  db.select().from(rollbackRequests).where(inJsonList(rollbackRequests.id, 'ids')).prepare(),
);
const deploymentsQuery = preparedPerDb((db) => db.select().from(deployments).where(inJsonList(deployments.id, 'ids')).prepare());
const reviewsQuery = preparedPerDb((db) =>
  db.select().from(rollbackReviews).where(inJsonList(rollbackReviews.requestId, 'ids')).orderBy(rollbackReviews.createdAt).prepare(),
);
const notesQuery = preparedPerDb((db) =>
  db.select().from(rollbackNotes).where(inJsonList(rollbackNotes.requestId, 'ids')).orderBy(rollbackNotes.createdAt).prepare(),
);
const deploymentsByRequestQuery = preparedPerDb((db) =>
  db.select().from(deployments).where(inJsonList(deployments.rollbackRequestId, 'ids')).prepare(),
);
const breakGlassSessionsQuery = preparedPerDb((db) =>
  db.select().from(breakGlassSessions).where(inJsonList(breakGlassSessions.id, 'ids')).prepare(),
);

export async function usersByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await usersQuery(db).all({ ids: jsonList(ids) }), (u) => u.id);
}

export async function rollbackRequestsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await rollbackRequestsQuery(db).all({ ids: jsonList(ids) }), (r) => r.id);
}

export async function deploymentsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await deploymentsQuery(db).all({ ids: jsonList(ids) }), (d) => d.id);
}

export async function reviewsByRequestIds(db: Db, ids: readonly string[]) {
  return groupedByKey(ids, await reviewsQuery(db).all({ ids: jsonList(ids) }), (r) => r.requestId);
}

export async function notesByRequestIds(db: Db, ids: readonly string[]) {
  return groupedByKey(ids, await notesQuery(db).all({ ids: jsonList(ids) }), (r) => r.requestId);
}

/** The deployment a rollback request produced, keyed by request id. */
export async function deploymentsByRequestIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await deploymentsByRequestQuery(db).all({ ids: jsonList(ids) }), (d) => d.rollbackRequestId!);
}

/**
 * Tenant-environments with their project, organization, tenant and environment, in one joined query.
 * No access check: callers check the actor against `project.id` (or an agent's scope) themselves.
 */
const contextsQuery = (where: SQL) =>
  preparedPerDb((db) =>
    db
      .select()
      .from(tenantEnvironments)
      .innerJoin(tenants, eq(tenants.id, tenantEnvironments.tenantId))
      .innerJoin(environments, eq(environments.id, tenantEnvironments.environmentId))
      .innerJoin(projects, eq(projects.id, tenantEnvironments.projectId))
      .innerJoin(organizations, eq(organizations.id, projects.organizationId))
      .where(where)
      .prepare(),
  );
const contextsByIdsQuery = contextsQuery(inJsonList(tenantEnvironments.id, 'ids'));
const contextBySlugsQuery = contextsQuery(
  and(
    eq(projects.slug, sql.placeholder('project')),
    eq(tenants.slug, sql.placeholder('tenant')),
    eq(environments.slug, sql.placeholder('environment')),
  )!,
);
const contextsOfProjectQuery = contextsQuery(eq(tenantEnvironments.projectId, sql.placeholder('projectId')));

type ContextRow = ReturnType<ReturnType<typeof contextsByIdsQuery>['all']>[number];

function toContext(row: ContextRow): TenantEnvironmentContext {
  return {
    id: row.tenant_environments.id,
    project: row.projects,
    organization: row.organizations,
    tenant: row.tenants,
    environment: row.environments,
    ref: { project: row.projects.slug, tenant: row.tenants.slug, environment: row.environments.slug },
  };
}

/**
 * Tenant-environments with their project, organization, tenant and environment, in one joined query.
 * No access check: callers check the actor against `project.id` (or an agent's scope) themselves.
 */
export async function tenantEnvironmentContextsByIds(db: Db, ids: readonly string[]): Promise<Array<TenantEnvironmentContext | null>> {
  return byKey(ids, (await contextsByIdsQuery(db).all({ ids: jsonList(ids) })).map(toContext), (c) => c.id);
}

/** The tenant-environment with these slugs, in one joined query. */
export async function tenantEnvironmentContextBySlugs(
  db: Db,
  slugs: { project: string; tenant: string; environment: string },
): Promise<TenantEnvironmentContext | null> {
  const [row] = await contextBySlugsQuery(db).all(slugs);
  return row ? toContext(row) : null;
}

/** Every tenant-environment of a project, in one joined query. */
export async function tenantEnvironmentContextsOfProject(db: Db, projectId: string): Promise<TenantEnvironmentContext[]> {
  return (await contextsOfProjectQuery(db).all({ projectId })).map(toContext);
}

export async function breakGlassSessionsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await breakGlassSessionsQuery(db).all({ ids: jsonList(ids) }), (s) => s.id);
}
