import { spawn } from 'node:child_process';
import { RevisionNotFoundError } from './errors';
import { comparePaths } from './paths';
import type { TreeDiffEntry } from '../domain/ports';

const ZERO_SHA = '0'.repeat(40);
const SHA = /^[0-9a-f]{40}$/;

/**
 * Each commit compared with the parent given (null: a root commit), files below `dir` only, in one
 * `git diff-tree --stdin` process: for a long run of commits one process costs a fraction of the
 * libgit2 round trips per commit (commit, root tree, subtree on both sides, then the diff).
 * The same answer as GitStore.diffTree per commit, in the same order.
 */
export async function diffTreesWithCli(
  gitDir: string,
  commits: ReadonlyArray<{ sha: string; parent: string | null }>,
  dir: string,
): Promise<TreeDiffEntry[][]> {
  const input = commits.map(({ sha, parent }) => (parent === null ? sha : `${sha} ${parent}`)).join('\n');
  const args = ['--literal-pathspecs', '--git-dir', gitDir, 'diff-tree', '--stdin', '--always', '--root', '-r', '--raw', '--no-renames', '--no-abbrev', '-z'];
  const output = await runGit(args.concat(dir === '' ? [] : ['--', dir]), `${input}\n`);
  const byCommit = parseRawDiffs(output, dir === '' ? '' : `${dir}/`);
  return commits.map(({ sha }) => {
    const changes = byCommit.get(sha);
    // --always prints every commit it compared; one it could not read it skips without failing.
    if (!changes) throw new RevisionNotFoundError(sha);
    return changes;
  });
}

/** `<commit>\0` headers (--always: one per input line), each followed by `:<modes> <ids> <status>\0<path>\0` entries. */
function parseRawDiffs(output: string, base: string): Map<string, TreeDiffEntry[]> {
  const byCommit = new Map<string, TreeDiffEntry[]>();
  const tokens = output.split('\0');
  let current: TreeDiffEntry[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '') continue;
    if (token.startsWith(':')) {
      const [oldMode, newMode, oldId, newId] = token.slice(1).split(' ');
      const path = tokens[++i]!;
      // The pathspec also matches a file named like the directory; only what is below it counts.
      if (!current || !path.startsWith(base)) continue;
      current.push({
        path,
        oldId: oldId === ZERO_SHA ? null : oldId!,
        newId: newId === ZERO_SHA ? null : newId!,
        oldMode: oldId === ZERO_SHA ? null : parseInt(oldMode!, 8),
        newMode: newId === ZERO_SHA ? null : parseInt(newMode!, 8),
      });
    } else if (SHA.test(token)) {
      byCommit.set(token, (current = []));
    }
  }
  for (const changes of byCommit.values()) changes.sort((a, b) => comparePaths(a.path, b.path));
  return byCommit;
}

function runGit(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    // git exits early on a bad object; its exit status reports it.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const message = Buffer.concat(stderr).toString('utf8').trim();
      // A parent it cannot read ends the process: "Could not read <id>", "unable to parse commit <id>".
      const unreadable = /(?:could not read|unable to parse commit|bad object) ([0-9a-f]{40})/i.exec(message)?.[1];
      reject(unreadable ? new RevisionNotFoundError(unreadable) : new Error(`git diff-tree failed (${code}): ${message}`));
    });
    child.stdin.end(input);
  });
}
