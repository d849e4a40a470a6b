import { afterEach, beforeEach } from 'vitest';
import { GitStore, type GitAuthor } from '../../src/git';
import { makeTempDir, removeDir } from '../kit/git-cli';

export const ALICE: GitAuthor = {
  name: 'Alice Example',
  email: 'alice@example.com',
  when: new Date('2024-03-01T12:00:00Z'),
};

export interface RepoFixture {
  dir: string;
  store: GitStore;
}

/** A fresh bare repository (initialised by GitStore) per test, removed afterwards. */
export function useFreshRepo(): RepoFixture {
  const fixture = {} as RepoFixture;
  beforeEach(async () => {
    fixture.dir = makeTempDir();
    fixture.store = await GitStore.init(fixture.dir);
  });
  afterEach(() => {
    removeDir(fixture.dir);
  });
  return fixture;
}

/** Commits `files` (path -> content, null deletes) on top of the current head of main. */
export async function commitFiles(
  store: GitStore,
  files: Record<string, string | Buffer | null>,
  message = 'change',
  author: GitAuthor = ALICE,
): Promise<string> {
  return store.commitToBranch({
    expectedHead: await store.head(),
    changes: Object.entries(files).map(([path, content]) => ({ path, content })),
    message,
    author,
  });
}
