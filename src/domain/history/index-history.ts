/**
 * Turns main's commits into deployment history: every commit that changes a tenant-environment
 * directory is a deployment of it. Incremental (resumes from the project's indexed head) and
 * idempotent, so commits pushed by other tools appear at the next explicit catch-up.
 */
import { parseCommitMessage } from '../commit-metadata';
import { compareFiles } from '../diff/compare-files';
import { domainEvent, type DeploymentRecorded } from '../events';
import { newId } from '../ids';
import { tenantEnvironmentDir } from '../layout';
import type { Project, TenantEnvironmentRef } from '../model';
import { isGitError, type Backend, type CommitInfo, type GitRepository, type ReadStores } from '../ports';
import { readFiles } from '../tenant-environment-files';
import { deploymentRow, recoveredAuditEvent, type DeploymentFacts } from './deployment-record';

/** Records every commit of main not recorded yet. */
export async function indexHistory(backend: Backend, project: Project): Promise<void> {
  const git = await backend.repositories.forProject(project.slug);
  const upToDate = async () => {
    const [fresh, head] = await Promise.all([backend.stores.projects.byId(project.id), git.head()]);
    return { fresh, head, done: !fresh || !head || head === fresh.indexedSha };
  };
  // The common case (nothing new on main) needs no lock, so concurrent history reads do not queue.
  if ((await upToDate()).done) return;
  await backend.locks.run(`history:${project.id}`, async () => {
    const { fresh, head, done } = await upToDate();
    if (done || !fresh || !head) return;
    // Resume from the last indexed commit when main still descends from it; after a rewrite of main
    // (or a restored repository) that commit may be gone, and everything is walked again (inserts are idempotent).
    const resumeFrom = fresh.indexedSha && (await descendsFrom(git, head, fresh.indexedSha)) ? fresh.indexedSha : undefined;
    const commits = (await git.log({ from: head, until: resumeFrom })).reverse();
    const targets = await registerTenantEnvironments(backend, project.id, git, head);
    const facts = await deploymentsOf(backend.stores, git, project, commits, targets);
    await backend.transact(async ({ stores, emit }) => {
      let sequence = await stores.deployments.maxSequence(project.id);
      const numbered = facts.map((fact) => ({ ...deploymentRow(fact), sequence: ++sequence }));
      const inserted = new Set(await stores.deployments.insertNew(numbered));
      const now = backend.now();
      for (const fact of facts) {
        if (!inserted.has(fact.id)) continue;
        const audit = recoveredAuditEvent(fact, now);
        if (audit) await stores.audit.insert(audit);
        emit(domainEvent<DeploymentRecorded>({ type: 'deploymentRecorded', projectId: project.id, tenantEnvironmentId: fact.tenantEnvironment.id, deploymentId: fact.id }, now));
      }
      await stores.projects.setIndexedSha(project.id, head);
    });
  });
}

async function descendsFrom(git: GitRepository, head: string, ancestor: string): Promise<boolean> {
  try {
    return await git.isAncestor(ancestor, head);
  } catch (error) {
    if (isGitError(error, 'REVISION_NOT_FOUND')) return false;
    throw error;
  }
}

interface TrackedDirectory {
  id: string;
  dir: string;
  ref: TenantEnvironmentRef;
}

/** Tenant-environment directories in the repository get database rows (a push may add new ones). */
async function registerTenantEnvironments(backend: Backend, projectId: string, git: GitRepository, head: string): Promise<TrackedDirectory[]> {
  let known = await backend.stores.tenantEnvironments.ofProject(projectId);
  const dirs = new Set(known.map((te) => tenantEnvironmentDir(te.ref.tenant, te.ref.environment)));
  let added = false;
  for (const tenant of await git.listDirectories(head, 'tenants')) {
    for (const environment of await git.listDirectories(head, `tenants/${tenant}`)) {
      if (dirs.has(tenantEnvironmentDir(tenant, environment))) continue;
      await registerTenantEnvironment(backend, projectId, tenant, environment);
      added = true;
    }
  }
  if (added) known = await backend.stores.tenantEnvironments.ofProject(projectId);
  return known.map((te) => ({ id: te.id, dir: tenantEnvironmentDir(te.ref.tenant, te.ref.environment), ref: te.ref }));
}

/** The tenant-environment of these slugs (created with its tenant and environment when missing). */
export async function registerTenantEnvironment(backend: Backend, projectId: string, tenant: string, environment: string): Promise<string> {
  return backend.transact(({ stores }) =>
    stores.tenantEnvironments.ensure(projectId, tenant, environment, { tenant: newId('ten'), environment: newId('env'), tenantEnvironment: newId('te') }),
  );
}

async function deploymentsOf(
  stores: ReadStores,
  git: GitRepository,
  project: Project,
  commits: CommitInfo[],
  targets: TrackedDirectory[],
): Promise<DeploymentFacts[]> {
  const facts: DeploymentFacts[] = [];
  const people = new Lookups(stores);
  for (const commit of commits) {
    const parent = commit.parents[0] ?? null;
    const metadata = parseCommitMessage(commit.message);
    for (const target of targets) {
      if ((await git.treeIdOf(commit.sha, target.dir)) === (parent ? await git.treeIdOf(parent, target.dir) : null)) continue;
      const [before, after] = await Promise.all([readFiles(git, parent, target.ref), readFiles(git, commit.sha, target.ref)]);
      facts.push({
        id: newId('dep'),
        projectId: project.id,
        tenantEnvironment: target,
        commit,
        metadata,
        // Summaries need field changes only, not text diffs.
        diff: compareFiles(before, after, { needsTextDiff: () => false }),
        authorId: await people.userIdByEmail(commit.authorEmail),
        rollbackRequestId: metadata.rollbackRequestId ? await people.existingRequest(metadata.rollbackRequestId) : null,
      });
    }
  }
  return facts;
}

/** The users and requests a batch of commits names, each looked up once. */
export class Lookups {
  private readonly users = new Map<string, Promise<string | null>>();
  private readonly requests = new Map<string, Promise<string | null>>();
  constructor(private readonly stores: ReadStores) {}

  userIdByEmail(email: string): Promise<string | null> {
    if (!this.users.has(email)) this.users.set(email, this.stores.users.byEmail(email).then((user) => user?.id ?? null));
    return this.users.get(email)!;
  }

  existingRequest(id: string): Promise<string | null> {
    if (!this.requests.has(id)) this.requests.set(id, this.stores.requests.byId(id).then((request) => request?.id ?? null));
    return this.requests.get(id)!;
  }
}
