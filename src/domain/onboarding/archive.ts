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
import { auditOnboarding, type Caller, type Operator } from './caller';
import { findEnvironment, findOrganization, findProject, findTenant, findTenantEnvironment } from './lookup';

interface Mark {
  user: UserActor | null;
  projectId: string | null;
  targetType: string;
  targetId: string;
  tenantEnvironmentId?: string;
  details: Record<string, unknown>;
  /** The mark it has now. */
  current: Date | null;
  set(stores: Stores, at: Date | null): Promise<void>;
}

/** Sets or clears the mark with its audit event; false when it was already so. */
async function mark(backend: Backend, archived: boolean, m: Mark): Promise<Date | null | false> {
  if ((m.current !== null) === archived) return false;
  const now = backend.now();
  const at = archived ? now : null;
  await backend.transact(async ({ stores }) => {
    await m.set(stores, at);
    await auditOnboarding(stores, m.user, {
      projectId: m.projectId,
      action: `${m.targetType.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}.${archived ? 'archived' : 'restored'}`,
      targetType: m.targetType,
      targetId: m.targetId,
      tenantEnvironmentId: m.tenantEnvironmentId,
      details: m.details,
      now,
    });
  });
  return at;
}

const after = <T extends { archivedAt: Date | null }>(record: T, at: Date | null | false): T => (at === false ? record : { ...record, archivedAt: at });

export async function archiveOrganization(backend: Backend, _operator: Operator, slug: string, archived = true): Promise<Organization> {
  const organization = await findOrganization(backend, slug);
  const at = await mark(backend, archived, {
    user: null,
    projectId: null,
    targetType: 'Organization',
    targetId: organization.id,
    details: { slug },
    current: organization.archivedAt,
    set: (stores, value) => stores.organizations.setArchivedAt(organization.id, value),
  });
  return after(organization, at);
}

export async function archiveProject(backend: Backend, caller: Caller, slug: string, archived = true): Promise<Project> {
  const { project, user } = await findProject(backend, caller, slug, 'ADMIN');
  const at = await mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: 'Project',
    targetId: project.id,
    details: { slug },
    current: project.archivedAt,
    set: (stores, value) => stores.projects.setArchivedAt(project.id, value),
  });
  return after(project, at);
}

export async function archiveTenant(backend: Backend, caller: Caller, input: { project: string; tenant: string }, archived = true): Promise<Tenant> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const tenant = await findTenant(backend, project, input.tenant);
  const at = await mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: 'Tenant',
    targetId: tenant.id,
    details: { slug: tenant.slug },
    current: tenant.archivedAt,
    set: (stores, value) => stores.tenants.setArchivedAt(tenant.id, value),
  });
  return after(tenant, at);
}

export async function archiveEnvironment(backend: Backend, caller: Caller, input: { project: string; environment: string }, archived = true): Promise<Environment> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const environment = await findEnvironment(backend, project, input.environment);
  const at = await mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: 'Environment',
    targetId: environment.id,
    details: { slug: environment.slug },
    current: environment.archivedAt,
    set: (stores, value) => stores.environments.setArchivedAt(environment.id, value),
  });
  return after(environment, at);
}

export async function archiveTenantEnvironment(
  backend: Backend,
  caller: Caller,
  input: { project: string; tenant: string; environment: string },
  archived = true,
): Promise<TenantEnvironment> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const te = await findTenantEnvironment(backend, project, input.tenant, input.environment);
  const at = await mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: 'TenantEnvironment',
    targetId: te.id,
    tenantEnvironmentId: te.id,
    details: { tenant: te.ref.tenant, environment: te.ref.environment },
    current: te.archivedAt,
    set: (stores, value) => stores.tenantEnvironments.setArchivedAt(te.id, value),
  });
  return after(te, at);
}

/** A service of the tenant-environment (at head, to archive it; archived, to restore it). */
export async function archiveService(
  backend: Backend,
  caller: Caller,
  input: { project: string; tenant: string; environment: string; service: string },
  archived = true,
): Promise<TenantEnvironment> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const te = await findTenantEnvironment(backend, project, input.tenant, input.environment);
  const isArchivedNow = (await backend.stores.tenantEnvironments.archivedServices(te.id)).includes(input.service);
  if (!isArchivedNow && !(await currentServices(backend, te)).includes(input.service)) {
    throw new NotFoundError(`service ${input.service} in ${te.ref.tenant}/${te.ref.environment}`);
  }
  await mark(backend, archived, {
    user,
    projectId: project.id,
    targetType: 'Service',
    targetId: `${te.id}/${input.service}`,
    tenantEnvironmentId: te.id,
    details: { service: input.service },
    current: isArchivedNow ? new Date(0) : null,
    set: (stores, value) => stores.tenantEnvironments.setServiceArchivedAt(te.id, input.service, value),
  });
  return te;
}
