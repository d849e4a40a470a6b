/** Finding what an onboarding action works on, as the caller may see it (the operator sees everything). */
import type { UserActor } from '../actor';
import { BadRequestError, NotFoundError } from '../errors';
import { indexHistory } from '../history/index-history';
import { NAME_PATTERN } from '../layout';
import type { Environment, Organization, Project, Role, Tenant, TenantEnvironment } from '../model';
import type { Backend } from '../ports';
import { organizationOf, projectBySlug } from '../workspace';
import { authorize, isOperator, type Caller } from './caller';

export interface ProjectAccess {
  project: Project;
  organization: Organization;
  /** The user acting; null for the operator. */
  user: UserActor | null;
}

/** The project, with the caller holding at least `minimum` in it (a project they cannot see is not found). */
export async function findProject(backend: Backend, caller: Caller, slug: string, minimum: Role): Promise<ProjectAccess> {
  const project = isOperator(caller) ? await backend.stores.projects.bySlug(slug) : await projectBySlug(backend, caller, slug);
  if (!project) throw new NotFoundError(`project ${slug}`);
  const user = authorize(caller, project.id, minimum, `project ${slug}`);
  return { project, organization: await organizationOf(backend, project), user };
}

export async function findOrganization(backend: Backend, slug: string): Promise<Organization> {
  const organization = await backend.stores.organizations.bySlug(slug);
  if (!organization) throw new NotFoundError(`organization ${slug}`);
  return organization;
}

/** The organization named, or — when none is named — the only one there is. */
export async function organizationOrOnly(backend: Backend, slug: string | null | undefined): Promise<Organization> {
  if (slug) return findOrganization(backend, slug);
  const organizations = (await backend.stores.organizations.all()).filter((o) => !o.archivedAt);
  if (organizations.length === 1) return organizations[0]!;
  throw new BadRequestError(
    'ORGANIZATION_REQUIRED',
    organizations.length === 0
      ? 'there is no organization yet: create one first (backtrack organization create, or apply a workspace file)'
      : `name the organization (--organization): there are ${organizations.length} (${organizations.map((o) => o.slug).join(', ')})`,
  );
}

export async function findTenant(backend: Backend, project: Project, slug: string): Promise<Tenant> {
  const tenant = await backend.stores.tenants.bySlug(project.id, slug);
  if (!tenant) throw new NotFoundError(`tenant ${slug} in project ${project.slug}`);
  return tenant;
}

export async function findEnvironment(backend: Backend, project: Project, slug: string): Promise<Environment> {
  const environment = await backend.stores.environments.bySlug(project.id, slug);
  if (!environment) throw new NotFoundError(`environment ${slug} in project ${project.slug}`);
  return environment;
}

/** A tenant-environment of the project; one only Git has yet (pushed by another tool) is indexed first. */
export async function findTenantEnvironment(backend: Backend, project: Project, tenant: string, environment: string): Promise<TenantEnvironment> {
  const ref = { project: project.slug, tenant, environment };
  let found = await backend.stores.tenantEnvironments.bySlugs(ref);
  if (!found) {
    await indexHistory(backend, project);
    found = await backend.stores.tenantEnvironments.bySlugs(ref);
  }
  if (!found) throw new NotFoundError(`tenant-environment ${tenant}/${environment} in project ${project.slug}`);
  return found;
}

/** `tenant/environment` as written on the command line and in workspace files. */
export function parseScope(scope: string): { tenant: string; environment: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(scope.trim());
  if (!match) throw new BadRequestError('INVALID_SCOPE', `"${scope}" is not TENANT/ENVIRONMENT (e.g. acme/production)`);
  return { tenant: match[1]!, environment: match[2]! };
}

/** A slug: a DNS label, so it is safe as a directory, a repository and a Kubernetes name. */
export function checkSlug(slug: string, what: string): string {
  if (typeof slug !== 'string' || !NAME_PATTERN.test(slug)) {
    throw new BadRequestError('INVALID_SLUG', `invalid ${what} "${slug}": use lowercase letters, digits and dashes (at most 63, starting and ending with a letter or digit)`);
  }
  return slug;
}

/** A display name: trimmed, 1 to 100 characters, one line. */
export function checkName(name: string | null | undefined, what: string, fallback?: string): string {
  const value = (name ?? '').trim() || fallback || '';
  if (!value || value.length > 100 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new BadRequestError('INVALID_NAME', `the ${what} name must be one line of 1 to 100 characters`);
  }
  return value;
}
