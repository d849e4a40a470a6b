/**
 * The one write path into a project's repository. Under the project's writer lock: catch the
 * history up, read the tenant-environment at head, let the caller compute the desired files,
 * regenerate the manifests of every service whose inputs changed (in the compute pool), commit on
 * top of that head and move main by compare-and-swap — then record the commit's deployment, together
 * with whatever the caller records about it (its audit event, the request it completes), in one
 * transaction. A caller that plans its write itself (a rollback: `plan`) hands over the change set
 * and its diff instead, and reads only what it needs.
 *
 * If that transaction fails the commit is on main but not recorded; the indexer records it later
 * (at the next write or repair pass) and writes the audit event from the commit's metadata.
 */
import { requireServicesWritable, requireWritable } from './archived';
import { parseCommitMessage } from './commit-metadata';
import { runCompute } from './compute-tasks';
import type { FilesDiff } from './diff/compare-files';
import { BadRequestError, ConflictError, DomainError, RepositoryInconsistentError, StorageFullError, isStorageFull } from './errors';
import { domainEvent, type DeploymentRecorded } from './events';
import { recordedChangesOf } from './history/deployment-record';
import { indexHistory, indexNextBatch, Lookups, recordDeployments } from './history/index-history';
import { newId } from './ids';
import { ENVIRONMENT_FILE, serviceOfPath, tenantEnvironmentDir } from './layout';
import type { Deployment, RecordedChanges, TenantEnvironment } from './model';
import { isGitError, type Backend, type GitAuthor, type RepositoryChange, type Transaction } from './ports';
import { changedFiles, readFiles, rememberFiles, repositoryChanges, serviceInputFiles, servicesIn, withChanges, type FileMap } from './tenant-environment-files';

export interface TenantEnvironmentChange {
  tenantEnvironment: TenantEnvironment;
  author: GitAuthor;
  /** Builds the commit message once the change set is known. */
  message: (head: string | null) => string;
  /** Returns the desired files given those at head; throw a DomainError to abort without writing. */
  apply?: (current: FileMap, head: string | null) => Promise<FileMap> | FileMap;
  /** Instead of `apply`: plans the whole write on head itself (a rollback), reading only what it needs. */
  plan?: (head: string | null) => Promise<PlannedWrite>;
  /** False keeps manifests exactly as `apply` returned them. */
  regenerateManifests?: boolean;
  /** Written in the transaction that records the commit's deployment. */
  record?: (tx: Transaction, committed: { sha: string; deployment: Deployment }) => Promise<void>;
  /** Runs between the compare-and-swap and the recording (fault injection for crash tests). */
  afterCommit?: () => Promise<void>;
  /** How the commit is called in messages ("release", "rollback"). */
  what?: string;
}

/** A write planned on one head: its change set, what it changes, and the files it leaves when known. */
export type PlannedWrite = {
  /** Repository paths: files written or deleted, or a directory set to an existing tree. */
  changes: RepositoryChange[];
  /** The tenant-environment's files after the commit and the (relative) paths it changed, remembered for the next read. */
  files?: { final: FileMap; changed: string[] };
} & (
  | {
      /** What the commit changes in the tenant-environment (field changes at least), for its deployment record. */
      diff: FilesDiff;
    }
  | {
      /** Or that record itself, when the plan knows it already (a FULL rollback executing as approved). */
      recorded: RecordedChanges;
    }
);

export interface CommittedChange {
  sha: string;
  parent: string | null;
  changes: RepositoryChange[];
  deployment: Deployment;
}

/** How often a write is re-planned on the new head when main moved under it (another process or tool). */
const CAS_ATTEMPTS = 3;

/** Writes the change (plan, commit, compare-and-swap) and records it in the deployment history. */
export async function commitTenantEnvironmentChange(backend: Backend, change: TenantEnvironmentChange): Promise<CommittedChange> {
  const te = change.tenantEnvironment;
  const git = await backend.repositories.forProject(te.project.slug);
  return backend.locks.run(`writer:${te.project.id}`, async () => {
    // Archived since the caller looked it up? Then nothing is written.
    requireWritable((await backend.stores.tenantEnvironments.byIds([te.id]))[0] ?? te);
    for (let attempt = 1; ; attempt++) {
      // Everything before this commit is recorded first, so its deployment is the next in history.
      await indexHistory(backend, te.project);
      // Read, plan and write against one head; if main moved meanwhile (compare-and-swap failed),
      // plan again on the new head: `apply` decides whether that change conflicts with its own.
      const head = await git.head();
      if (head === null) await refuseOrphan(backend, te);
      const write = change.plan ? await change.plan(head) : await applyChange(backend, change, head);
      if (write.changes.length === 0) {
        throw new BadRequestError('NOTHING_TO_CHANGE', 'nothing to change: the tenant-environment already has this state');
      }
      const dir = tenantEnvironmentDir(te.ref.tenant, te.ref.environment);
      await requireServicesWritable(backend.stores, te, write.changes.map((c) => serviceOfPath(c.path.slice(dir.length + 1))).filter((s) => s !== null));
      let sha: string;
      try {
        sha = await git.commitToBranch({ expectedHead: head, changes: write.changes, message: change.message(head), author: change.author });
      } catch (error) {
        if (isGitError(error, 'REF_CONFLICT')) {
          backend.observer?.casRetry(te.project.id, attempt);
          if (attempt < CAS_ATTEMPTS) continue;
          throw new ConflictError('CONCURRENT_CHANGE', 'conflict detected: main moved while this change was being written; retry', { expectedHead: head });
        }
        if (isStorageFull(error)) throw new StorageFullError(`storage is full: the ${change.what ?? 'change'} was not committed; free disk space and retry`);
        throw error;
      }
      if (write.files) rememberFiles(git, sha, te.ref, write.files.final, write.files.changed);
      await change.afterCommit?.();
      const deployment = await recordCommit(backend, change, sha, head, 'recorded' in write ? write.recorded : recordedChangesOf(write.diff));
      return { sha, parent: head, changes: write.changes, deployment };
    }
  });
}

/** The generic path: the caller's files at head, finished (manifests, change set, field changes) in the compute pool. */
async function applyChange(backend: Backend, change: TenantEnvironmentChange, head: string | null): Promise<PlannedWrite> {
  const git = await backend.repositories.forProject(change.tenantEnvironment.project.slug);
  const current = await readFiles(git, head, change.tenantEnvironment.ref);
  const desired = await change.apply!(current, head);
  const changed = changedFiles(current, desired);
  const input = { ref: change.tenantEnvironment.ref, changed, regenerateManifests: change.regenerateManifests !== false };
  // Only the changed services' inputs cross to the compute pool, unless every manifest is regenerated.
  const touched = changed.map(([path]) => serviceOfPath(path)).filter((service) => service !== null);
  const partial = !changed.some(([path]) => path === ENVIRONMENT_FILE)
    ? await runCompute(backend.compute, 'finishChange', {
        ...input,
        current: serviceInputFiles(current, touched, changed.map(([path]) => path)),
        servicesNow: servicesIn(current),
      })
    : null;
  const finished = partial ?? (await runCompute(backend.compute, 'finishChange', { ...input, current }))!;
  return {
    changes: repositoryChanges(change.tenantEnvironment.ref, finished.changed),
    diff: finished.diff,
    files: { final: withChanges(current, finished.changed), changed: finished.changed.map(([path]) => path) },
  };
}

/**
 * A project with recorded history whose main branch is gone (deleted by hand, a failed restore):
 * writing now would start main over as a root commit and drop its whole history from it.
 */
async function refuseOrphan(backend: Backend, te: TenantEnvironment): Promise<void> {
  const project = await backend.stores.projects.byId(te.project.id);
  if (!project?.indexedSha) return;
  throw new RepositoryInconsistentError(
    `refs/heads/main of project ${project.slug} is missing, but its history was recorded up to ${project.indexedSha}; ` +
      `nothing was written. Restore the branch (git update-ref refs/heads/main ${project.indexedSha}) and retry`,
    { project: project.slug, ref: 'refs/heads/main', expectedHead: project.indexedSha },
  );
}

/**
 * The commit's position, deployment and change rows and the caller's records, in one transaction,
 * under the history lock (no reader indexes it meanwhile). The write path already holds the diff it
 * computed, so it records its own deployment rather than reading the commit back.
 */
async function recordCommit(backend: Backend, change: TenantEnvironmentChange, sha: string, parent: string | null, changes: RecordedChanges): Promise<Deployment> {
  const te = change.tenantEnvironment;
  const git = await backend.repositories.forProject(te.project.slug);
  try {
    return await backend.locks.run(`history:${te.project.id}`, async () => {
      // Commits another tool pushed between the indexed head and this commit's parent come first.
      const state = { plan: null };
      while (await indexNextBatch(backend, git, te.project.id, parent, state));
      const commit = await git.commitInfo(sha);
      const metadata = parseCommitMessage(commit.message);
      const lookups = new Lookups(backend.stores);
      const facts = {
        id: newId('dep'),
        projectId: te.project.id,
        tenantEnvironment: te,
        commit,
        metadata,
        changes,
        authorId: await lookups.userIdByEmail(commit.authorEmail),
        rollbackRequestId: metadata.rollbackRequestId ? await lookups.existingRequest(metadata.rollbackRequestId) : null,
      };
      return backend.transact(async (tx) => {
        // Another instance may have indexed the commit already, between the compare-and-swap and now.
        const indexedAt = (await tx.stores.historyIndex.sequencesOf(te.project.id, [sha])).get(sha);
        const sequence = indexedAt ?? (await tx.stores.historyIndex.lastSequence(te.project.id)) + 1;
        if (indexedAt === undefined) await tx.stores.historyIndex.insertCommits(te.project.id, [{ sha, sequence, merge: false }]);
        await recordDeployments(tx.stores, [{ ...facts, sequence }]);
        const deployment = (await tx.stores.deployments.byRevision(te.id, sha))!;
        await change.record?.(tx, { sha, deployment });
        if (indexedAt === undefined) await tx.stores.projects.setIndexedSha(te.project.id, sha);
        tx.emit(domainEvent<DeploymentRecorded>({ type: 'deploymentRecorded', projectId: te.project.id, tenantEnvironmentId: te.id, deploymentId: deployment.id }, backend.now()));
        return deployment;
      });
    });
  } catch (error) {
    const what = change.what ?? 'change';
    if (isStorageFull(error)) {
      throw new StorageFullError(
        `storage is full: the ${what} commit ${sha} landed on main, but recording it failed; it is recorded automatically once space is freed (do not repeat the ${what})`,
        { revision: sha, committed: true },
      );
    }
    if (error instanceof DomainError) throw error;
    throw Object.assign(new Error(`the ${what} commit ${sha} landed on main, but recording it failed: ${(error as Error).message}`), { cause: error, revision: sha });
  }
}
