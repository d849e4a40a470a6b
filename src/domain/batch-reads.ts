/** Batched reads by key, for the per-request DataLoaders; results come back in the order of the keys. */
import { and, eq, inArray, type SQL } from 'drizzle-orm';
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

export async function usersByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await db.select().from(users).where(inArray(users.id, [...ids])), (u) => u.id);
}

export async function rollbackRequestsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await db.select().from(rollbackRequests).where(inArray(rollbackRequests.id, [...ids])), (r) => r.id);
}

export async function deploymentsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await db.select().from(deployments).where(inArray(deployments.id, [...ids])), (d) => d.id);
}

export async function reviewsByRequestIds(db: Db, ids: readonly string[]) {
  const rows = await db
    .select()
    .from(rollbackReviews)
    .where(inArray(rollbackReviews.requestId, [...ids]))
    .orderBy(rollbackReviews.createdAt);
  return groupedByKey(ids, rows, (r) => r.requestId);
}

export async function notesByRequestIds(db: Db, ids: readonly string[]) {
  const rows = await db
    .select()
    .from(rollbackNotes)
    .where(inArray(rollbackNotes.requestId, [...ids]))
    .orderBy(rollbackNotes.createdAt);
  return groupedByKey(ids, rows, (r) => r.requestId);
}

/** The deployment a rollback request produced, keyed by request id. */
export async function deploymentsByRequestIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await db.select().from(deployments).where(inArray(deployments.rollbackRequestId, [...ids])), (d) => d.rollbackRequestId!);
}

/**
 * Tenant-environments with their project, organization, tenant and environment, in one joined query.
 * No access check: callers check the actor against `project.id` (or an agent's scope) themselves.
 */
export async function tenantEnvironmentContextsByIds(db: Db, ids: readonly string[]): Promise<Array<TenantEnvironmentContext | null>> {
  return byKey(ids, await tenantEnvironmentContextsWhere(db, inArray(tenantEnvironments.id, [...ids])), (c) => c.id);
}

/** The tenant-environment with these slugs, in one joined query. */
export async function tenantEnvironmentContextBySlugs(
  db: Db,
  slugs: { project: string; tenant: string; environment: string },
): Promise<TenantEnvironmentContext | null> {
  const [context] = await tenantEnvironmentContextsWhere(
    db,
    and(eq(projects.slug, slugs.project), eq(tenants.slug, slugs.tenant), eq(environments.slug, slugs.environment))!,
  );
  return context ?? null;
}

/** Every tenant-environment of a project, in one joined query. */
export async function tenantEnvironmentContextsOfProject(db: Db, projectId: string): Promise<TenantEnvironmentContext[]> {
  return tenantEnvironmentContextsWhere(db, eq(tenantEnvironments.projectId, projectId));
}

async function tenantEnvironmentContextsWhere(db: Db, where: SQL): Promise<TenantEnvironmentContext[]> {
  const rows = await db
    .select()
    .from(tenantEnvironments)
    .innerJoin(tenants, eq(tenants.id, tenantEnvironments.tenantId))
    .innerJoin(environments, eq(environments.id, tenantEnvironments.environmentId))
    .innerJoin(projects, eq(projects.id, tenantEnvironments.projectId))
    .innerJoin(organizations, eq(organizations.id, projects.organizationId))
    .where(where);
  return rows.map(
    (row): TenantEnvironmentContext => ({
      id: row.tenant_environments.id,
      project: row.projects,
      organization: row.organizations,
      tenant: row.tenants,
      environment: row.environments,
      ref: { project: row.projects.slug, tenant: row.tenants.slug, environment: row.environments.slug },
    }),
  );
}

export async function breakGlassSessionsByIds(db: Db, ids: readonly string[]) {
  return byKey(ids, await db.select().from(breakGlassSessions).where(inArray(breakGlassSessions.id, [...ids])), (s) => s.id);
}
