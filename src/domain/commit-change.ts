/**
 * The one write path into a project's repository: read the tenant-environment at head, let the
 * caller compute the desired files, regenerate the manifests of every service whose inputs changed,
 * commit on top of that head and move main by compare-and-swap, then record the deployment.
 */
import { ConflictError, BadRequestError } from './errors';
import { indexHistory } from './history/index-history';
import type { TenantEnvironment } from './model';
import { isGitError, type Backend, type FileChange, type GitAuthor } from './ports';
import {
  changesBetween,
  readFiles,
  rememberFiles,
  servicesWithChangedInputs,
  withRegeneratedManifests,
  type FileMap,
} from './tenant-environment-files';
import { tenantEnvironmentDir } from './layout';

export interface TenantEnvironmentChange {
  tenantEnvironment: TenantEnvironment;
  author: GitAuthor;
  /** Builds the commit message once the change set is known. */
  message: (head: string | null) => string;
  /** Returns the desired files given those at head; throw a DomainError to abort without writing. */
  apply: (current: FileMap, head: string | null) => Promise<FileMap> | FileMap;
  /** False keeps manifests exactly as `apply` returned them (a full rollback restores the target's bytes). */
  regenerateManifests?: boolean;
}

export interface CommittedChange {
  sha: string;
  parent: string | null;
  changes: FileChange[];
}

/** How often a write is re-planned on the new head when main moved under it (another process or tool). */
const CAS_ATTEMPTS = 3;

/** Writes the change (plan, commit, compare-and-swap) and records it in the deployment history. */
export async function commitTenantEnvironmentChange(
  backend: Backend,
  change: TenantEnvironmentChange,
): Promise<CommittedChange> {
  const committed = await writeTenantEnvironmentChange(backend, change);
  await indexHistory(backend, change.tenantEnvironment.project);
  return committed;
}

/**
 * Only the Git part: under the project's writer lock, plan on head, commit, move main by
 * compare-and-swap. The caller records history (commitTenantEnvironmentChange does).
 */
export async function writeTenantEnvironmentChange(
  backend: Backend,
  change: TenantEnvironmentChange,
): Promise<CommittedChange> {
  const { tenantEnvironment: te } = change;
  const git = await backend.repositories.forProject(te.project.slug);
  return backend.locks.run(`writer:${te.project.id}`, async () => {
    for (let attempt = 1; ; attempt++) {
      // Read, plan and write against one head; if main moved meanwhile (compare-and-swap failed),
      // plan again on the new head: `apply` decides whether that change conflicts with its own.
      const head = await git.head();
      const current = await readFiles(git, head, te.ref);
      const desired = await change.apply(current, head);
      const final =
        change.regenerateManifests === false
          ? desired
          : withRegeneratedManifests(desired, servicesWithChangedInputs(current, desired), te.ref);
      const changes = changesBetween(te.ref, current, final);
      if (changes.length === 0) {
        throw new BadRequestError('NOTHING_TO_CHANGE', 'nothing to change: the tenant-environment already has this state');
      }
      try {
        const sha = await git.commitToBranch({ expectedHead: head, changes, message: change.message(head), author: change.author });
        rememberFiles(git, sha, te.ref, final, changes.map((c) => c.path.slice(tenantEnvironmentDir(te.ref.tenant, te.ref.environment).length + 1)));
        return { sha, parent: head, changes };
      } catch (error) {
        if (!isGitError(error, 'REF_CONFLICT')) throw error;
        if (attempt >= CAS_ATTEMPTS) {
          throw new ConflictError('CONCURRENT_CHANGE', 'conflict detected: main moved while this change was being written; retry', {
            expectedHead: head,
          });
        }
      }
    }
  });
}
