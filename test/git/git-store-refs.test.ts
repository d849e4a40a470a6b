import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStore, RefConflictError, RefLockedError, RepositoryNotFoundError } from '../../src/git';
import { git, gitAsync, makeTempDir, removeDir } from '../kit/git-cli';
import { ALICE, commitFiles, useFreshRepo } from './fixture';

describe('GitStore refs and compare-and-swap', () => {
  const repo = useFreshRepo();

  it('reads heads of other branches and returns null for unborn ones', async () => {
    const { dir, store } = repo;
    const main = await commitFiles(store, { a: '1' });
    git(dir, ['update-ref', 'refs/heads/release/1.x', main]);
    expect(await store.head('release/1.x')).toBe(main);
    expect(await store.head('nope')).toBeNull();
    await expect(store.head('bad..name')).rejects.toMatchObject({ code: 'INVALID_REF_NAME' });
  });

  it('creates, advances and refuses stale updates of a branch', async () => {
    const { dir, store } = repo;
    const c1 = await store.writeCommit({ parent: null, changes: [{ path: 'a', content: '1' }], message: '1', author: ALICE });
    const c2 = await store.writeCommit({ parent: c1, changes: [{ path: 'a', content: '2' }], message: '2', author: ALICE });

    await store.updateBranch('main', c1, null);
    expect(git(dir, ['rev-parse', 'main'])).toBe(c1);
    // null expectation means "must not exist yet"
    await expect(store.updateBranch('main', c2, null)).rejects.toBeInstanceOf(RefConflictError);
    await store.updateBranch('main', c2, c1);
    expect(git(dir, ['rev-parse', 'main'])).toBe(c2);
    // stale expectation
    await expect(store.updateBranch('main', c1, c1)).rejects.toMatchObject({ code: 'REF_CONFLICT' });
    // expecting an existing value on a branch that does not exist
    await expect(store.updateBranch('feature', c2, c1)).rejects.toBeInstanceOf(RefConflictError);
    expect(git(dir, ['show-ref']).split('\n')).toEqual([`${c2} refs/heads/main`]);
    // refs never point at non-commits
    const tree = git(dir, ['rev-parse', `${c2}^{tree}`]);
    await expect(store.updateBranch('main', tree, c2)).rejects.toMatchObject({ code: 'REVISION_NOT_FOUND' });
  });

  it('detects a ref moved by the git CLI between read and update', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { 'values.yaml': 'v: 1\n' });

    const head = await store.head();
    const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: 'v: cli\n' });
    const tree = git(dir, ['mktree'], { input: `100644 blob ${blob}\tvalues.yaml\n` });
    const cliCommit = git(dir, ['commit-tree', tree, '-p', base, '-m', 'cli']);
    git(dir, ['update-ref', 'refs/heads/main', cliCommit, base]);

    const attempt = store.commitToBranch({
      expectedHead: head,
      changes: [{ path: 'values.yaml', content: 'v: store\n' }],
      message: 'store',
      author: ALICE,
    });
    await expect(attempt).rejects.toBeInstanceOf(RefConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'REF_CONFLICT' });
    expect(git(dir, ['rev-parse', 'main'])).toBe(cliCommit);
    expect(git(dir, ['show', 'main:values.yaml'])).toBe('v: cli');
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('lets exactly one of two concurrent commitToBranch calls win (same store)', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { f: 'base' });
    const results = await Promise.allSettled(
      ['one', 'two'].map((who) =>
        store.commitToBranch({ expectedHead: base, changes: [{ path: 'f', content: who }], message: who, author: ALICE }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<string>[];
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(RefConflictError);
    expect(git(dir, ['rev-parse', 'main'])).toBe(won[0]!.value);
    expect(git(dir, ['rev-parse', 'main^'])).toBe(base);
  });

  it('lets exactly one writer win per round across two store instances, losing no commit', async () => {
    const { dir, store } = repo;
    const other = await GitStore.open(dir);
    await commitFiles(store, { counter: '0' });
    const winners: string[] = [];

    for (let round = 0; round < 20; round++) {
      const head = await store.head();
      const results = await Promise.allSettled(
        [store, other].map((s, i) =>
          s.commitToBranch({
            expectedHead: head,
            changes: [{ path: 'counter', content: `${round}-${i}` }],
            message: `round ${round} writer ${i}`,
            author: ALICE,
          }),
        ),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(RefConflictError);
      winners.push(won[0]!);
    }

    // Every winning commit is on the first-parent chain of main: nothing was overwritten.
    const history = git(dir, ['rev-list', '--first-parent', 'main']).split('\n');
    expect(history.slice(0, winners.length)).toEqual([...winners].reverse());
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('races the git CLI update-ref: exactly one side wins', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { f: 'base' });
    for (let round = 0; round < 10; round++) {
      const head = git(dir, ['rev-parse', 'main']);
      const cliCommit = git(dir, ['commit-tree', `${head}^{tree}`, '-p', head, '-m', `cli ${round}`]);
      const storeCommit = await store.writeCommit({
        parent: head,
        changes: [{ path: 'f', content: `store ${round}` }],
        message: `store ${round}`,
        author: ALICE,
      });
      const [cli, ours] = await Promise.allSettled([
        gitAsync(dir, ['update-ref', 'refs/heads/main', cliCommit, head]),
        store.updateBranch('main', storeCommit, head),
      ]);
      const main = git(dir, ['rev-parse', 'main']);
      if (ours.status === 'fulfilled') {
        expect(cli.status, `round ${round}`).toBe('rejected');
        expect(main).toBe(storeCommit);
      } else {
        expect(ours.reason).toBeInstanceOf(RefConflictError);
        // The CLI may lose on lock contention too, but then nothing moved.
        expect(main).toBe(cli.status === 'fulfilled' ? cliCommit : head);
      }
      expect(git(dir, ['rev-parse', 'main^'])).toBe(head);
    }
    expect(git(dir, ['rev-list', 'main']).split('\n')).toContain(base);
  });

  it('waits out a briefly held ref lock, then decides by value', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { f: '1' });
    const next = await store.writeCommit({ parent: base, changes: [{ path: 'f', content: '2' }], message: 'm', author: ALICE });
    const lock = path.join(dir, 'refs', 'heads', 'main.lock');

    fs.writeFileSync(lock, '');
    setTimeout(() => fs.rmSync(lock), 30);
    await store.updateBranch('main', next, base);
    expect(git(dir, ['rev-parse', 'main'])).toBe(next);
  });

  it('reports a lock that is never released as REF_LOCKED without moving the ref', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { f: '1' });
    const next = await store.writeCommit({ parent: base, changes: [{ path: 'f', content: '2' }], message: 'm', author: ALICE });
    fs.writeFileSync(path.join(dir, 'refs', 'heads', 'main.lock'), '');

    await expect(store.updateBranch('main', next, base)).rejects.toBeInstanceOf(RefLockedError);
    await expect(store.updateBranch('main', next, base)).rejects.toMatchObject({ code: 'REF_LOCKED' });
    expect(git(dir, ['rev-parse', 'main'])).toBe(base);
  });
});

describe('GitStore open / init', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = makeTempDir();
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) removeDir(dir);
  });

  it('initialises a bare repository with HEAD -> refs/heads/main', async () => {
    const dir = path.join(tempDir(), 'nested', 'repo.git');
    const store = await GitStore.init(dir);
    expect(store.path).toBe(dir);
    expect(git(dir, ['rev-parse', '--is-bare-repository'])).toBe('true');
    expect(git(dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    expect(fs.existsSync(path.join(dir, 'index'))).toBe(false);
  });

  it('opens existing repositories, including ones made by git init --bare', async () => {
    const dir = tempDir();
    git(dir, ['init', '--quiet', '--bare', '--initial-branch=main']);
    const store = await GitStore.open(dir);
    expect(await store.head()).toBeNull();
    const sha = await commitFiles(store, { a: '1' });
    expect(git(dir, ['rev-parse', 'main'])).toBe(sha);
  });

  it('fails clearly when the directory is missing or not a repository', async () => {
    const missing = path.join(tempDir(), 'missing');
    await expect(GitStore.open(missing)).rejects.toBeInstanceOf(RepositoryNotFoundError);
    await expect(GitStore.open(missing)).rejects.toThrow(/does not exist/);

    const notRepo = tempDir();
    fs.writeFileSync(path.join(notRepo, 'file.txt'), 'x');
    await expect(GitStore.open(notRepo)).rejects.toMatchObject({ code: 'REPOSITORY_NOT_FOUND' });
    await expect(GitStore.openOrInit(notRepo)).rejects.toBeInstanceOf(RepositoryNotFoundError);
  });

  it('openOrInit initialises missing or empty directories and reopens existing ones', async () => {
    const dir = path.join(tempDir(), 'repo');
    const created = await GitStore.openOrInit(dir);
    const sha = await commitFiles(created, { a: '1' });
    const reopened = await GitStore.openOrInit(dir);
    expect(await reopened.head()).toBe(sha);

    const empty = tempDir();
    await GitStore.openOrInit(empty);
    expect(git(empty, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
  });
});
