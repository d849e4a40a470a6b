/** Looks up organizations, projects and tenant-environments, as the actor may see them. */
import type { Actor } from './actor';
import { agentScope, canReadProject, canReadProjectWide, canReadTenantEnvironment } from './access';
import { isArchived } from './archived';
import { NotFoundError } from './errors';
import type { Environment, Organization, Project, Role, TenantEnvironment, TenantEnvironmentRef } from './model';
import type { Backend } from './ports';

export async function projectBySlug(backend: Backend, actor: Actor | null, slug: string): Promise<Project | null> {
  const project = await backend.stores.projects.bySlug(slug);
  return project && canReadProject(actor, project.id) ? project : null;
}

export async function organizationOf(backend: Backend, project: Project): Promise<Organization> {
  return (await backend.stores.organizations.byId(project.organizationId))!;
}

/** For internal use once access was checked on a related object (e.g. a rollback request). */
export async function loadTenantEnvironment(backend: Backend, id: string): Promise<TenantEnvironment> {
  const [tenantEnvironment] = await backend.stores.tenantEnvironments.byIds([id]);
  if (!tenantEnvironment) throw new NotFoundError('tenant-environment');
  return tenantEnvironment;
}

export function canRead(actor: Actor | null, tenantEnvironment: TenantEnvironment): boolean {
  return canReadTenantEnvironment(actor, { id: tenantEnvironment.id, projectId: tenantEnvironment.project.id });
}

/** A tenant-environment the actor can read, or null (also when it exists in a project they cannot see). */
export async function tenantEnvironmentById(backend: Backend, actor: Actor | null, id: string): Promise<TenantEnvironment | null> {
  const [tenantEnvironment] = await backend.stores.tenantEnvironments.byIds([id]);
  return tenantEnvironment && canRead(actor, tenantEnvironment) ? tenantEnvironment : null;
}

export async function tenantEnvironmentBySlugs(backend: Backend, actor: Actor | null, ref: TenantEnvironmentRef): Promise<TenantEnvironment | null> {
  const tenantEnvironment = await backend.stores.tenantEnvironments.bySlugs(ref);
  return tenantEnvironment && canRead(actor, tenantEnvironment) ? tenantEnvironment : null;
}

/** The project's tenant-environments the actor may read (archived ones only when asked for). */
export async function tenantEnvironmentsOfProject(backend: Backend, actor: Actor | null, projectId: string, includeArchived = false): Promise<TenantEnvironment[]> {
  const all = await backend.stores.tenantEnvironments.ofProject(projectId);
  return all.filter((te) => canRead(actor, te) && (includeArchived || !isArchived(te)));
}

/** The project's environments (an agent: those of its tenant-environments), archived ones only when asked for. */
export async function environmentsOfProject(backend: Backend, actor: Actor | null, projectId: string, includeArchived = false): Promise<Environment[]> {
  const environments = (await backend.stores.environments.ofProject(projectId)).filter((e) => includeArchived || !e.archivedAt);
  if (canReadProjectWide(actor, projectId)) return environments;
  const scope = agentScope(actor);
  if (!scope) return [];
  const visible = new Set((await backend.stores.tenantEnvironments.byIds([...scope])).map((te) => te?.environment.id));
  return environments.filter((environment) => visible.has(environment.id));
}

/** The user's own projects with their role, by slug. */
export async function projectRolesOf(backend: Backend, roles: ReadonlyMap<string, Role>): Promise<Array<{ project: Project; role: Role }>> {
  const projects = await backend.stores.projects.byIds([...roles.keys()]);
  return projects.map((project) => ({ project, role: roles.get(project.id)! })).sort((a, b) => a.project.slug.localeCompare(b.project.slug));
}
