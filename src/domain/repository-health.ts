/** Whether a project's repository still agrees with what the database recorded of it. */
import { DomainError } from './errors';
import type { Project } from './model';
import { isGitError, type Backend } from './ports';

export type RepositoryHealthStatus = 'HEALTHY' | 'BRANCH_MISSING' | 'HISTORY_REWRITTEN' | 'REPOSITORY_MISSING' | 'REPOSITORY_CORRUPT';

export interface RepositoryHealth {
  status: RepositoryHealthStatus;
  message: string;
  /** main as the repository has it now. */
  head: string | null;
  /** main as Backtrack last recorded it. */
  recordedHead: string | null;
}

export async function repositoryHealth(backend: Backend, project: Project): Promise<RepositoryHealth> {
  const recordedHead = (await backend.stores.projects.byId(project.id))?.indexedSha ?? null;
  const health = (status: RepositoryHealthStatus, message: string, head: string | null = null): RepositoryHealth => ({ status, message, head, recordedHead });
  let git;
  try {
    git = await backend.repositories.forProject(project.slug);
  } catch (error) {
    return health('REPOSITORY_MISSING', (error as Error).message);
  }
  let head: string | null;
  try {
    head = await git.head();
  } catch (error) {
    return health('REPOSITORY_CORRUPT', `refs/heads/main cannot be read: ${(error as Error).message}`);
  }
  if (head === null) {
    return recordedHead
      ? health('BRANCH_MISSING', `refs/heads/main is missing; Backtrack recorded it at ${recordedHead}. Writes are refused until it is restored (git update-ref refs/heads/main ${recordedHead})`)
      : health('HEALTHY', 'the repository has no commits yet');
  }
  if (recordedHead && recordedHead !== head) {
    try {
      if (!(await git.isAncestor(recordedHead, head))) {
        return health('HISTORY_REWRITTEN', `main (${head}) no longer contains ${recordedHead}, the last commit Backtrack recorded: its history was rewritten or restored`, head);
      }
    } catch (error) {
      if (isGitError(error, 'REVISION_NOT_FOUND')) {
        return health('HISTORY_REWRITTEN', `${recordedHead}, the last commit Backtrack recorded, is gone from the repository: it was rewritten or restored`, head);
      }
      if (!(error instanceof DomainError)) return health('REPOSITORY_CORRUPT', `the history of main cannot be read: ${(error as Error).message}`, head);
      throw error;
    }
  }
  return health('HEALTHY', 'main and the recorded history agree', head);
}
