export {
  GitStore,
  type CommitInfo,
  type CommitToBranchOptions,
  type GitAuthor,
  type LogOptions,
  type WriteCommitOptions,
} from './git-store';
export type { FileChange, RepositoryChange, TreeEntryChange } from './tree-edit';
export {
  InvalidPathError,
  InvalidRefNameError,
  RefConflictError,
  RefLockedError,
  RepositoryNotFoundError,
  RevisionNotFoundError,
} from './errors';
export { commitTreeWithGitCli, commitWithGitCli } from './cli-baseline';
export { RepositoryRegistry } from './repositories';
