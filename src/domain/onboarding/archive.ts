/**
 * Archiving and restoring (see ../archived.ts for what an archive mark means). Organizations are
 * the operator's; the rest belongs to ADMINs of the project. Setting the state it already has
 * changes nothing and writes no audit event.
 */
import type { UserActor } from '../actor';
import { NotFoundError } from '../errors';
import { currentServices } from '../history/queries';
import type { Environment, Organization, Project, Tenant, TenantEnvironment } from '../model';
import type { Backend, Stores } from '../ports';
import { auditedWrite, type Caller, type Operator } from './caller';
import { findEnvironment, findOrganization, findProject, findTenant, findTenantEnvironment } from './lookup';

interface Markable {
  id: string;
  archivedAt: Date | null;
}

interface Mark<T extends Markable> {
  user: UserActor | null;
  projectId: string | null;
  /** `TenantEnvironment` → actions `tenant_environment.archived` / `.restored`. */
  targetType: string;
  record: T;
  details: Record<string, unknown>;
  tenantEnvironmentId?: string;
  set(stores: Stores, at: Date | null): Promise<void>;
}

/** Sets or clears the record's mark with its audit event, and returns the record as it is now. */
async function mark<T extends Markable>(backend: Backend, archived: boolean, m: Mark<T>): Promise<T> {
  if ((m.record.archivedAt !== null) === archived) return m.record;
  const at = archived ? backend.now() : null;
  await auditedWrite(
    backend,
    m.user,
    {
      projectId: m.projectId,
      action: `${m.targetType.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}.${archived ? 'archived' : 'restored'}`,
      targetType: m.targetType,
      targetId: m.record.id,
      tenantEnvironmentId: m.tenantEnvironmentId,
      details: m.details,
    },
    (stores) => m.set(stores, at),
  );
  return { ...m.record, archivedAt: at };
}

export async function archiveOrganization(backend: Backend, _operator: Operator, slug: string, archived = true): Promise<Organization> {
  const organization = await findOrganization(backend, slug);
  return mark(backend, archived, {
    user: null,
    projectId: null,
    targetType: 'Organization',
    record: organization,
    details: { slug },
    set: (stores, at) => stores.organizations.setArchivedAt(organization.id, at),
  });
}

/** Something of a project, found by `find`, marked by `set`: ADMIN only. */
async function markInProject<T extends Markable>(
  backend: Backend,
  caller: Caller,
  projectSlug: string,
  archived: boolean,
  target: {
    targetType: string;
    find(project: Project): Promise<T>;
    details(record: T): Record<string, unknown>;
    set(stores: Stores, record: T, at: Date | null): Promise<void>;
    tenantEnvironmentId?(record: T): string;
  },
): Promise<T> {
  const { project, user } = await findProject(backend, caller, projectSlug, 'ADMIN');
  const record = await target.find(project);
  return mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: target.targetType,
    record,
    details: target.details(record),
    tenantEnvironmentId: target.tenantEnvironmentId?.(record),
    set: (stores, at) => target.set(stores, record, at),
  });
}

export function archiveProject(backend: Backend, caller: Caller, slug: string, archived = true): Promise<Project> {
  return markInProject(backend, caller, slug, archived, {
    targetType: 'Project',
    find: async (project) => project,
    details: () => ({ slug }),
    set: (stores, project, at) => stores.projects.setArchivedAt(project.id, at),
  });
}

export function archiveTenant(backend: Backend, caller: Caller, input: { project: string; tenant: string }, archived = true): Promise<Tenant> {
  return markInProject(backend, caller, input.project, archived, {
    targetType: 'Tenant',
    find: (project) => findTenant(backend, project, input.tenant),
    details: (tenant) => ({ slug: tenant.slug }),
    set: (stores, tenant, at) => stores.tenants.setArchivedAt(tenant.id, at),
  });
}

export function archiveEnvironment(backend: Backend, caller: Caller, input: { project: string; environment: string }, archived = true): Promise<Environment> {
  return markInProject(backend, caller, input.project, archived, {
    targetType: 'Environment',
    find: (project) => findEnvironment(backend, project, input.environment),
    details: (environment) => ({ slug: environment.slug }),
    set: (stores, environment, at) => stores.environments.setArchivedAt(environment.id, at),
  });
}

export function archiveTenantEnvironment(
  backend: Backend,
  caller: Caller,
  input: { project: string; tenant: string; environment: string },
  archived = true,
): Promise<TenantEnvironment> {
  return markInProject(backend, caller, input.project, archived, {
    targetType: 'TenantEnvironment',
    find: (project) => findTenantEnvironment(backend, project, input.tenant, input.environment),
    details: (te) => ({ tenant: te.ref.tenant, environment: te.ref.environment }),
    tenantEnvironmentId: (te) => te.id,
    set: (stores, te, at) => stores.tenantEnvironments.setArchivedAt(te.id, at),
  });
}

/** A service of the tenant-environment (at head, to archive it; archived, to restore it). */
export async function archiveService(
  backend: Backend,
  caller: Caller,
  input: { project: string; tenant: string; environment: string; service: string },
  archived = true,
): Promise<TenantEnvironment> {
  let te!: TenantEnvironment;
  await markInProject(backend, caller, input.project, archived, {
    targetType: 'Service',
    find: async (project) => {
      te = await findTenantEnvironment(backend, project, input.tenant, input.environment);
      const archivedNow = (await backend.stores.tenantEnvironments.archivedServices(te.id)).includes(input.service);
      if (!archivedNow && !(await currentServices(backend, te)).includes(input.service)) {
        throw new NotFoundError(`service ${input.service} in ${te.ref.tenant}/${te.ref.environment}`);
      }
      return { id: `${te.id}/${input.service}`, archivedAt: archivedNow ? new Date(0) : null };
    },
    details: () => ({ service: input.service }),
    tenantEnvironmentId: () => te.id,
    set: (stores, _service, at) => stores.tenantEnvironments.setServiceArchivedAt(te.id, input.service, at),
  });
  return te;
}
