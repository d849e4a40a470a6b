/** Reading deployment history and comparing revisions of a tenant-environment. */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { RevisionNotFoundError } from '../../git';
import { deployments } from '../../db/schema';
import { preparedPerDb } from '../../db/prepared';
import { compareFiles, type FilesDiff } from '../diff/compare-files';
import { BadRequestError } from '../errors';
import type { Services } from '../services';
import { readFiles, servicesIn } from '../tenant-environment-files';
import type { TenantEnvironmentContext } from '../workspace';
import { indexHistory } from './index-history';
import type { DeploymentRow } from '../batch-reads';

export interface DeploymentPage {
  rows: DeploymentRow[];
  hasNextPage: boolean;
}

const deploymentsPageQuery = preparedPerDb((db) =>
  db
    .select()
    .from(deployments)
    .where(and(eq(deployments.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId')), lt(deployments.sequence, sql.placeholder('beforeSequence'))))
    .orderBy(desc(deployments.sequence))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

/** Newest first; the cursor is the deployment's sequence, so pages stay stable while new ones arrive. */
export async function listDeployments(
  services: Services,
  context: TenantEnvironmentContext,
  page: { first: number; afterSequence: number | null },
): Promise<DeploymentPage> {
  await indexHistory(services, context.project);
  const rows = await deploymentsPageQuery(services.db).all({
    tenantEnvironmentId: context.id,
    beforeSequence: page.afterSequence ?? Number.MAX_SAFE_INTEGER,
    limit: page.first + 1,
  });
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

export async function headRevision(services: Services, context: TenantEnvironmentContext): Promise<string | null> {
  const git = await services.repositories.forProject(context.project.slug);
  return git.head();
}

export async function currentServices(services: Services, context: TenantEnvironmentContext): Promise<string[]> {
  const git = await services.repositories.forProject(context.project.slug);
  return servicesIn(await readFiles(git, await git.head(), context.ref));
}

/** A revision of the project's repository; unknown or malformed ones are a 400, not a crash. */
export async function resolveRevision(services: Services, context: TenantEnvironmentContext, revision: string): Promise<string> {
  const git = await services.repositories.forProject(context.project.slug);
  if (!revision?.trim()) throw new BadRequestError('REVISION_NOT_FOUND', 'revision not found: no revision given', { revision });
  try {
    return await git.resolveRevision(revision.trim());
  } catch (error) {
    if (error instanceof RevisionNotFoundError) {
      throw new BadRequestError('REVISION_NOT_FOUND', `revision not found: ${revision}`, { revision });
    }
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
  services: Services,
  context: TenantEnvironmentContext,
  baseRevision: string,
  headRevision: string,
): Promise<RevisionComparison> {
  const git = await services.repositories.forProject(context.project.slug);
  const base = await resolveRevision(services, context, baseRevision);
  const head = await resolveRevision(services, context, headRevision);
  const [before, after] = await Promise.all([readFiles(git, base, context.ref), readFiles(git, head, context.ref)]);
  return { base, head, diff: compareFiles(before, after, { labels: { before: base.slice(0, 12), after: head.slice(0, 12) } }) };
}

/** "Compare with current": from the revision to the deployed head, as the history panel shows it. */
export async function compareWithCurrent(
  services: Services,
  context: TenantEnvironmentContext,
  revision: string,
): Promise<RevisionComparison> {
  const git = await services.repositories.forProject(context.project.slug);
  const head = await git.head();
  if (!head) throw new BadRequestError('EMPTY_REPOSITORY', 'the repository has no commits yet');
  return compareRevisions(services, context, revision, head);
}
