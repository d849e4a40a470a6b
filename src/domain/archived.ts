/**
 * Archived things are hidden from lists and refuse new writes (releases, promotions, rollback
 * requests and their execution, new services, policies), while their history, requests and audit
 * stay readable by id or slug. A tenant-environment is archived when it, its tenant, its
 * environment, its project or its organization is; a service when it is archived in its
 * tenant-environment (its files stay in Git as they are).
 */
import { ConflictError } from './errors';
import type { Organization, Project, TenantEnvironment } from './model';
import type { ReadStores } from './ports';

export class ArchivedError extends ConflictError {
  constructor(what: string, because: string | null) {
    super('ARCHIVED', `${what} is archived${because ? ` (${because})` : ''}: nothing was written; restore it to make changes`, { archived: what });
  }
}

/** What makes the tenant-environment archived, outermost first ("organization acme-corp"), or null. */
export function archivedBecause(te: TenantEnvironment): string | null {
  if (te.organization.archivedAt) return `its organization ${te.organization.slug} is archived`;
  if (te.project.archivedAt) return `its project ${te.project.slug} is archived`;
  if (te.tenant.archivedAt) return `its tenant ${te.tenant.slug} is archived`;
  if (te.environment.archivedAt) return `its environment ${te.environment.slug} is archived`;
  return null;
}

export function isArchived(te: TenantEnvironment): boolean {
  return te.archivedAt !== null || archivedBecause(te) !== null;
}

/** When the tenant-environment stopped taking writes: its own mark, or that of what holds it. */
export function archivedAtOf(te: TenantEnvironment): Date | null {
  return te.organization.archivedAt ?? te.project.archivedAt ?? te.tenant.archivedAt ?? te.environment.archivedAt ?? te.archivedAt;
}

export function requireWritable(te: TenantEnvironment): void {
  if (isArchived(te)) throw new ArchivedError(`tenant-environment ${te.ref.tenant}/${te.ref.environment}`, archivedBecause(te));
}

export function requireProjectWritable(project: Project, organization: Organization): void {
  if (organization.archivedAt) throw new ArchivedError(`project ${project.slug}`, `its organization ${organization.slug} is archived`);
  if (project.archivedAt) throw new ArchivedError(`project ${project.slug}`, null);
}

/** Refuses a change to any of these services that is archived in the tenant-environment. */
export async function requireServicesWritable(stores: ReadStores, te: TenantEnvironment, services: Iterable<string>): Promise<void> {
  const archived = new Set(await stores.tenantEnvironments.archivedServices(te.id));
  const touched = [...new Set(services)].filter((service) => archived.has(service)).sort();
  if (touched.length > 0) throw new ArchivedError(`service ${touched.join(', ')} of ${te.ref.tenant}/${te.ref.environment}`, null);
}
