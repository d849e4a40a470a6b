import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitWithGitCli, GitStore, type FileChange } from '../../src/git';
import { git, makeTempDir, removeDir } from '../kit/git-cli';
import { ALICE } from './fixture';

// File names (f*) and directory names (d*) never coincide, so every generated change set is
// valid for both implementations; deletions of absent files and emptied directories are common.
const PATHS = [
  'f1',
  'f2',
  'd1/f1',
  'd1/f2',
  'd1/d2/f1',
  'd1/d2/d3/f1',
  'd2/f1',
  'd2/d1/f1',
  'd3/d3/f2',
];

const changeSet: fc.Arbitrary<FileChange[]> = fc
  .uniqueArray(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 5 })
  .chain((paths) =>
    fc.tuple(...paths.map((path) => fc.option(fc.string({ maxLength: 8 }), { nil: null }).map((content) => ({ path, content })))),
  );

describe('change sets (property)', () => {
  it('GitStore builds the same trees as git plumbing for any sequence of change sets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeSet, { minLength: 1, maxLength: 4 }), async (sets) => {
        const storeDir = makeTempDir();
        const cliDir = makeTempDir();
        try {
          const store = await GitStore.init(storeDir);
          git(cliDir, ['init', '--quiet', '--bare', '--initial-branch=main']);
          let storeHead: string | null = null;
          let cliHead: string | null = null;
          for (const changes of sets) {
            storeHead = await store.commitToBranch({ expectedHead: storeHead, changes, message: 'm', author: ALICE });
            cliHead = await commitWithGitCli(cliDir, cliHead, changes, 'm', ALICE);
            expect(await store.treeIdOf(storeHead, '')).toBe(git(cliDir, ['rev-parse', `${cliHead}^{tree}`]));
          }
          git(storeDir, ['fsck', '--strict', '--no-dangling']);
        } finally {
          removeDir(storeDir);
          removeDir(cliDir);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('the few-changes fast path (git_tree_create_updated per change) and the Treebuilder path agree', async () => {
    const dir = makeTempDir();
    try {
      const store = await GitStore.init(dir);
      const base = await store.commitToBranch({
        expectedHead: null,
        changes: PATHS.filter((_, i) => i % 2 === 0).map((path) => ({ path, content: `base ${path}` })),
        message: 'base',
        author: ALICE,
      });
      const { buildTree } = await import('../../src/git/tree-edit');
      const NodeGit = (await import('nodegit')).default;
      const repo = await NodeGit.Repository.openBare(dir);
      const baseTree = await (await NodeGit.Commit.lookup(repo, base)).getTree();
      const withNewPath = fc.oneof(changeSet, fc.constant([{ path: 'new/deep/file', content: 'x' }, { path: 'd1/f1', content: null }]));
      await fc.assert(
        fc.asyncProperty(withNewPath, async (changes) => {
          const fast = await buildTree(repo, baseTree, changes);
          const general = await buildTree(repo, baseTree, changes, { fewChangesFastPath: false });
          expect(fast.tostrS(), JSON.stringify(changes)).toBe(general.tostrS());
        }),
        { numRuns: 200 },
      );
    } finally {
      removeDir(dir);
    }
  });
});
