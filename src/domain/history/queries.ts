/** Reading deployment history and comparing revisions of a tenant-environment. */
import type { Actor } from '../actor';
import { compareFiles, type FilesDiff } from '../diff/compare-files';
import { requireRole } from '../access';
import { BadRequestError, NotFoundError } from '../errors';
import type { Deployment, Role, TenantEnvironment, TenantEnvironmentRef } from '../model';
import { readPage, type Page, type PageRequest } from '../paging';
import { isGitError, type Backend } from '../ports';
import { readFiles, servicesIn } from '../tenant-environment-files';
import { projectBySlug, tenantEnvironmentBySlugs } from '../workspace';
import { indexHistory } from './index-history';

/**
 * The entry point of every operation on a tenant-environment named by slugs: one not known yet may
 * be a directory another tool pushed, so main is indexed before it is reported missing.
 */
export async function openTenantEnvironment(backend: Backend, actor: Actor | null, ref: TenantEnvironmentRef): Promise<TenantEnvironment | null> {
  const known = await tenantEnvironmentBySlugs(backend, actor, ref);
  if (known) return known;
  const project = await projectBySlug(backend, actor, ref.project);
  if (!project) return null;
  await indexHistory(backend, project);
  return tenantEnvironmentBySlugs(backend, actor, ref);
}

/** openTenantEnvironment, requiring at least `minimum` (unknown and invisible both read as not found). */
export async function requireOpenTenantEnvironment(backend: Backend, actor: Actor | null, ref: TenantEnvironmentRef, minimum: Role): Promise<TenantEnvironment> {
  const tenantEnvironment = await openTenantEnvironment(backend, actor, ref);
  if (!tenantEnvironment) throw new NotFoundError(`tenant-environment ${ref.project}/${ref.tenant}/${ref.environment}`);
  requireRole(actor, tenantEnvironment.project.id, minimum, 'tenant-environment');
  return tenantEnvironment;
}

/** Newest first; the cursor is the deployment's sequence, so pages stay stable while new ones arrive. */
export async function listDeployments(backend: Backend, tenantEnvironment: TenantEnvironment, request: PageRequest): Promise<Page<Deployment>> {
  await indexHistory(backend, tenantEnvironment.project);
  return readPage(request, (below, limit, window) =>
    backend.stores.deployments.page(tenantEnvironment.id, below ?? Number.MAX_SAFE_INTEGER, limit, window),
  );
}

export async function headRevision(backend: Backend, tenantEnvironment: TenantEnvironment): Promise<string | null> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  return git.head();
}

export async function currentServices(backend: Backend, tenantEnvironment: TenantEnvironment): Promise<string[]> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  return servicesIn(await readFiles(git, await git.head(), tenantEnvironment.ref));
}

/** A revision of the project's repository; unknown or malformed ones are a 400, not a crash. */
export async function resolveRevision(backend: Backend, tenantEnvironment: TenantEnvironment, revision: string): Promise<string> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  if (!revision?.trim()) throw new BadRequestError('REVISION_NOT_FOUND', 'revision not found: no revision given', { revision });
  try {
    return await git.resolveRevision(revision.trim());
  } catch (error) {
    if (isGitError(error, 'REVISION_NOT_FOUND')) throw new BadRequestError('REVISION_NOT_FOUND', `revision not found: ${revision}`, { revision });
    throw error;
  }
}

export interface RevisionComparison {
  base: string;
  head: string;
  diff: FilesDiff;
}

/** What changes from `base` to `head` in this tenant-environment. */
export async function compareRevisions(
  backend: Backend,
  tenantEnvironment: TenantEnvironment,
  baseRevision: string,
  headRevision: string,
): Promise<RevisionComparison> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const base = await resolveRevision(backend, tenantEnvironment, baseRevision);
  const head = await resolveRevision(backend, tenantEnvironment, headRevision);
  const [before, after] = await Promise.all([readFiles(git, base, tenantEnvironment.ref), readFiles(git, head, tenantEnvironment.ref)]);
  return { base, head, diff: compareFiles(before, after, { labels: { before: base.slice(0, 12), after: head.slice(0, 12) } }) };
}

/** "Compare with current": from the revision to the deployed head, as the history panel shows it. */
export async function compareWithCurrent(backend: Backend, tenantEnvironment: TenantEnvironment, revision: string): Promise<RevisionComparison> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const head = await git.head();
  if (!head) throw new BadRequestError('EMPTY_REPOSITORY', 'the repository has no commits yet');
  return compareRevisions(backend, tenantEnvironment, revision, head);
}
