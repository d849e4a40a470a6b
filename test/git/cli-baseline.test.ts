import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitTreeWithGitCli, commitWithGitCli, GitStore, RefConflictError, type FileChange } from '../../src/git';
import { git, makeTempDir, removeDir } from '../kit/git-cli';
import { ALICE } from './fixture';

describe('commitWithGitCli (benchmark baseline)', () => {
  let storeDir: string;
  let cliDir: string;
  let store: GitStore;

  beforeEach(async () => {
    storeDir = makeTempDir();
    cliDir = makeTempDir();
    store = await GitStore.init(storeDir);
    git(cliDir, ['init', '--quiet', '--bare', '--initial-branch=main']);
  });
  afterEach(() => {
    removeDir(storeDir);
    removeDir(cliDir);
  });

  const changeSets: FileChange[][] = [
    [
      { path: 'README.md', content: '# repo\n' },
      { path: 'services/api/values.yaml', content: 'replicas: 1\n' },
      { path: 'services/api/templates/deploy.yaml', content: 'kind: Deployment\n' },
      { path: 'services/web/values.yaml', content: 'replicas: 2\n' },
      { path: 'bin/data', content: Buffer.from([0, 1, 2, 255]) },
    ],
    [
      { path: 'services/api/values.yaml', content: 'replicas: 3\n' },
      { path: 'services/api/templates/deploy.yaml', content: null },
      { path: 'services/db/deep/new.yaml', content: 'x: 1\n' },
      { path: 'README.md', content: null },
      { path: 'größe/🚀.txt', content: 'unicode' },
    ],
    [
      { path: 'services/web/values.yaml', content: null },
      { path: 'bin/data', content: null },
      { path: 'absent/file', content: null },
    ],
  ];

  it('produces the same trees and commits as GitStore for the same change sets', async () => {
    let storeHead: string | null = null;
    let cliHead: string | null = null;
    for (const [i, changes] of changeSets.entries()) {
      const author = { ...ALICE, when: new Date(Date.UTC(2024, 1, i + 1)) };
      storeHead = await store.commitToBranch({ expectedHead: storeHead, changes, message: `step ${i}`, author });
      cliHead = await commitWithGitCli(cliDir, cliHead, changes, `step ${i}`, author);

      expect(git(cliDir, ['rev-parse', 'main'])).toBe(cliHead);
      expect(git(cliDir, ['rev-parse', `${cliHead}^{tree}`])).toBe(await store.treeIdOf(storeHead, ''));
      // Same tree, parent, identity, date (UTC) and message: byte-identical commit objects.
      expect(cliHead).toBe(storeHead);
    }
    git(cliDir, ['fsck', '--strict', '--no-dangling']);
  });

  it('refuses to move a ref that is not at the expected parent', async () => {
    const first = await commitWithGitCli(cliDir, null, [{ path: 'a', content: '1' }], 'one', ALICE);
    await expect(commitWithGitCli(cliDir, null, [{ path: 'a', content: '2' }], 'two', ALICE)).rejects.toBeInstanceOf(
      RefConflictError,
    );
    expect(git(cliDir, ['rev-parse', 'main'])).toBe(first);
  });

  it('commitTreeWithGitCli writes the same commit as GitStore setting a directory to an earlier tree', async () => {
    const files = (tag: string, extra: Record<string, string | null> = {}): FileChange[] => [
      { path: 'tenants/acme/prod/services/api/values.yaml', content: `tag: ${tag}\n` },
      { path: 'tenants/acme/prod/environment.yaml', content: 'name: prod\n' },
      { path: 'tenants/acme/staging/environment.yaml', content: `name: ${tag}\n` },
      ...Object.entries(extra).map(([path, content]) => ({ path, content })),
    ];
    const author = (day: number) => ({ ...ALICE, when: new Date(Date.UTC(2024, 1, day)) });
    const target = await store.commitToBranch({ expectedHead: null, changes: files('v1'), message: 'one', author: author(1) });
    const head = await store.commitToBranch({
      expectedHead: target,
      changes: files('v2', { 'tenants/acme/prod/services/web/values.yaml': 'tag: w\n' }),
      message: 'two',
      author: author(2),
    });
    const treeId = (await store.treeIdOf(target, 'tenants/acme/prod'))!;
    const ours = await store.writeCommit({ parent: head, changes: [{ path: 'tenants/acme/prod', treeId }], message: 'back', author: author(3) });
    const theirs = await commitTreeWithGitCli(storeDir, head, [{ path: 'tenants/acme/prod', treeId }], 'back', author(3));
    expect(theirs).toBe(ours);
    expect(git(storeDir, ['rev-parse', 'main'])).toBe(theirs);
    expect(git(storeDir, ['rev-parse', `${theirs}:tenants/acme/prod`])).toBe(treeId);
    expect(git(storeDir, ['show', `${theirs}:tenants/acme/staging/environment.yaml`])).toBe('name: v2');
    git(storeDir, ['fsck', '--strict', '--no-dangling']);
  });
});
