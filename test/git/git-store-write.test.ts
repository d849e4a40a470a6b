import { describe, expect, it } from 'vitest';
import { InvalidPathError } from '../../src/git';
import { git, gitBuffer } from '../kit/git-cli';
import { ALICE, commitFiles, useFreshRepo } from './fixture';

function lsTree(dir: string, rev: string): string[] {
  const out = git(dir, ['-c', 'core.quotePath=false', 'ls-tree', '-r', '--name-only', rev]);
  return out === '' ? [] : out.split('\n');
}

function show(dir: string, rev: string, path: string): string {
  return git(dir, ['show', `${rev}:${path}`]);
}

describe('GitStore writes', () => {
  const repo = useFreshRepo();

  it('creates the first commit on an unborn main branch', async () => {
    const { dir, store } = repo;
    expect(await store.head()).toBeNull();
    expect(git(dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    expect(git(dir, ['rev-parse', '--is-bare-repository'])).toBe('true');

    const sha = await commitFiles(store, { 'README.md': '# hello\n', 'a/b/c.yaml': 'x: 1\n' });

    expect(await store.head()).toBe(sha);
    expect(git(dir, ['rev-parse', 'main'])).toBe(sha);
    expect(git(dir, ['cat-file', '-t', sha])).toBe('commit');
    expect(git(dir, ['log', '--format=%P', '-1', sha])).toBe('');
    expect(lsTree(dir, sha)).toEqual(['README.md', 'a/b/c.yaml']);
    expect(show(dir, sha, 'a/b/c.yaml')).toBe('x: 1');
  });

  it('applies additions, updates, deletions and nested new directories in one commit', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, {
      'keep.txt': 'keep',
      'update.txt': 'old',
      'delete.txt': 'bye',
      'services/api/values.yaml': 'replicas: 1\n',
      'services/api/other.yaml': 'a: 1\n',
    });

    const sha = await commitFiles(store, {
      'update.txt': 'new',
      'delete.txt': null,
      'services/api/values.yaml': 'replicas: 3\n',
      'services/web/deep/er/values.yaml': 'replicas: 2\n',
      'top-level-new.txt': 'hi',
    });

    expect(git(dir, ['rev-parse', `${sha}^`])).toBe(base);
    expect(lsTree(dir, sha)).toEqual([
      'keep.txt',
      'services/api/other.yaml',
      'services/api/values.yaml',
      'services/web/deep/er/values.yaml',
      'top-level-new.txt',
      'update.txt',
    ]);
    expect(show(dir, sha, 'update.txt')).toBe('new');
    expect(show(dir, sha, 'services/api/values.yaml')).toBe('replicas: 3');
    expect(show(dir, sha, 'services/web/deep/er/values.yaml')).toBe('replicas: 2');
    // untouched subtrees are shared with the parent
    expect(git(dir, ['rev-parse', `${sha}:keep.txt`])).toBe(git(dir, ['rev-parse', `${base}:keep.txt`]));
    expect(git(dir, ['diff', '--no-renames', '--name-status', base, sha]).split('\n')).toEqual([
      'D\tdelete.txt',
      'M\tservices/api/values.yaml',
      'A\tservices/web/deep/er/values.yaml',
      'A\ttop-level-new.txt',
      'M\tupdate.txt',
    ]);
  });

  it('removes directories that become empty, up to the root', async () => {
    const { dir, store } = repo;
    await commitFiles(store, {
      'a/b/c/only.txt': '1',
      'a/sibling.txt': '2',
      'x/y/z.txt': '3',
      'root.txt': '4',
    });

    const sha = await commitFiles(store, { 'a/b/c/only.txt': null, 'x/y/z.txt': null });
    expect(git(dir, ['ls-tree', '-r', '-t', '--name-only', sha]).split('\n')).toEqual([
      'a',
      'a/sibling.txt',
      'root.txt',
    ]);

    const empty = await commitFiles(store, { 'a/sibling.txt': null, 'root.txt': null });
    expect(git(dir, ['rev-parse', `${empty}^{tree}`])).toBe(git(dir, ['hash-object', '-t', 'tree', '/dev/null']));
    expect(lsTree(dir, empty)).toEqual([]);
  });

  it('treats deleting an absent file as a no-op and can detect no-op commits by tree id', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { 'a.txt': 'same' });
    const sha = await commitFiles(store, { 'a.txt': 'same', 'missing.txt': null, 'nope/x': null });
    expect(sha).not.toBe(base);
    expect(await store.treeIdOf(sha, '')).toBe(await store.treeIdOf(base, ''));
    expect(git(dir, ['rev-parse', `${sha}^{tree}`])).toBe(await store.treeIdOf(sha, ''));
  });

  it('stores binary content byte for byte', async () => {
    const { dir, store } = repo;
    const bytes = Buffer.alloc(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
    bytes[10] = 0;
    const sha = await commitFiles(store, { 'bin/blob.dat': bytes, 'empty.txt': '' });
    expect(gitBuffer(dir, ['show', `${sha}:bin/blob.dat`]).equals(bytes)).toBe(true);
    expect(gitBuffer(dir, ['show', `${sha}:empty.txt`]).length).toBe(0);
    expect((await store.readFile(sha, 'bin/blob.dat'))!.equals(bytes)).toBe(true);
  });

  it('handles unicode paths and content', async () => {
    const { dir, store } = repo;
    const sha = await commitFiles(store, {
      'dienste/größe/wert.yaml': 'größe: groß\n',
      '服务/配置.yaml': 'ключ: значение\n',
      'emoji/🚀.txt': 'launch',
    });
    expect(lsTree(dir, sha)).toEqual(['dienste/größe/wert.yaml', 'emoji/🚀.txt', '服务/配置.yaml']);
    expect(show(dir, sha, '服务/配置.yaml')).toBe('ключ: значение');
    expect((await store.readFile(sha, 'emoji/🚀.txt'))!.toString()).toBe('launch');
    expect([...(await store.readDirectory(sha, '')).keys()].sort()).toEqual(
      ['dienste/größe/wert.yaml', 'emoji/🚀.txt', '服务/配置.yaml'].sort(),
    );
  });

  it('round-trips message, author and committer through git log', async () => {
    const { dir, store } = repo;
    const message = 'Roll back api to v1.2.3\n\nRequested by Zoë.\nTicket: OPS-42';
    const sha = await store.commitToBranch({
      expectedHead: null,
      changes: [{ path: 'f', content: 'x' }],
      message,
      author: { name: 'Zoë Ünicode', email: 'zoe@example.com', when: new Date('2024-05-06T07:08:09Z') },
    });
    const fmt = (f: string) => git(dir, ['log', '-1', `--format=${f}`, sha]);
    expect(fmt('%an|%ae|%at|%cn|%ce|%ct')).toBe(
      'Zoë Ünicode|zoe@example.com|1714979289|Zoë Ünicode|zoe@example.com|1714979289',
    );
    expect(fmt('%B')).toBe(`${message}\n`);
    expect(fmt('%s')).toBe('Roll back api to v1.2.3');

    const info = await store.commitInfo(sha);
    expect(info).toEqual({
      sha,
      parents: [],
      message,
      authorName: 'Zoë Ünicode',
      authorEmail: 'zoe@example.com',
      authoredAt: new Date('2024-05-06T07:08:09Z'),
      committedAt: new Date('2024-05-06T07:08:09Z'),
    });
  });

  it('uses a separate committer when given', async () => {
    const { dir, store } = repo;
    const sha = await store.writeCommit({
      parent: null,
      changes: [{ path: 'f', content: 'x' }],
      message: 'm',
      author: ALICE,
      committer: { name: 'Backtrack Bot', email: 'bot@example.com', when: new Date('2024-03-02T00:00:00Z') },
    });
    expect(git(dir, ['log', '-1', '--format=%an <%ae> %aI|%cn <%ce> %cI', sha])).toBe(
      'Alice Example <alice@example.com> 2024-03-01T12:00:00+00:00|Backtrack Bot <bot@example.com> 2024-03-02T00:00:00+00:00',
    );
  });

  it('writeCommit creates objects without moving any ref', async () => {
    const { dir, store } = repo;
    const base = await commitFiles(store, { 'a.txt': '1' });
    const sha = await store.writeCommit({
      parent: base,
      changes: [{ path: 'a.txt', content: '2' }],
      message: 'dangling',
      author: ALICE,
    });
    expect(git(dir, ['rev-parse', 'main'])).toBe(base);
    expect(git(dir, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(`refs/heads/main ${base}`);
    expect(git(dir, ['cat-file', '-t', sha])).toBe('commit');
    expect(show(dir, sha, 'a.txt')).toBe('2');
  });

  it('writes the trees above the directory a few changes share once, not once per change', async () => {
    const { dir, store } = repo;
    await commitFiles(store, {
      'tenants/acme/prod/services/api/values.yaml': 'tag: v1\n',
      'tenants/acme/prod/manifests/api.yaml': 'kind: Deployment\n',
      'tenants/other/prod/values.yaml': 'x: 1\n',
    });
    const objects = () => new Set(git(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']).split('\n'));
    const before = objects();
    const sha = await commitFiles(store, {
      'tenants/acme/prod/services/api/values.yaml': 'tag: v2\n',
      'tenants/acme/prod/manifests/api.yaml': 'kind: Deployment # v2\n',
    });
    const written = [...objects()].filter((id) => !before.has(id));
    // 2 blobs, the final trees of root, tenants, acme, prod, services, api and manifests, the commit —
    // and one intermediate state of prod (after its first change). Per change from the root, it was 14.
    expect(written).toHaveLength(11);
    const reachable = new Set(git(dir, ['rev-list', '--objects', '--no-object-names', `${sha}^..${sha}`]).split('\n'));
    expect(written.filter((id) => !reachable.has(id))).toHaveLength(1);
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('keeps the executable bit of updated files', async () => {
    const { dir, store } = repo;
    const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: '#!/bin/sh\n' });
    const tree = git(dir, ['mktree'], { input: `100755 blob ${blob}\trun.sh\n` });
    const cliCommit = git(dir, ['commit-tree', tree, '-m', 'exec']);
    git(dir, ['update-ref', 'refs/heads/main', cliCommit, '']);

    const sha = await commitFiles(store, { 'run.sh': '#!/bin/sh\necho hi\n', 'new.sh': 'x' });
    expect(git(dir, ['ls-tree', sha]).split('\n').map((l) => l.split(' ')[0])).toEqual(['100644', '100755']);
  });

  it('rejects invalid paths with INVALID_PATH', async () => {
    const { store } = repo;
    const bad = ['/etc/passwd', '../x', 'a/../b', 'a/./b', './a', 'a//b', 'a/', '', 'a\\b', '.git/config', 'x/.GIT/y'];
    for (const path of bad) {
      const write = store.writeCommit({ parent: null, changes: [{ path, content: 'x' }], message: 'm', author: ALICE });
      await expect(write, path).rejects.toBeInstanceOf(InvalidPathError);
      await expect(write, path).rejects.toMatchObject({ code: 'INVALID_PATH' });
    }
    await expect(store.readFile('main', '../x')).rejects.toMatchObject({ code: 'INVALID_PATH' });
  });

  it('rejects conflicting change sets', async () => {
    const { store } = repo;
    const base = await commitFiles(store, { 'dir/file': '1', plain: '2' });
    const attempt = (changes: { path: string; content: string | null }[]) =>
      store.writeCommit({ parent: base, changes, message: 'm', author: ALICE });

    await expect(attempt([{ path: 'a', content: '1' }, { path: 'a', content: '2' }])).rejects.toMatchObject({
      code: 'INVALID_PATH',
    });
    await expect(attempt([{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }])).rejects.toMatchObject({
      code: 'INVALID_PATH',
    });
    await expect(attempt([{ path: 'dir', content: 'file over dir' }])).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(attempt([{ path: 'plain/child', content: 'dir over file' }])).rejects.toMatchObject({
      code: 'INVALID_PATH',
    });
    await expect(attempt([{ path: 'dir', content: null }])).rejects.toMatchObject({ code: 'INVALID_PATH' });

    // replacing a file by a directory is fine when the file is deleted in the same change set
    const sha = await attempt([
      { path: 'plain', content: null },
      { path: 'plain/child', content: 'ok' },
    ]);
    expect((await store.readFile(sha, 'plain/child'))!.toString()).toBe('ok');
  });

  it('leaves a repository that passes git fsck --strict after a batch of writes', async () => {
    const { dir, store } = repo;
    for (let i = 0; i < 25; i++) {
      await commitFiles(store, {
        [`services/svc-${i % 5}/values.yaml`]: `replicas: ${i}\n`,
        [`services/svc-${(i + 1) % 5}/values.yaml`]: i % 3 === 0 ? null : `tag: v${i}\n`,
        [`envs/${i % 2 ? 'prod' : 'stage'}/${i}.txt`]: Buffer.from([i, 0, 255]),
      });
    }
    expect(Number(git(dir, ['rev-list', '--count', 'main']))).toBe(25);
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });
});
