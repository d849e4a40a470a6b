/** Reading deployment history and comparing revisions of a tenant-environment. */
import type { Actor } from '../actor';
import { compareFiles, type FilesDiff } from '../diff/compare-files';
import { requireRole } from '../access';
import { BadRequestError, NotFoundError } from '../errors';
import type { Deployment, Project, Role, TenantEnvironment, TenantEnvironmentRef } from '../model';
import { readPage, type Page, type PageRequest } from '../paging';
import { isGitError, type Backend } from '../ports';
import { readFiles, servicesIn } from '../tenant-environment-files';
import { projectBySlug, tenantEnvironmentBySlugs } from '../workspace';
import { indexHistory, indexHistoryWithin, registerTenantEnvironment } from './index-history';
import { tenantEnvironmentDir } from '../layout';

/** How long a history read waits for indexing before it serves what is indexed (indexing goes on). */
export const READ_INDEXING_BUDGET_MS = 250;

/**
 * The entry point of every operation on a tenant-environment named by slugs: one not known yet may
 * be a directory another tool pushed, so it is registered when main has it (and main's new commits
 * are indexed) before it is reported missing.
 */
export async function openTenantEnvironment(backend: Backend, actor: Actor | null, ref: TenantEnvironmentRef): Promise<TenantEnvironment | null> {
  const known = await tenantEnvironmentBySlugs(backend, actor, ref);
  if (known) return known;
  const project = await projectBySlug(backend, actor, ref.project);
  if (!project) return null;
  if (![ref.tenant, ref.environment].every(isDirectoryName)) return null;
  const git = await backend.repositories.forProject(project.slug);
  const head = await git.head();
  if (!head || (await git.treeIdOf(head, tenantEnvironmentDir(ref.tenant, ref.environment))) === null) return null;
  await registerTenantEnvironment(backend, project.id, ref.tenant, ref.environment);
  await indexHistoryWithin(backend, project, READ_INDEXING_BUDGET_MS);
  return tenantEnvironmentBySlugs(backend, actor, ref);
}

const isDirectoryName = (name: string) => name !== '' && name !== '.' && name !== '..' && !name.includes('/');

/** openTenantEnvironment, requiring at least `minimum` (unknown and invisible both read as not found). */
export async function requireOpenTenantEnvironment(backend: Backend, actor: Actor | null, ref: TenantEnvironmentRef, minimum: Role): Promise<TenantEnvironment> {
  const tenantEnvironment = await openTenantEnvironment(backend, actor, ref);
  if (!tenantEnvironment) throw new NotFoundError(`tenant-environment ${ref.project}/${ref.tenant}/${ref.environment}`);
  requireRole(actor, tenantEnvironment.project.id, minimum, 'tenant-environment');
  return tenantEnvironment;
}

/** Newest first; the cursor is the deployment's sequence, so pages stay stable while new ones arrive. */
export async function listDeployments(backend: Backend, tenantEnvironment: TenantEnvironment, request: PageRequest): Promise<Page<Deployment>> {
  await indexHistoryWithin(backend, tenantEnvironment.project, READ_INDEXING_BUDGET_MS);
  return readPage(request, (below, limit, window) =>
    backend.stores.deployments.page(tenantEnvironment.id, below ?? Number.MAX_SAFE_INTEGER, limit, window),
  );
}

export async function headRevision(backend: Backend, tenantEnvironment: TenantEnvironment): Promise<string | null> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  return git.head();
}

/** Services at the head revision; those archived in the tenant-environment only when asked for. */
export async function currentServices(backend: Backend, tenantEnvironment: TenantEnvironment, includeArchived = true): Promise<string[]> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const services = servicesIn(await readFiles(git, await git.head(), tenantEnvironment.ref));
  if (includeArchived) return services;
  const archived = new Set(await backend.stores.tenantEnvironments.archivedServices(tenantEnvironment.id));
  return services.filter((service) => !archived.has(service));
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

/**
 * Whether `sha` is `head` or one of its ancestors. Once main is indexed up to `head`, the index holds
 * exactly head's ancestors, so this is a lookup rather than a walk through the commits in between.
 */
export async function isInMainHistory(backend: Backend, project: Project, sha: string, head: string): Promise<boolean> {
  if (sha === head) return true;
  if ((await indexHistory(backend, project)) === head) return (await backend.stores.historyIndex.sequencesOf(project.id, [sha])).has(sha);
  const git = await backend.repositories.forProject(project.slug);
  return git.isAncestor(sha, head);
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
