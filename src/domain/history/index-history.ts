/**
 * Turns main's commits into deployment history: every commit that changes a tenant-environment
 * directory is a deployment of it. Incremental (resumes from projects.indexed_sha) and idempotent,
 * so commits pushed by other tools appear after the next read.
 */
import { and, eq, max, sql } from 'drizzle-orm';
import { RevisionNotFoundError, type CommitInfo, type GitStore } from '../../git';
import {
  deployments,
  environments,
  projects,
  rollbackRequests,
  tenantEnvironments,
  tenants,
  users,
  type DeploymentSource,
} from '../../db/schema';
import type { Db } from '../../db/client';
import { preparedPerDb } from '../../db/prepared';
import { compareFiles, summarizeChanges } from '../diff/compare-files';
import { newId } from '../ids';
import { tenantEnvironmentDir } from '../layout';
import type { Services } from '../services';
import { tenantEnvironmentContextsOfProject } from '../batch-reads';
import { readFiles } from '../tenant-environment-files';
import type { ProjectRow } from '../workspace';
import type { DomainEvent } from '../events';

export const SOURCE_TRAILER = 'Backtrack-Source';
const ROLLBACK_ID_LINE = /^Rollback Request ID: (\S+)\s*$/m;

export function sourceOf(message: string): DeploymentSource {
  if (ROLLBACK_ID_LINE.test(message) && message.startsWith('Rollback:')) return 'ROLLBACK';
  const trailer = new RegExp(`^${SOURCE_TRAILER}: (RELEASE|PROMOTION)\\s*$`, 'm').exec(message);
  return (trailer?.[1] as DeploymentSource | undefined) ?? 'RELEASE';
}

export function rollbackRequestIdOf(message: string): string | null {
  return ROLLBACK_ID_LINE.exec(message)?.[1] ?? null;
}

const projectQuery = preparedPerDb((db) => db.select().from(projects).where(eq(projects.id, sql.placeholder('id'))).prepare());

export async function indexHistory(services: Services, project: ProjectRow): Promise<void> {
  const git = await services.repositories.forProject(project.slug);
  const upToDate = async () => {
    const [fresh, head] = await Promise.all([projectQuery(services.db).get({ id: project.id }), git.head()]);
    return { fresh, head, done: !fresh || !head || head === fresh.indexedSha };
  };
  // The common case (nothing new on main) needs no lock, so concurrent history reads do not queue.
  if ((await upToDate()).done) return;
  await services.gitWriters.run(`history:${project.id}`, async () => {
    const { fresh, head, done } = await upToDate();
    if (done || !fresh || !head) return;
    // Resume from the last indexed commit when main still descends from it; after a rewrite of main
    // (or a restored repository) that commit may be gone, and everything is walked again (inserts are idempotent).
    const resumeFrom = fresh.indexedSha && (await descendsFrom(git, head, fresh.indexedSha)) ? fresh.indexedSha : undefined;
    const commits = (await git.log({ from: head, until: resumeFrom })).reverse();
    const targets = await registerTenantEnvironments(services, project.id, git, head);
    const rows = await deploymentsOf(services.db, git, project, commits, targets);
    const events: DomainEvent[] = [];
    await services.transaction(async (tx, afterCommit) => {
      const [{ last }] = (await tx
        .select({ last: max(deployments.sequence) })
        .from(deployments)
        .where(eq(deployments.projectId, project.id))) as [{ last: number | null }];
      let sequence = last ?? 0;
      for (const row of rows) {
        const inserted = await tx
          .insert(deployments)
          .values({ ...row, sequence: ++sequence })
          .onConflictDoNothing()
          .returning({ id: deployments.id });
        if (inserted[0]) {
          events.push({
            type: 'deploymentRecorded',
            projectId: project.id,
            tenantEnvironmentId: row.tenantEnvironmentId,
            deploymentId: inserted[0].id,
            at: services.now(),
          });
        }
      }
      await tx.update(projects).set({ indexedSha: head }).where(eq(projects.id, project.id));
      afterCommit(() => events.forEach((event) => services.events.publish(event)));
    });
  });
}

async function descendsFrom(git: GitStore, head: string, ancestor: string): Promise<boolean> {
  try {
    return await git.isAncestor(ancestor, head);
  } catch (error) {
    if (error instanceof RevisionNotFoundError) return false;
    throw error;
  }
}

interface TrackedDirectory {
  id: string;
  dir: string;
  ref: { project: string; tenant: string; environment: string };
}

/** Tenant-environment directories in the repository get database rows (a push may add new ones). */
async function registerTenantEnvironments(
  services: Services,
  projectId: string,
  git: GitStore,
  head: string,
): Promise<TrackedDirectory[]> {
  let known = await tenantEnvironmentContextsOfProject(services.db, projectId);
  const dirs = new Set(known.map((context) => tenantEnvironmentDir(context.ref.tenant, context.ref.environment)));
  let added = false;
  for (const tenant of await git.listDirectories(head, 'tenants')) {
    for (const environment of await git.listDirectories(head, `tenants/${tenant}`)) {
      if (dirs.has(tenantEnvironmentDir(tenant, environment))) continue;
      await ensureTenantEnvironment(services, projectId, tenant, environment);
      added = true;
    }
  }
  if (added) known = await tenantEnvironmentContextsOfProject(services.db, projectId);
  return known.map((context) => ({
    id: context.id,
    dir: tenantEnvironmentDir(context.ref.tenant, context.ref.environment),
    ref: context.ref,
  }));
}

export async function ensureTenantEnvironment(
  services: Services,
  projectId: string,
  tenantSlug: string,
  environmentSlug: string,
): Promise<string> {
  return services.transaction(async (tx) => {
    await tx.insert(tenants).values({ id: newId('ten'), projectId, slug: tenantSlug, name: tenantSlug }).onConflictDoNothing();
    await tx.insert(environments).values({ id: newId('env'), projectId, slug: environmentSlug }).onConflictDoNothing();
    const [tenant] = await tx.select().from(tenants).where(and(eq(tenants.projectId, projectId), eq(tenants.slug, tenantSlug)));
    const [environment] = await tx
      .select()
      .from(environments)
      .where(and(eq(environments.projectId, projectId), eq(environments.slug, environmentSlug)));
    await tx
      .insert(tenantEnvironments)
      .values({ id: newId('te'), projectId, tenantId: tenant!.id, environmentId: environment!.id })
      .onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(tenantEnvironments)
      .where(and(eq(tenantEnvironments.tenantId, tenant!.id), eq(tenantEnvironments.environmentId, environment!.id)));
    return row!.id;
  });
}

type NewDeployment = Omit<typeof deployments.$inferInsert, 'sequence'>;

async function deploymentsOf(
  db: Db,
  git: GitStore,
  project: ProjectRow,
  commits: CommitInfo[],
  targets: TrackedDirectory[],
): Promise<NewDeployment[]> {
  const rows: NewDeployment[] = [];
  const userIds = new Map<string, string | null>();
  for (const commit of commits) {
    const parent = commit.parents[0] ?? null;
    for (const target of targets) {
      if ((await git.treeIdOf(commit.sha, target.dir)) === (parent ? await git.treeIdOf(parent, target.dir) : null)) continue;
      const [before, after] = await Promise.all([readFiles(git, parent, target.ref), readFiles(git, commit.sha, target.ref)]);
      // Summaries need field changes only, not text diffs.
      const diff = compareFiles(before, after, { needsTextDiff: () => false });
      const source = sourceOf(commit.message);
      rows.push({
        id: newId('dep'),
        projectId: project.id,
        tenantEnvironmentId: target.id,
        revision: commit.sha,
        committedAt: commit.committedAt,
        authorName: commit.authorName,
        authorEmail: commit.authorEmail,
        authorId: await userIdByEmail(db, userIds, commit.authorEmail),
        changesSummary: summarizeChanges(diff),
        changedPaths: diff.files.map((f) => f.path),
        source,
        status: 'SUCCESS',
        rollbackRequestId: source === 'ROLLBACK' ? await existingRequestId(db, rollbackRequestIdOf(commit.message)) : null,
      });
    }
  }
  return rows;
}

async function userIdByEmail(db: Db, cache: Map<string, string | null>, email: string): Promise<string | null> {
  if (!cache.has(email)) {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    cache.set(email, user?.id ?? null);
  }
  return cache.get(email)!;
}

async function existingRequestId(db: Db, id: string | null): Promise<string | null> {
  if (!id) return null;
  const [row] = await db.select({ id: rollbackRequests.id }).from(rollbackRequests).where(eq(rollbackRequests.id, id));
  return row?.id ?? null;
}
