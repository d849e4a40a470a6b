/**
 * GitStore encodes and writes commits, trees and blobs itself (src/git/objects.ts). These tests hold
 * that path to what libgit2 writes for the same input (Commit.create, Treebuilder), to git's own
 * reading of the objects, and to git plumbing after the caches are dropped or objects are packed.
 */
import fs from 'node:fs';
import path from 'node:path';
import NodeGit from 'nodegit';
import { describe, expect, it } from 'vitest';
import { commitWithGitCli, GitStore, type FileChange, type GitAuthor } from '../../src/git';
import { git, gitBuffer } from '../helpers/git-cli';
import { ALICE, commitFiles, useFreshRepo } from './fixture';

/** The commit libgit2 writes for the same tree, parent, signatures and message. */
async function libgit2Commit(dir: string, sha: string, author: GitAuthor, committer: GitAuthor, message: string): Promise<string> {
  const repo = await NodeGit.Repository.openBare(dir);
  const written = await NodeGit.Commit.lookup(repo, sha);
  const parents = await Promise.all(written.parents().map((oid) => NodeGit.Commit.lookup(repo, oid)));
  const signature = (person: GitAuthor) => NodeGit.Signature.create(person.name, person.email, Math.floor(person.when!.getTime() / 1000), 0);
  const oid = await NodeGit.Commit.create(
    repo,
    null as unknown as string,
    signature(author),
    signature(committer),
    null as unknown as string,
    message.endsWith('\n') ? message : `${message}\n`,
    await written.getTree(),
    parents.length,
    parents,
  );
  return oid.tostrS();
}

/** A tree object written as given (git mktree would normalise its modes). */
function literalTree(dir: string, entries: Array<{ mode: string; name: string; id: string }>): string {
  const content = Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.id, 'hex')])));
  return git(dir, ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'], { input: content });
}

function looseFiles(dir: string): string[] {
  const objects = path.join(dir, 'objects');
  return fs
    .readdirSync(objects)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => fs.readdirSync(path.join(objects, d)).map((f) => path.join(objects, d, f)));
}

describe('objects written by GitStore', () => {
  const repo = useFreshRepo();

  it('commits are byte for byte the ones libgit2 writes', async () => {
    const { dir, store } = repo;
    const people: Array<[GitAuthor, GitAuthor | undefined]> = [
      [ALICE, undefined],
      [{ name: '  Zoë Ünicode\t', email: ' zoe@example.com ', when: new Date('2024-05-06T07:08:09.999Z') }, undefined],
      [ALICE, { name: 'Backtrack Bot', email: 'bot@example.com', when: new Date('1960-01-01T00:00:00Z') }],
      [{ name: '服务', email: 'x@例子.测试', when: new Date('2200-01-01T00:00:00Z') }, ALICE],
    ];
    const messages = ['one line', 'ends with newline\n', 'Subject\n\nBody: ünïcode ✓\n\n', '', 'before\0after'];
    let parent: string | null = null;
    for (const [author, committer] of people) {
      for (const message of messages) {
        const sha = await store.writeCommit({ parent, changes: [{ path: 'f', content: message }], message, author, committer });
        expect(await libgit2Commit(dir, sha, author, committer ?? author, message), JSON.stringify({ author, message })).toBe(sha);
        parent = sha;
      }
    }
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('rejects signatures libgit2 rejects', async () => {
    const { store } = repo;
    for (const author of [
      { ...ALICE, name: 'Eve <eve@example.com>' },
      { ...ALICE, email: 'a>b@example.com' },
      { ...ALICE, name: '   ' },
    ]) {
      await expect(store.writeCommit({ parent: null, changes: [{ path: 'f', content: 'x' }], message: 'm', author })).rejects.toThrow();
    }
  });

  it('trees are the ones libgit2 Treebuilder writes, keeping unusual entries of the base as they are', async () => {
    const { dir, store } = repo;
    const blob = (text: string) => git(dir, ['hash-object', '-w', '--stdin'], { input: text });
    const sub = literalTree(dir, [{ mode: '100644', name: 'x', id: blob('x') }]);
    // Non-canonical and special modes, and names around the tree sort order (`a` a tree sorts as `a/`).
    const base = literalTree(dir, [
      { mode: '100644', name: 'a-b', id: blob('1') },
      { mode: '100664', name: 'a.b', id: blob('2') },
      { mode: '40000', name: 'a', id: sub },
      { mode: '100644', name: 'a0', id: blob('3') },
      { mode: '100755', name: 'run', id: blob('4') },
      { mode: '100775', name: 'run2', id: blob('5') },
      { mode: '100645', name: 'run3', id: blob('6') },
      { mode: '120000', name: 'link', id: blob('target') },
      { mode: '160000', name: 'module', id: 'f'.repeat(40) },
    ]);
    const root = literalTree(dir, [{ mode: '40000', name: 'd', id: base }]);
    const baseCommit = git(dir, ['commit-tree', root, '-m', 'base']);
    git(dir, ['update-ref', 'refs/heads/main', baseCommit]);

    const nodegitRepo = await NodeGit.Repository.openBare(dir);
    const baseTree = await NodeGit.Tree.lookup(nodegitRepo, base);
    const cases: Array<Array<[string, string | null]>> = [
      [['d/a-b', 'changed']],
      [['d/run2', 'changed']],
      [['d/run3', 'changed']],
      [['d/link', 'now a file']],
      [['d/module', 'now a file']],
      [['d/a.', 'new']],
      [['d/a0', null]],
      [['d/b', 'new'], ['d/a-b', null]],
    ];
    for (const changes of cases) {
      const sha = await store.writeCommit({ parent: baseCommit, changes: changes.map(([p, content]) => ({ path: p, content })), message: 'm', author: ALICE });
      const builder = await NodeGit.Treebuilder.create(nodegitRepo, baseTree);
      for (const [p, content] of changes) {
        const name = p.slice(2);
        const existing = builder.get(name) as NodeGit.TreeEntry | null;
        if (content === null) {
          builder.remove(name);
          continue;
        }
        const id = await NodeGit.Blob.createFromBuffer(nodegitRepo, Buffer.from(content), Buffer.byteLength(content));
        await builder.insert(name, id, existing?.filemode() === 0o100755 ? 0o100755 : 0o100644);
      }
      expect(await store.treeIdOf(sha, 'd'), JSON.stringify(changes)).toBe((await builder.write()).tostrS());
    }
  });

  it('match git plumbing after the caches are dropped, from a reopened store and from packed objects', async () => {
    const { dir, store } = repo;
    const cliDir = `${dir}-cli`;
    git(cliDir, ['init', '--quiet', '--bare', '--initial-branch=main']);
    try {
      const steps: FileChange[][] = [
        [{ path: 'tenants/a/prod/services/api/values.yaml', content: 'tag: v1\n' }, { path: 'tenants/a/prod/manifests/api.yaml', content: 'kind: x\n' }],
        [{ path: 'tenants/a/prod/services/web/values.yaml', content: 'tag: v1\n' }, { path: 'tenants/b/prod/env.yaml', content: 'e: 1\n' }],
        [{ path: 'tenants/a/prod/services/api/values.yaml', content: 'tag: v2\n' }, { path: 'tenants/b/prod/env.yaml', content: null }],
        [{ path: 'tenants/a/prod/services/web/values.yaml', content: null }, { path: 'top.txt', content: 'top' }],
      ];
      let stores = [store];
      let ours: string | null = null;
      let theirs: string | null = null;
      for (const [i, changes] of steps.entries()) {
        if (i === 1) store.forgetCachedObjects();
        if (i === 2) stores = [await GitStore.open(dir)];
        if (i === 3) {
          git(dir, ['gc', '--quiet', '--prune=now']);
          expect(looseFiles(dir)).toEqual([]);
          stores = [await GitStore.open(dir)];
        }
        ours = await stores[0]!.commitToBranch({ expectedHead: ours, changes, message: `step ${i}`, author: ALICE });
        theirs = await commitWithGitCli(cliDir, theirs, changes, `step ${i}`, ALICE);
        expect(git(dir, ['rev-parse', `${ours}^{tree}`]), `step ${i}`).toBe(git(cliDir, ['rev-parse', `${theirs}^{tree}`]));
        expect(ours, `step ${i}`).toBe(theirs);
      }
      git(dir, ['fsck', '--strict', '--no-dangling']);
    } finally {
      fs.rmSync(cliDir, { recursive: true, force: true });
    }
  });

  it('writes read-only loose objects without leftovers, and only freshens objects that exist', async () => {
    const { dir, store } = repo;
    const large = Buffer.alloc(600 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 251;
    const first = await commitFiles(store, { 'small.txt': 'hello\n', 'large.bin': large });
    expect(gitBuffer(dir, ['cat-file', 'blob', `${first}:large.bin`]).equals(large)).toBe(true);
    const files = looseFiles(dir);
    expect(files.filter((f) => path.basename(f).startsWith('tmp_'))).toEqual([]);
    for (const file of files) expect(fs.statSync(file).mode & 0o777).toBe(0o444);

    const blobPath = (sha: string) => path.join(dir, 'objects', sha.slice(0, 2), sha.slice(2));
    const small = blobPath(git(dir, ['rev-parse', `${first}:small.txt`]));
    const before = fs.statSync(small);
    fs.utimesSync(small, new Date('2020-01-01'), new Date('2020-01-01'));
    await commitFiles(store, { 'again.txt': 'hello\n' });
    const after = fs.statSync(small);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBeGreaterThan(new Date('2024-01-01').getTime());
    git(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('rejects names libgit2 refuses in trees (NTFS spellings of .git) as INVALID_PATH', async () => {
    const { store } = repo;
    for (const p of ['.git./x', 'a/.GIT ', 'git~1/config', 'a/GIT~1', '.git:stream']) {
      await expect(store.writeCommit({ parent: null, changes: [{ path: p, content: 'x' }], message: 'm', author: ALICE }), p).rejects.toMatchObject({
        code: 'INVALID_PATH',
      });
    }
    const sha = await store.writeCommit({ parent: null, changes: [{ path: '.gitignore', content: 'x' }, { path: 'git~10', content: 'y' }], message: 'm', author: ALICE });
    expect(await store.treeIdOf(sha, '')).not.toBeNull();
  });
});
