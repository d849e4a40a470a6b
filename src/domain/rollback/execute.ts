/**
 * Executes a rollback as one commit on main. The plan is computed again on the head found under
 * the project's writer lock: if that changes what the rollback would do (same files or fields),
 * it is a conflict and nothing is written; unrelated changes elsewhere do not block it.
 */
import type { GitAuthor } from '../../git';
import { writeTenantEnvironmentChange } from '../commit-change';
import { indexHistory } from '../history/index-history';
import { ConflictError } from '../errors';
import type { Services } from '../services';
import type { TenantEnvironmentContext } from '../workspace';
import { computePreview, type RollbackPreview } from './preview';
import type { RollbackScope } from './plan';

export interface RollbackExecution {
  context: TenantEnvironmentContext;
  scope: RollbackScope;
  targetSha: string;
  /** The preview the request was approved on; a different plan at execution time is a conflict. */
  expectedPreviewHash: string | null;
  requestId: string;
  justification: string;
  author: GitAuthor;
  /** e.g. `Approved by bob@example.com (quorum: 1/1)`. */
  approval: string;
}

/** The rollback commit on main, recorded in the deployment history (source ROLLBACK). */
export async function executeRollback(services: Services, execution: RollbackExecution): Promise<{ sha: string; preview: RollbackPreview }> {
  const result = await commitRollback(services, execution);
  await indexHistory(services, execution.context.project);
  return result;
}

/** Only the rollback commit: plan on the head found under the writer lock, commit, compare-and-swap. */
export async function commitRollback(services: Services, execution: RollbackExecution): Promise<{ sha: string; preview: RollbackPreview }> {
  const git = await services.repositories.forProject(execution.context.project.slug);
  let preview!: RollbackPreview;
  const committed = await writeTenantEnvironmentChange(services, {
    context: execution.context,
    author: execution.author,
    // The plan's files already carry regenerated manifests (or, for FULL, the target's own).
    regenerateManifests: false,
    apply: async (current, head) => {
      preview = await computePreview(services, git, execution.context, execution.scope, execution.targetSha, head!, current, { planOnly: true });
      if (execution.expectedPreviewHash && preview.previewHash !== execution.expectedPreviewHash) {
        throw new ConflictError(
          'ROLLBACK_CONFLICT',
          'conflict detected: the tenant-environment changed since the rollback was previewed (same files or fields); preview again',
          { expectedPreviewHash: execution.expectedPreviewHash, actualPreviewHash: preview.previewHash, head },
        );
      }
      return preview.final;
    },
    message: () => rollbackCommitMessage(execution),
  });
  return { sha: committed.sha, preview };
}

export function rollbackCommitMessage(execution: RollbackExecution): string {
  const { context, scope } = execution;
  const lines = [
    `Rollback: tenant/${context.tenant.slug} env/${context.environment.slug} → revision ${execution.targetSha.slice(0, 7)}`,
    '',
    `Mode: ${scope.mode.toLowerCase()}`,
  ];
  if (scope.service) lines.push(`Service: ${scope.service}`);
  if (scope.mode === 'FIELD') lines.push(`Fields: ${scope.fields.map((f) => `${f.file} ${f.path}`).join(', ')}`);
  lines.push(
    `Target Revision: ${execution.targetSha}`,
    `Justification: ${execution.justification.replace(/\s*\n\s*/g, ' ')}`,
    `Author: ${execution.author.email}`,
    `Approval: ${execution.approval}`,
    `Rollback Request ID: ${execution.requestId}`,
    '',
  );
  return lines.join('\n');
}
