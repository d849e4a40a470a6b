import { describe, expect, it } from 'vitest';
import { RevisionNotFoundError } from '../../src/git';
import { DiffTreeSession } from '../../src/git/cli-reads';
import { waitUntil } from '../git-http/helpers';
import { git } from '../kit/git-cli';
import { processesWhose } from '../kit/processes';
import { ALICE, commitFiles, useFreshRepo } from './fixture';

const text = (buf: Buffer | null | undefined) => buf?.toString('utf8');

/** Running `git diff-tree` processes on the repository at `dir`. */
const diffTreeProcesses = (dir: string) => processesWhose((argv) => argv.includes('diff-tree') && argv.includes(dir));

describe('GitStore reads', () => {
  const repo = useFreshRepo();

  it('reads files and directories at old revisions', async () => {
    const { store } = repo;
    const v1 = await commitFiles(store, {
      'services/api/values.yaml': 'v: 1\n',
      'services/api/templates/deploy.yaml': 'kind: Deployment\n',
      'services/web/values.yaml': 'w: 1\n',
      'README.md': 'readme',
    });
    const v2 = await commitFiles(store, {
      'services/api/values.yaml': 'v: 2\n',
      'services/api/templates/deploy.yaml': null,
      'services/db/values.yaml': 'd: 1\n',
    });

    expect(text(await store.readFile(v1, 'services/api/values.yaml'))).toBe('v: 1\n');
    expect(text(await store.readFile(v2, 'services/api/values.yaml'))).toBe('v: 2\n');
    expect(await store.readFile(v2, 'services/api/templates/deploy.yaml')).toBeNull();
    expect(await store.readFile(v1, 'nope/none.yaml')).toBeNull();
    expect(await store.readFile(v1, 'services')).toBeNull(); // a directory is not a file

    const api1 = await store.readDirectory(v1, 'services/api');
    expect([...api1.entries()].map(([k, v]) => [k, v.toString()])).toEqual([
      ['templates/deploy.yaml', 'kind: Deployment\n'],
      ['values.yaml', 'v: 1\n'],
    ]);
    const api2 = await store.readDirectory(v2, 'services/api/');
    expect([...api2.keys()]).toEqual(['values.yaml']);
    expect((await store.readDirectory(v2, 'services/missing')).size).toBe(0);
    expect((await store.readDirectory(v2, 'README.md')).size).toBe(0);
    expect([...(await store.readDirectory(v1, '')).keys()]).toEqual([
      'README.md',
      'services/api/templates/deploy.yaml',
      'services/api/values.yaml',
      'services/web/values.yaml',
    ]);

    expect(await store.listDirectories(v1, 'services')).toEqual(['api', 'web']);
    expect(await store.listDirectories(v2, 'services')).toEqual(['api', 'db', 'web']);
    expect(await store.listDirectories(v2, '')).toEqual(['services']);
    expect(await store.listDirectories(v2, 'services/api')).toEqual([]);
    expect(await store.listDirectories(v2, 'absent')).toEqual([]);
  });

  it('reports subtree ids that change only when the subtree changes', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, { 'svc/a/values.yaml': '1', 'svc/b/values.yaml': '1' });
    const v2 = await commitFiles(store, { 'svc/b/values.yaml': '2' });

    expect(await store.treeIdOf(v1, 'svc/a')).toBe(await store.treeIdOf(v2, 'svc/a'));
    expect(await store.treeIdOf(v1, 'svc/b')).not.toBe(await store.treeIdOf(v2, 'svc/b'));
    expect(await store.treeIdOf(v2, 'svc/b')).toBe(git(dir, ['rev-parse', `${v2}:svc/b`]));
    expect(await store.treeIdOf(v2, 'svc/b/values.yaml')).toBe(git(dir, ['rev-parse', `${v2}:svc/b/values.yaml`]));
    expect(await store.treeIdOf(v2, '')).toBe(git(dir, ['rev-parse', `${v2}^{tree}`]));
    expect(await store.treeIdOf(v2, 'svc/zzz')).toBeNull();
  });

  it('resolves full, abbreviated and ref-name revisions', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, { a: '1' });
    const v2 = await commitFiles(store, { a: '2' });
    git(dir, ['tag', 'v1', v1]);
    git(dir, ['tag', '-a', 'v1-annotated', '-m', 'annotated', v1]);

    expect(await store.resolveRevision(v2)).toBe(v2);
    expect(await store.resolveRevision(v2.toUpperCase())).toBe(v2);
    expect(await store.resolveRevision(v1.slice(0, 7))).toBe(v1);
    expect(await store.resolveRevision(v1.slice(0, 4))).toBe(git(dir, ['rev-parse', `${v1.slice(0, 4)}^{commit}`]));
    expect(await store.resolveRevision('main')).toBe(v2);
    expect(await store.resolveRevision('refs/heads/main')).toBe(v2);
    expect(await store.resolveRevision('HEAD')).toBe(v2);
    expect(await store.resolveRevision('v1')).toBe(v1);
    expect(await store.resolveRevision('v1-annotated')).toBe(v1);
  });

  it('throws RevisionNotFoundError for unknown, malformed and non-commit revisions', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, { 'dir/a': '1' });
    const tree = git(dir, ['rev-parse', `${v1}^{tree}`]);
    const blob = git(dir, ['rev-parse', `${v1}:dir/a`]);
    const bad = [
      'f'.repeat(40),
      'deadbeef',
      'nope',
      'refs/heads/nope',
      '',
      'abc', // too short to be a sha
      'main~1',
      'main^',
      'HEAD@{0}',
      ':/change',
      `${v1}:dir/a`,
      'a..b',
      'with space',
      tree,
      tree.slice(0, 10),
      blob,
    ];
    for (const rev of bad) {
      const attempt = store.resolveRevision(rev);
      await expect(attempt, rev).rejects.toBeInstanceOf(RevisionNotFoundError);
      await expect(attempt, rev).rejects.toMatchObject({
        code: 'REVISION_NOT_FOUND',
        message: `revision not found: ${rev}`,
      });
    }
    await expect(store.commitInfo(tree)).rejects.toBeInstanceOf(RevisionNotFoundError);
    await expect(store.readFile('f'.repeat(40), 'a')).rejects.toBeInstanceOf(RevisionNotFoundError);
    await expect(store.readDirectory('nope', '')).rejects.toBeInstanceOf(RevisionNotFoundError);
  });

  it('lists changed paths like git diff --name-only', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, {
      'svc/a/values.yaml': '1',
      'svc/a/templates/x.yaml': 'x',
      'svc/b/values.yaml': '1',
      'top.txt': 't',
    });
    const v2 = await commitFiles(store, {
      'svc/a/values.yaml': '2',
      'svc/a/templates/x.yaml': null,
      'svc/c/new.yaml': 'n',
      'top.txt': null,
      'top.txt.d/inner': 'i',
    });
    const cli = (...args: string[]) => {
      const out = git(dir, ['-c', 'core.quotePath=false', 'diff', '--no-renames', '--name-only', ...args]);
      return out === '' ? [] : out.split('\n');
    };

    expect(await store.changedPaths(v1, v2)).toEqual(cli(v1, v2));
    expect(await store.changedPaths(v2, v1)).toEqual(cli(v2, v1));
    expect(await store.changedPaths(v1, v2, 'svc/a')).toEqual(cli(v1, v2, '--', 'svc/a'));
    expect(await store.changedPaths(v1, v2, 'svc/a')).toEqual(['svc/a/templates/x.yaml', 'svc/a/values.yaml']);
    expect(await store.changedPaths(v1, v2, 'svc/b')).toEqual([]);
    expect(await store.changedPaths(v1, v2, 'svc/c')).toEqual(['svc/c/new.yaml']);
    expect(await store.changedPaths(v1, v1)).toEqual([]);
    const emptyTree = git(dir, ['hash-object', '-t', 'tree', '/dev/null']);
    expect(await store.changedPaths(null, v2)).toEqual(cli(emptyTree, v2));
    expect(await store.changedPaths(null, v2, 'svc')).toEqual(cli(emptyTree, v2, '--', 'svc'));
  });

  it('diffs trees like git diff-tree -r, with blob ids and modes on both sides, and reads blobs by id', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, { 'svc/a/values.yaml': '1', 'svc/a/templates/x.yaml': 'x', 'svc/b/values.yaml': '1', 'top.txt': 't' });
    const v2 = await commitFiles(store, { 'svc/a/values.yaml': '2', 'svc/a/templates/x.yaml': null, 'svc/c/new.yaml': 'n', 'top.txt': null });
    const zero = '0'.repeat(40);
    const cli = (from: string, to: string, ...paths: string[]) =>
      git(dir, ['-c', 'core.quotePath=false', 'diff-tree', '-r', '--no-renames', from, to, '--', ...paths])
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [meta, path] = line.split('\t');
          const [oldMode, newMode, oldId, newId] = meta!.slice(1).split(' ');
          const mode = (text: string) => (Number.parseInt(text, 8) === 0 ? null : Number.parseInt(text, 8));
          return { path: path!, oldId: oldId === zero ? null : oldId!, newId: newId === zero ? null : newId!, oldMode: mode(oldMode!), newMode: mode(newMode!) };
        });
    expect(await store.diffTree(v1, v2)).toEqual(cli(v1, v2));
    expect(await store.diffTree(v1, v2, 'svc/a')).toEqual(cli(v1, v2, 'svc/a'));
    expect(await store.diffTree(v1, v2, 'svc/b')).toEqual([]);
    expect(await store.diffTree(v2, v2)).toEqual([]);
    const emptyTree = git(dir, ['hash-object', '-t', 'tree', '/dev/null']);
    expect(await store.diffTree(null, v2, 'svc')).toEqual(cli(emptyTree, v2, 'svc'));

    const changed = await store.diffTree(v1, v2, 'svc/a');
    const ids = changed.flatMap((c) => [c.oldId, c.newId]).filter((id): id is string => id !== null);
    const blobs = await store.readBlobs([...ids, ids[0]!, v1]);
    for (const id of ids) expect(blobs.get(id)?.toString()).toBe(git(dir, ['cat-file', 'blob', id]));
    expect(blobs.get(v1)).toBeNull(); // a commit id is not a blob
  });

  it('diffs many commits at once, or a few, exactly as diffTree does each', async () => {
    const { dir, store } = repo;
    // A history with adds, deletes, mode and type changes, a file named like the directory, and a merge.
    const lines: string[] = [];
    const commit = (n: number, ops: string[], extra = '') =>
      lines.push(`commit refs/heads/main\nmark :${n}\ncommitter CLI <cli@example.com> ${1_700_000_000 + n} +0000\ndata ${String(n).length + 1}\nc${n}\n${extra}${ops.join('')}`);
    const file = (path: string, text: string, mode = '100644') => `M ${mode} inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
    commit(1, [file('tenants/a/prod/values.yaml', 'v: 0\n'), file('tenants.txt', 't'), file('other/x', 'x')]);
    for (let n = 2; n <= 40; n++) {
      const ops = [file(`tenants/${'abc'[n % 3]}/prod/services/s${n % 4}/values.yaml`, `v: ${n}\n`)];
      if (n % 7 === 0) ops.push(`D tenants/${'abc'[(n + 1) % 3]}/prod/services/s${(n + 1) % 4}/values.yaml\n`);
      if (n === 10) ops.push(file('tenants/a/prod/run.sh', 'echo\n', '100755'));
      if (n === 11) ops.push(file('tenants/a/prod/run.sh', 'echo\n', '100644'));
      if (n === 12) ops.push(file('tenants/a/prod/link', 'values.yaml', '120000'));
      if (n === 13) ops.push(file('tenants.txt', 'changed'), file('other/x', 'y'));
      commit(n, ops, n === 20 ? 'from :15\n' : n === 21 ? 'merge :19\n' : '');
    }
    git(dir, ['fast-import', '--quiet'], { input: `${lines.join('')}` });
    const commits = (await store.log({ from: 'main' })).map((c) => ({ sha: c.sha, parent: c.parents[0] ?? null }));
    expect(commits.length).toBe(40);
    for (const prefix of ['tenants', '', 'tenants/a']) {
      const one = await Promise.all(commits.map(({ sha, parent }) => store.diffTree(parent, sha, prefix)));
      expect(await store.diffTrees(commits, prefix)).toEqual(one);
      expect(await store.diffTrees(commits.slice(0, 3), prefix)).toEqual(one.slice(0, 3));
    }
    const kinds = (await store.diffTrees(commits, 'tenants')).flat();
    expect(kinds.some((c) => c.oldId === null)).toBe(true);
    expect(kinds.some((c) => c.newId === null)).toBe(true);
    expect(kinds.some((c) => c.newMode === 0o100755)).toBe(true);
    expect(kinds.some((c) => c.newMode === 0o120000)).toBe(true);
    expect(kinds.every((c) => c.path.startsWith('tenants/'))).toBe(true);

    for (const missing of [{ sha: 'f'.repeat(40), parent: commits[0]!.sha }, { sha: commits[0]!.sha, parent: 'f'.repeat(40) }]) {
      await expect(store.diffTrees([...commits, missing], 'tenants')).rejects.toMatchObject({ code: 'REVISION_NOT_FOUND' });
    }
  });

  it('serves batch after batch through one git diff-tree process, starting another after git fails, ending it when idle', async () => {
    const { dir, store } = repo;
    // One commit adds 3,000 files: its output spans many pipe reads, so the end marker is searched across chunks.
    const lines: string[] = [];
    for (let n = 1; n <= 20; n++) {
      const count = n === 5 ? 3_000 : 2;
      const ops = Array.from({ length: count }, (_, i) => `M 100644 inline tenants/t/prod/services/s${n}-${i}/values.yaml\ndata 5\nv: ${n % 10}\n`);
      lines.push(`commit refs/heads/main\ncommitter CLI <cli@example.com> ${1_700_000_000 + n} +0000\ndata 2\nc\n${ops.join('')}`);
    }
    git(dir, ['fast-import', '--quiet'], { input: lines.join('') });
    const commits = (await store.log({ from: 'main' })).map((c) => ({ sha: c.sha, parent: c.parents[0] ?? null }));
    const expected = await Promise.all(commits.map(({ sha, parent }) => store.diffTree(parent, sha, 'tenants')));
    expect(expected.flat().length).toBeGreaterThan(3_000);

    const session = new DiffTreeSession(dir, 'tenants', 300);
    expect(await session.diffTrees(commits)).toEqual(expected);
    const first = diffTreeProcesses(dir);
    expect(first).toHaveLength(1);
    const [later, earlier] = await Promise.all([session.diffTrees(commits.slice(0, 4)), session.diffTrees(commits.slice(10))]);
    expect([later, earlier]).toEqual([expected.slice(0, 4), expected.slice(10)]);
    expect(diffTreeProcesses(dir)).toEqual(first);

    await expect(session.diffTrees([{ sha: commits[0]!.sha, parent: 'f'.repeat(40) }])).rejects.toMatchObject({ code: 'REVISION_NOT_FOUND' });
    expect(await session.diffTrees(commits)).toEqual(expected);
    const second = diffTreeProcesses(dir);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    // Killed while idle: the next batch is served by another process rather than written to a dead one.
    process.kill(second[0]!, 'SIGKILL');
    await waitUntil('no git diff-tree process left', () => diffTreeProcesses(dir).length === 0);
    expect(await session.diffTrees(commits.slice(0, 2))).toEqual(expected.slice(0, 2));
    expect(diffTreeProcesses(dir)).toHaveLength(1);
    await waitUntil('no git diff-tree process left', () => diffTreeProcesses(dir).length === 0);
    expect(diffTreeProcesses(dir)).toEqual([]);
  });

  it('walks history newest first, honouring until and limit', async () => {
    const { dir, store } = repo;
    const shas: string[] = [];
    for (let i = 0; i < 6; i++) {
      shas.push(
        await commitFiles(store, { [`f${i}`]: String(i) }, `commit ${i}`, {
          ...ALICE,
          when: new Date(Date.UTC(2024, 0, 1 + i)),
        }),
      );
    }
    const newestFirst = [...shas].reverse();

    const all = await store.log({ from: 'main' });
    expect(all.map((c) => c.sha)).toEqual(newestFirst);
    expect(all.map((c) => c.sha)).toEqual(git(dir, ['log', '--format=%H', 'main']).split('\n'));
    expect(all[0]!.message).toBe('commit 5');
    expect(all[0]!.parents).toEqual([shas[4]]);

    expect((await store.log({ from: shas[5]!, until: shas[2]! })).map((c) => c.sha)).toEqual([
      shas[5],
      shas[4],
      shas[3],
    ]);
    expect((await store.log({ from: shas[5]!, limit: 2 })).map((c) => c.sha)).toEqual([shas[5], shas[4]]);
    expect(await store.log({ from: shas[5]!, until: shas[5]! })).toEqual([]);
    expect(await store.log({ from: shas[5]!, limit: 0 })).toEqual([]);
    await expect(store.log({ from: 'nope' })).rejects.toBeInstanceOf(RevisionNotFoundError);
  });

  it('walks merge history like git log --date-order (children first, then newest)', async () => {
    const { dir, store } = repo;
    const at = (day: number) => ({ ...ALICE, when: new Date(Date.UTC(2024, 0, day)) });
    const base = await commitFiles(store, { f: '0' }, 'base', at(1));
    const side1 = await store.writeCommit({ parent: base, changes: [{ path: 's', content: '1' }], message: 's1', author: at(2) });
    const main1 = await commitFiles(store, { m: '1' }, 'm1', at(3));
    const side2 = await store.writeCommit({ parent: side1, changes: [{ path: 's', content: '2' }], message: 's2', author: at(4) });
    const main2 = await commitFiles(store, { m: '2' }, 'm2', at(5));
    const merge = git(dir, ['commit-tree', `${side2}^{tree}`, '-p', main2, '-p', side2, '-m', 'merge'], {
      env: { GIT_AUTHOR_DATE: '@1704585600 +0000', GIT_COMMITTER_DATE: '@1704585600 +0000' },
    });
    git(dir, ['update-ref', 'refs/heads/main', merge, main2]);

    const log = (await store.log({ from: 'main' })).map((c) => c.sha);
    expect(log).toEqual(git(dir, ['log', '--date-order', '--format=%H', 'main']).split('\n'));
    expect(log).toEqual([merge, main2, side2, main1, side1, base]);
    expect((await store.commitInfo(merge)).parents).toEqual([main2, side2]);
    expect((await store.log({ from: 'main', until: main1 })).map((c) => c.sha).sort()).toEqual(
      git(dir, ['rev-list', `${main1}..main`]).split('\n').sort(),
    );
  });

  it('reads a long history with one git process exactly as libgit2 reads each commit', async () => {
    const { dir, store } = repo;
    const lines: string[] = [];
    for (let n = 1; n <= 80; n++) {
      const message = n % 5 === 0 ? `Release ${n}\n\nBody line ünïcødé\n\nRollback Request ID: rbk-${n}\n\n\n` : `c${n}`;
      lines.push(
        `commit refs/heads/main\nmark :${n}\nauthor Ann O'Neil ${n} <ann+${n}@example.com> ${1_700_000_000 + n} +0130\ncommitter CLI <cli@example.com> ${1_700_000_100 + n} -0500\n` +
          `data ${Buffer.byteLength(message)}\n${message}\n${n === 40 ? 'merge :20\n' : ''}M 100644 inline f${n % 7}\ndata ${String(n).length}\n${n}\n`,
      );
    }
    git(dir, ['fast-import', '--quiet'], { input: lines.join('') });
    // A signed commit: its gpgsig header runs over continuation lines.
    const head = git(dir, ['rev-parse', 'main']);
    const raw = git(dir, ['cat-file', 'commit', head]).replace(/\ncommitter [^\n]*/, (line) => `${line}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----`);
    const signed = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], { input: `${raw}\n` });
    git(dir, ['update-ref', 'refs/heads/main', signed]);

    const long = await store.log({ from: 'main' });
    expect(long.length).toBe(80);
    expect(long[0]!.sha).toBe(signed);
    expect(long.map((c) => c.sha)).toEqual(git(dir, ['log', '--date-order', '--format=%H', 'main']).split('\n'));
    expect(long).toEqual(await Promise.all(long.map((c) => store.commitInfo(c.sha))));
    expect(await store.log({ from: 'main', limit: 10 })).toEqual(long.slice(0, 10));
    expect(long.find((c) => c.message.startsWith('Release 5\n'))).toMatchObject({ authorName: "Ann O'Neil 5", authorEmail: 'ann+5@example.com', message: 'Release 5\n\nBody line ünïcødé\n\nRollback Request ID: rbk-5' });
    expect(long.some((c) => c.parents.length === 2)).toBe(true);
  });

  it('answers isAncestor', async () => {
    const { store } = repo;
    const a = await commitFiles(store, { f: '1' });
    const b = await commitFiles(store, { f: '2' });
    const side = await store.writeCommit({ parent: a, changes: [{ path: 'g', content: 'x' }], message: 's', author: ALICE });

    expect(await store.isAncestor(a, b)).toBe(true);
    expect(await store.isAncestor(b, a)).toBe(false);
    expect(await store.isAncestor(a, a)).toBe(true);
    expect(await store.isAncestor(a, side)).toBe(true);
    expect(await store.isAncestor(side, b)).toBe(false);
    expect(await store.isAncestor(a, 'main')).toBe(true);
    await expect(store.isAncestor('0'.repeat(40), b)).rejects.toBeInstanceOf(RevisionNotFoundError);
  });

  it('reads commits created by the git CLI', async () => {
    const { dir, store } = repo;
    const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: 'from cli\n' });
    const tree = git(dir, ['mktree'], { input: `100644 blob ${blob}\tcli.txt\n` });
    const nested = git(dir, ['mktree'], { input: `040000 tree ${tree}\tnested\n100644 blob ${blob}\ttop.txt\n` });
    const c1 = git(dir, ['commit-tree', nested, '-m', 'cli commit'], {
      env: { GIT_AUTHOR_DATE: '@1700000000 +0100', GIT_COMMITTER_DATE: '@1700000100 +0100' },
    });
    git(dir, ['update-ref', 'refs/heads/main', c1, '']);

    expect(await store.head()).toBe(c1);
    expect(text(await store.readFile(c1, 'nested/cli.txt'))).toBe('from cli\n');
    expect(await store.commitInfo(c1)).toEqual({
      sha: c1,
      parents: [],
      message: 'cli commit',
      authorName: 'CLI',
      authorEmail: 'cli@example.com',
      authoredAt: new Date(1700000000 * 1000),
      committedAt: new Date(1700000100 * 1000),
    });

    // and the store can build on top of it
    const c2 = await commitFiles(store, { 'nested/cli.txt': 'changed\n' });
    expect(git(dir, ['rev-parse', `${c2}^`])).toBe(c1);
    expect(git(dir, ['show', `${c2}:nested/cli.txt`])).toBe('changed');
    expect(git(dir, ['rev-parse', `${c2}:top.txt`])).toBe(blob);
  });

  it('sees objects and refs packed by git gc', async () => {
    const { dir, store } = repo;
    const v1 = await commitFiles(store, { a: '1' });
    git(dir, ['gc', '--quiet', '--prune=now']);
    expect(await store.head()).toBe(v1);
    expect(text(await store.readFile(v1, 'a'))).toBe('1');
    const v2 = await commitFiles(store, { a: '2' });
    expect(git(dir, ['rev-parse', 'main'])).toBe(v2);
    git(dir, ['fsck', '--strict']);
  });
});
