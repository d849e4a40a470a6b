export class RevisionNotFoundError extends Error {
  readonly code = 'REVISION_NOT_FOUND' as const;
  constructor(readonly revision: string) {
    super(`revision not found: ${revision}`);
    this.name = 'RevisionNotFoundError';
  }
}

export class RefConflictError extends Error {
  readonly code = 'REF_CONFLICT' as const;
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    detail?: string,
  ) {
    super(
      `ref ${ref} is not at ${expected ?? '(nonexistent)'}` +
        (detail ? `: ${detail}` : ''),
    );
    this.name = 'RefConflictError';
  }
}

/** The ref stayed locked (`<ref>.lock`) by another writer, or a stale lock file, for too long. */
export class RefLockedError extends Error {
  readonly code = 'REF_LOCKED' as const;
  constructor(
    readonly ref: string,
    detail?: string,
  ) {
    super(`ref ${ref} is locked by another writer` + (detail ? `: ${detail}` : ''));
    this.name = 'RefLockedError';
  }
}

export class InvalidPathError extends Error {
  readonly code = 'INVALID_PATH' as const;
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`invalid path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'InvalidPathError';
  }
}

export class RepositoryNotFoundError extends Error {
  readonly code = 'REPOSITORY_NOT_FOUND' as const;
  constructor(
    readonly repoDir: string,
    reason: string,
  ) {
    super(`not a bare git repository: ${repoDir} (${reason})`);
    this.name = 'RepositoryNotFoundError';
  }
}

export class InvalidRefNameError extends Error {
  readonly code = 'INVALID_REF_NAME' as const;
  constructor(readonly refName: string) {
    super(`invalid branch name: ${JSON.stringify(refName)}`);
    this.name = 'InvalidRefNameError';
  }
}
