/**
 * Executes a rollback as one commit on main. The plan is computed again on the head found under
 * the project's writer lock: if that changes what the rollback would do (same files or fields),
 * it is a conflict and nothing is written; unrelated changes elsewhere do not block it.
 */
import { commitTenantEnvironmentChange, type TenantEnvironmentChange } from '../commit-change';
import { formatCommitMessage } from '../commit-metadata';
import { ConflictError } from '../errors';
import type { RecordedChanges, TenantEnvironment } from '../model';
import type { Backend, GitAuthor } from '../ports';
import { approvedFullRollback, computePreview } from './preview';
import type { RollbackScope } from './plan';

export interface RollbackExecution {
  tenantEnvironment: TenantEnvironment;
  scope: RollbackScope;
  targetSha: string;
  /** The preview the request was approved on; a different plan at execution time is a conflict. */
  expectedPreviewHash: string | null;
  /** The head that preview was computed on, when known (a request's base): while the directory is unchanged, so is the plan. */
  baseRevision?: string | null;
  /** FULL: the deployment record kept from that preview (see approvedFullRollback). */
  approvedChanges?: RecordedChanges | null;
  requestId: string;
  justification: string;
  author: GitAuthor;
  /** e.g. `Approved by bob@example.com (quorum: 1/1)`. */
  approval: string;
}

/**
 * The rollback commit on main, recorded in the deployment history (source ROLLBACK) together with
 * whatever `record` writes (the request's completion) in the same transaction.
 */
export async function executeRollback(
  backend: Backend,
  execution: RollbackExecution,
  hooks: Pick<TenantEnvironmentChange, 'record' | 'afterCommit'> = {},
): Promise<{ sha: string }> {
  const git = await backend.repositories.forProject(execution.tenantEnvironment.project.slug);
  const committed = await commitTenantEnvironmentChange(backend, {
    tenantEnvironment: execution.tenantEnvironment,
    author: execution.author,
    what: 'rollback',
    ...hooks,
    // The plan carries its regenerated manifests (FULL: the target's tree, manifests as they were).
    plan: async (head) => {
      const approved =
        execution.expectedPreviewHash && execution.baseRevision ? { previewHash: execution.expectedPreviewHash, baseRevision: execution.baseRevision } : undefined;
      if (approved && execution.approvedChanges && execution.scope.mode === 'FULL') {
        const known = await approvedFullRollback(git, execution.tenantEnvironment, execution.targetSha, head, { ...approved, recorded: execution.approvedChanges });
        if (known) return known;
      }
      const preview = await computePreview(backend, git, execution.tenantEnvironment, execution.scope, execution.targetSha, head, { planOnly: true, approved });
      if (execution.expectedPreviewHash && preview.previewHash !== execution.expectedPreviewHash) {
        throw new ConflictError(
          'ROLLBACK_CONFLICT',
          'conflict detected: the tenant-environment changed since the rollback was previewed (same files or fields); preview again',
          { expectedPreviewHash: execution.expectedPreviewHash, actualPreviewHash: preview.previewHash, head },
        );
      }
      return preview.write;
    },
    message: () =>
      formatCommitMessage({
        kind: 'ROLLBACK',
        tenantEnvironment: execution.tenantEnvironment.ref,
        authorEmail: execution.author.email,
        targetSha: execution.targetSha,
        mode: execution.scope.mode,
        service: execution.scope.service,
        fields: execution.scope.fields,
        justification: execution.justification,
        approval: execution.approval,
        requestId: execution.requestId,
      }),
  });
  return { sha: committed.sha };
}
