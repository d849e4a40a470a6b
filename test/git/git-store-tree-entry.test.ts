/** Tree entry changes: a directory set to an existing tree of the repository, read back with the git CLI. */
import { describe, expect, it } from 'vitest';
import { InvalidPathError, type RepositoryChange } from '../../src/git';
import { git, makeTempDir } from '../kit/git-cli';
import { ALICE, commitFiles, useFreshRepo } from './fixture';

const DIR = 'tenants/acme/production';

/** A commit on top of `parent` (moving main) where `path` is executable, written with plumbing. */
function makeExecutable(dir: string, parent: string, path: string): string {
  const index = `${makeTempDir()}/index`;
  const env = { GIT_INDEX_FILE: index };
  git(dir, ['read-tree', parent], { env });
  git(dir, ['update-index', '--index-info'], { env, input: `100755 ${git(dir, ['rev-parse', `${parent}:${path}`])}\t${path}\n` });
  const sha = git(dir, ['commit-tree', git(dir, ['write-tree'], { env }), '-p', parent, '-m', 'make it executable'], { env });
  git(dir, ['update-ref', 'refs/heads/main', sha, parent]);
  return sha;
}

function lsTree(dir: string, rev: string): string[] {
  return git(dir, ['ls-tree', '-r', rev]).split('\n');
}

describe('GitStore tree entry changes', () => {
  const repo = useFreshRepo();

  /** A target revision, then a head where the directory and its neighbours moved on. */
  async function history() {
    const { dir, store } = repo;
    await commitFiles(store, {
      [`${DIR}/environment.yaml`]: 'name: production\n',
      [`${DIR}/services/api/values.yaml`]: 'image:\n  tag: v1\n',
      [`${DIR}/services/old/values.yaml`]: 'image:\n  tag: v0\n',
      'tenants/acme/staging/environment.yaml': 'name: staging\n',
      'README.md': '# shop\n',
    });
    // An executable file in the target, which a restore must bring back with its mode.
    const withScript = await commitFiles(store, { [`${DIR}/hooks/check.sh`]: '#!/bin/sh\n' });
    const target = makeExecutable(dir, withScript, `${DIR}/hooks/check.sh`);
    const head = await commitFiles(store, {
      [`${DIR}/services/api/values.yaml`]: 'image:\n  tag: v2\n',
      [`${DIR}/services/old/values.yaml`]: null,
      [`${DIR}/services/new/values.yaml`]: 'image:\n  tag: v9\n',
      [`${DIR}/hooks/check.sh`]: '#!/bin/sh\nexit 1\n',
      'tenants/acme/staging/environment.yaml': 'name: staging-2\n',
    });
    return { target, head };
  }

  it('sets a directory to the target revision’s tree: the same tree id, every file and mode as they were, neighbours untouched', async () => {
    const { dir, store } = repo;
    const { target, head } = await history();
    const treeId = await store.treeIdOf(target, DIR);
    const sha = await store.commitToBranch({ expectedHead: head, changes: [{ path: DIR, treeId: treeId! }], message: 'restore', author: ALICE });

    expect(git(dir, ['rev-parse', 'main'])).toBe(sha);
    expect(git(dir, ['rev-parse', `${sha}:${DIR}`])).toBe(git(dir, ['rev-parse', `${target}:${DIR}`]));
    expect(lsTree(dir, `${sha}:${DIR}`)).toEqual(lsTree(dir, `${target}:${DIR}`));
    expect(lsTree(dir, `${sha}:${DIR}`)).toContain(`100755 blob ${git(dir, ['rev-parse', `${target}:${DIR}/hooks/check.sh`])}\thooks/check.sh`);
    expect(git(dir, ['diff', '--name-only', head, sha, '--', 'tenants/acme/staging', 'README.md'])).toBe('');
    expect(git(dir, ['diff', '--name-only', target, sha, '--', DIR])).toBe('');
    expect(git(dir, ['log', '--format=%P', '-1', sha])).toBe(head);
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('gives the same commit through the few-changes path and the general path', async () => {
    const { dir, store } = repo;
    const { target, head } = await history();
    const treeId = (await store.treeIdOf(target, DIR))!;
    const alongside: RepositoryChange[] = [
      { path: 'README.md', content: '# shop, restored\n' },
      { path: 'docs/a.md', content: 'a\n' },
      { path: 'docs/b.md', content: 'b\n' },
      { path: 'tenants/acme/staging/environment.yaml', content: null },
    ];
    const few = await store.writeCommit({ parent: head, changes: [{ path: DIR, treeId }], message: 'm', author: ALICE });
    // Five changes take the general path (one tree builder per directory).
    const many = await store.writeCommit({ parent: head, changes: [{ path: DIR, treeId }, ...alongside], message: 'm', author: ALICE });
    expect(git(dir, ['rev-parse', `${few}:${DIR}`])).toBe(treeId);
    expect(git(dir, ['rev-parse', `${many}:${DIR}`])).toBe(treeId);
    expect(git(dir, ['show', `${many}:README.md`])).toBe('# shop, restored');
    expect(git(dir, ['ls-tree', '--name-only', `${many}:tenants/acme`])).toBe('production');
    git(dir, ['update-ref', 'refs/heads/few', few]);
    git(dir, ['update-ref', 'refs/heads/many', many]);
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('creates the directory when the head does not have it', async () => {
    const { dir, store } = repo;
    const { target } = await history();
    const treeId = (await store.treeIdOf(target, DIR))!;
    const head = await commitFiles(store, Object.fromEntries(lsTree(dir, `main:${DIR}`).map((line) => [`${DIR}/${line.split('\t')[1]}`, null])));
    expect(await store.treeIdOf(head, DIR)).toBeNull();
    const sha = await store.commitToBranch({ expectedHead: head, changes: [{ path: DIR, treeId }], message: 'back', author: ALICE });
    expect(git(dir, ['rev-parse', `${sha}:${DIR}`])).toBe(treeId);
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('refuses trees that do not exist, objects that are not trees, the empty tree, and changes below a replaced directory', async () => {
    const { dir, store } = repo;
    const { head } = await history();
    const blob = git(dir, ['rev-parse', `${head}:README.md`]);
    const empty = git(dir, ['hash-object', '-w', '-t', 'tree', '/dev/null']);
    const treeId = git(dir, ['rev-parse', `${head}:${DIR}`]);
    const attempts: RepositoryChange[][] = [
      [{ path: DIR, treeId: '1'.repeat(40) }],
      [{ path: DIR, treeId: blob }],
      [{ path: DIR, treeId: empty }],
      [{ path: DIR, treeId: 'not-an-id' }],
      [
        { path: 'tenants/acme', treeId },
        { path: `tenants/acme/staging/environment.yaml`, content: 'x' },
      ],
    ];
    for (const changes of attempts) {
      await expect(store.commitToBranch({ expectedHead: head, changes, message: 'm', author: ALICE })).rejects.toBeInstanceOf(InvalidPathError);
    }
    expect(git(dir, ['rev-parse', 'main'])).toBe(head);
  });
});
