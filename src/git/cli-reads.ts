import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { RevisionNotFoundError } from './errors';
import { comparePaths } from './paths';
import type { CommitInfo, TreeDiffEntry } from '../domain/ports';

const ZERO_SHA = '0'.repeat(40);
const SHA = /^[0-9a-f]{40}$/;

const DIFF_TREE_ARGS = ['diff-tree', '--stdin', '--always', '--root', '-r', '--raw', '--no-renames', '--no-abbrev', '-z'];

/**
 * Each commit compared with the parent given (null: a root commit), files below `dir` only, by
 * `git diff-tree --stdin`: for a long run of commits one process costs a fraction of the libgit2
 * round trips per commit (commit, root tree, subtree on both sides, then the diff). The same answer
 * as GitStore.diffTree per commit, in the same order.
 *
 * One process serves batch after batch (an indexing run): starting a process from a server with a
 * large heap takes tens of milliseconds of the event loop (fork copies its page tables). git echoes
 * a line that is no object id and flushes, so a batch's output ends at the marker line sent after
 * it. The process ends after `idleMs` without a batch, or when git fails (the next batch starts another).
 */
export class DiffTreeSession {
  private child: ChildProcessWithoutNullStreams | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly gitDir: string,
    private readonly dir: string,
    private readonly idleMs = 2_000,
  ) {}

  diffTrees(commits: ReadonlyArray<{ sha: string; parent: string | null }>): Promise<TreeDiffEntry[][]> {
    const run = this.queue.then(() => this.run(commits));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    clearTimeout(this.idle);
    this.child?.stdin.end();
    this.child = null;
  }

  private async run(commits: ReadonlyArray<{ sha: string; parent: string | null }>): Promise<TreeDiffEntry[][]> {
    clearTimeout(this.idle);
    const reused = this.child;
    let output: Buffer;
    try {
      output = await this.send((this.child ??= this.start()), commits);
    } catch (error) {
      // A kept process may have died while idle, its close not seen yet: the batch goes to a fresh one once.
      if (!reused) throw error;
      output = await this.send((this.child = this.start()), commits);
    }
    if (this.child) this.idle = setTimeout(() => this.close(), this.idleMs).unref();
    return diffsInOrder(commits, parseRawDiffs(output.toString('utf8'), this.dir === '' ? '' : `${this.dir}/`));
  }

  /** The batch's raw output, up to its marker line. */
  private async send(child: ChildProcessWithoutNullStreams, commits: ReadonlyArray<{ sha: string; parent: string | null }>): Promise<Buffer> {
    holdsProcess(child, true);
    const marker = Buffer.from(`backtrack-end-${randomUUID()}\n`);
    const output = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const stderr: Buffer[] = [];
      // The end of what came before (a marker may span two chunks) and the new chunk.
      let tail = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        const window = Buffer.concat([tail, chunk]);
        const at = window.indexOf(marker);
        if (at < 0) {
          tail = window.subarray(Math.max(0, window.length - marker.length + 1));
          return;
        }
        done();
        const all = Buffer.concat(chunks);
        resolve(all.subarray(0, all.length - window.length + at));
      };
      const onStderr = (chunk: Buffer) => stderr.push(chunk);
      const onClose = (code: number | null) => {
        done();
        reject(gitFailure(DIFF_TREE_ARGS, code, Buffer.concat(stderr).toString('utf8')));
      };
      const done = () => {
        child.stdout.off('data', onData);
        child.stderr.off('data', onStderr);
        child.off('close', onClose);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onStderr);
      child.once('close', onClose);
      child.stdin.write(diffTreeInput(commits) + marker.toString('latin1'));
    });
    // An idle session never keeps the process alive (a CLI command exits once its work is done).
    holdsProcess(child, false);
    return output;
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', diffTreeArgs(this.gitDir, this.dir), { stdio: ['pipe', 'pipe', 'pipe'] });
    // Gone (failed, or ended while idle): the next batch starts another.
    child.once('close', () => {
      if (this.child === child) this.child = null;
    });
    child.on('error', () => undefined); // reported as its close
    child.stdin.on('error', () => undefined); // git exits early on a bad object; its exit status reports it
    return child;
  }
}

function holdsProcess(child: ChildProcessWithoutNullStreams, hold: boolean): void {
  // The pipes of a spawned process are sockets.
  for (const handle of [child, ...([child.stdin, child.stdout, child.stderr] as unknown as Socket[])]) {
    if (hold) handle.ref();
    else handle.unref();
  }
}

const diffTreeArgs = (gitDir: string, dir: string) => ['--literal-pathspecs', '--git-dir', gitDir, ...DIFF_TREE_ARGS, ...(dir === '' ? [] : ['--', dir])];

const diffTreeInput = (commits: ReadonlyArray<{ sha: string; parent: string | null }>) =>
  commits.map(({ sha, parent }) => (parent === null ? sha : `${sha} ${parent}`)).join('\n') + '\n';

function diffsInOrder(commits: ReadonlyArray<{ sha: string }>, byCommit: Map<string, TreeDiffEntry[]>): TreeDiffEntry[][] {
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

function gitFailure(args: readonly string[], code: number | null, stderr: string): Error {
  const message = stderr.trim();
  // A parent it cannot read ends the process: "Could not read <id>", "unable to parse commit <id>".
  const unreadable = /(?:could not read|unable to parse commit|bad object) ([0-9a-f]{40})/i.exec(message)?.[1];
  return unreadable ? new RevisionNotFoundError(unreadable) : new Error(`git ${args.join(' ')} failed (${code}): ${message}`);
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
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(stdout)) : reject(gitFailure(args, code, Buffer.concat(stderr).toString('utf8')))));
    child.stdin.end(input);
  });
}
