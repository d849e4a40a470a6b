import { spawn } from 'node:child_process';
import { RevisionNotFoundError } from './errors';
import { comparePaths } from './paths';
import type { CommitInfo, TreeDiffEntry } from '../domain/ports';

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
  const output = (await runGit(args.concat(dir === '' ? [] : ['--', dir]), `${input}\n`)).toString('utf8');
  const byCommit = parseRawDiffs(output, dir === '' ? '' : `${dir}/`);
  return commits.map(({ sha }) => {
    const changes = byCommit.get(sha);
    // --always prints every commit it compared; one it could not read it skips without failing.
    if (!changes) throw new RevisionNotFoundError(sha);
    return changes;
  });
}

/**
 * The commits, in the order given, read raw by one `git cat-file --batch` process and parsed as
 * libgit2 parses them (message and signatures as stored, without re-encoding): what
 * GitStore.commitInfo answers, without one thread-pool round trip per commit and per field.
 */
export async function commitsWithCli(gitDir: string, shas: readonly string[]): Promise<CommitInfo[]> {
  const output = await runGit(['--git-dir', gitDir, 'cat-file', '--batch'], shas.map((sha) => `${sha}\n`).join(''));
  const commits: CommitInfo[] = [];
  let at = 0;
  for (const sha of shas) {
    const headerEnd = output.indexOf(0x0a, at);
    const [id, type, size] = output.toString('latin1', at, headerEnd).split(' ');
    if (type !== 'commit' || id !== sha) throw new RevisionNotFoundError(sha);
    const start = headerEnd + 1;
    commits.push(parseCommit(sha, output.toString('utf8', start, start + Number(size))));
    at = start + Number(size) + 1;
  }
  return commits;
}

function parseCommit(sha: string, raw: string): CommitInfo {
  const bodyAt = raw.indexOf('\n\n');
  const headers = bodyAt < 0 ? raw : raw.slice(0, bodyAt);
  const parents: string[] = [];
  let author: Signature | null = null;
  let committer: Signature | null = null;
  // Continuation lines (a signature's or a merge tag's) start with a space and belong to the header before.
  for (const line of headers.split('\n')) {
    if (line.startsWith('parent ')) parents.push(line.slice(7, 47));
    else if (line.startsWith('author ')) author = signatureOf(line.slice(7));
    else if (line.startsWith('committer ')) committer = signatureOf(line.slice(10));
  }
  if (!author || !committer) throw new Error(`commit ${sha} has no author or committer`);
  return {
    sha,
    parents,
    message: (bodyAt < 0 ? '' : raw.slice(bodyAt + 2)).replace(/\n+$/, ''),
    authorName: author.name,
    authorEmail: author.email,
    authoredAt: author.when,
    committedAt: committer.when,
  };
}

interface Signature {
  name: string;
  email: string;
  when: Date;
}

/** `Name <email> 1700000000 +0100`, split at the last `<` and `>` as libgit2 does. */
function signatureOf(text: string): Signature {
  const open = text.lastIndexOf('<');
  const close = text.lastIndexOf('>');
  const seconds = Number(text.slice(close + 1).trim().split(' ')[0]);
  return { name: text.slice(0, Math.max(0, open)).trim(), email: text.slice(open + 1, close), when: new Date(seconds * 1000) };
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

function runGit(args: string[], input: string): Promise<Buffer> {
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
      if (code === 0) return resolve(Buffer.concat(stdout));
      const message = Buffer.concat(stderr).toString('utf8').trim();
      // A parent it cannot read ends the process: "Could not read <id>", "unable to parse commit <id>".
      const unreadable = /(?:could not read|unable to parse commit|bad object) ([0-9a-f]{40})/i.exec(message)?.[1];
      reject(unreadable ? new RevisionNotFoundError(unreadable) : new Error(`git ${args.join(' ')} failed (${code}): ${message}`));
    });
    child.stdin.end(input);
  });
}
