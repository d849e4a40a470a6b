/** Looks up organizations, projects and tenant-environments by slug or id, honouring project visibility. */
import { eq } from 'drizzle-orm';
import {
  environments,
  organizations,
  projects,
  tenants,
  type Role,
} from '../db/schema';
import type { Actor } from './actor';
import { canRead, requireRole } from './access';
import { NotFoundError } from './errors';
import type { Services } from './services';
import type { TenantEnvironmentRef } from './tenant-environment-files';
import { indexHistory } from './history/index-history';
import { tenantEnvironmentContextBySlugs, tenantEnvironmentContextsByIds, tenantEnvironmentContextsOfProject } from './batch-reads';

export type ProjectRow = typeof projects.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type EnvironmentRow = typeof environments.$inferSelect;
export type TenantRow = typeof tenants.$inferSelect;

export interface TenantEnvironmentContext {
  id: string;
  project: ProjectRow;
  organization: OrganizationRow;
  tenant: TenantRow;
  environment: EnvironmentRow;
  ref: TenantEnvironmentRef;
}

export async function projectBySlug(services: Services, actor: Actor | null, slug: string): Promise<ProjectRow | null> {
  const [project] = await services.db.select().from(projects).where(eq(projects.slug, slug));
  return project && canRead(actor, project.id) ? project : null;
}

export async function organizationOf(services: Services, project: ProjectRow): Promise<OrganizationRow> {
  const [organization] = await services.db
    .select()
    .from(organizations)
    .where(eq(organizations.id, project.organizationId));
  return organization!;
}

async function contextFor(services: Services, id: string): Promise<TenantEnvironmentContext | null> {
  const [context] = await tenantEnvironmentContextsByIds(services.db, [id]);
  return context ?? null;
}

/** For internal use once access was checked on a related object (e.g. a rollback request). */
export async function loadTenantEnvironment(services: Services, id: string): Promise<TenantEnvironmentContext> {
  const context = await contextFor(services, id);
  if (!context) throw new NotFoundError('tenant-environment');
  return context;
}

/** A tenant-environment the actor can read, or null (also when it exists in a project they cannot see). */
export async function tenantEnvironmentById(
  services: Services,
  actor: Actor | null,
  id: string,
): Promise<TenantEnvironmentContext | null> {
  const context = await contextFor(services, id);
  return context && canReadTenantEnvironment(actor, context) ? context : null;
}

export async function tenantEnvironmentBySlugs(
  services: Services,
  actor: Actor | null,
  slugs: { project: string; tenant: string; environment: string },
): Promise<TenantEnvironmentContext | null> {
  let context = await tenantEnvironmentContextBySlugs(services.db, slugs);
  if (!context) {
    // A directory pushed by another tool becomes a tenant-environment once history is indexed.
    const project = await projectBySlug(services, actor, slugs.project);
    if (!project) return null;
    await indexHistory(services, project);
    context = await tenantEnvironmentContextBySlugs(services.db, slugs);
  }
  return context && canReadTenantEnvironment(actor, context) ? context : null;
}

export function canReadTenantEnvironment(actor: Actor | null, context: TenantEnvironmentContext): boolean {
  if (actor?.kind === 'agent') return actor.tenantEnvironmentIds.has(context.id);
  return canRead(actor, context.project.id);
}

/** Resolves slugs and checks the role in one step; unknown and invisible both read as not found. */
export async function requireTenantEnvironment(
  services: Services,
  actor: Actor | null,
  slugs: { project: string; tenant: string; environment: string },
  minimum: Role,
): Promise<TenantEnvironmentContext> {
  const context = await tenantEnvironmentBySlugs(services, actor, slugs);
  if (!context) {
    throw new NotFoundError(`tenant-environment ${slugs.project}/${slugs.tenant}/${slugs.environment}`);
  }
  requireRole(actor, context.project.id, minimum, 'tenant-environment');
  return context;
}

export async function tenantEnvironmentsOfProject(services: Services, projectId: string): Promise<TenantEnvironmentContext[]> {
  return tenantEnvironmentContextsOfProject(services.db, projectId);
}

export async function environmentsOfProject(services: Services, projectId: string): Promise<EnvironmentRow[]> {
  return services.db.select().from(environments).where(eq(environments.projectId, projectId)).orderBy(environments.slug);
}
