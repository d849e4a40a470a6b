import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import NodeGit from 'nodegit';
import type { Commit, Oid, Repository, Tree } from 'nodegit';
import {
  InvalidPathError,
  InvalidRefNameError,
  RefConflictError,
  RefLockedError,
  RepositoryNotFoundError,
  RevisionNotFoundError,
} from './errors';
import { comparePaths, normalizeDirPath, normalizeFilePath } from './paths';
import { StorageFullError } from '../domain/errors';
import type { CommitInfo, GitAuthor, GitRepository } from '../domain/ports';
import { commitsWithCli, DiffTreeSession } from './cli-reads';
import { buildTree, entryAt, isTreeEntryChange, type RepositoryChange } from './tree-edit';

export type { FileChange, RepositoryChange, TreeEntryChange } from './tree-edit';
/** The domain's port types, which this store implements. */
export type { CommitInfo, GitAuthor } from '../domain/ports';

/** A file that differs between two trees; a null id (and mode) means it is absent on that side. */
export interface TreeChange {
  path: string;
  oldId: string | null;
  newId: string | null;
  /** Git file modes (0o100644, 0o100755, 0o120000 symlink, 0o160000 submodule). */
  oldMode: number | null;
  newMode: number | null;
}

export interface WriteCommitOptions {
  parent: string | null;
  changes: readonly RepositoryChange[];
  message: string;
  author: GitAuthor;
  committer?: GitAuthor;
}

export interface CommitToBranchOptions {
  branch?: string;
  expectedHead: string | null;
  changes: readonly RepositoryChange[];
  message: string;
  author: GitAuthor;
  committer?: GitAuthor;
}

/**
 * History is walked newest first with parents never before their children (libgit2
 * TOPOLOGICAL|TIME), which matches `git log --date-order`.
 */
export interface LogOptions {
  from: string;
  /** Excluded together with its ancestors, like `git log until..from`. */
  until?: string;
  limit?: number;
}

const DEFAULT_BRANCH = 'main';
const ZERO_SHA = '0'.repeat(40);
const FULL_SHA = /^[0-9a-f]{40}$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{4,40}$/i;

// git_error_code / git_object_t / git_sort_t / init flag values (the @types const enums cannot be used
// under isolatedModules).
const GIT_ENOTFOUND = -3;
const GIT_EEXISTS = -4;
const GIT_ELOCKED = -14;
const GIT_EMODIFIED = -15;
const OBJ_COMMIT = 1;
// git_delta_t
const DELTA_ADDED = 1;
const DELTA_DELETED = 2;
const OBJ_TAG = 4;
const SORT_TOPOLOGICAL = 1;
const SORT_TIME = 2;
const INIT_BARE = 1;
const INIT_MKPATH = 16;

// Another writer holding refs/heads/<branch>.lock is usually done within milliseconds; retry
// so that the value check happens under our own lock and decides the race.
const LOCK_RETRY_DELAYS_MS = [2, 5, 10, 20, 40, 80, 150, 250];
const LOG_BATCH = 256;
/** From this many commits on, one git process reads the commits faster than libgit2 does one by one. */
const LOG_WITH_CLI_FROM = 64;

function errnoOf(err: unknown): number | undefined {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

function isNotFound(err: unknown): boolean {
  return errnoOf(err) === GIT_ENOTFOUND;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function toSignature(person: GitAuthor, fallbackWhen: Date): NodeGit.Signature {
  const when = person.when ?? fallbackWhen;
  // Always UTC: server-side commits should not depend on the host's time zone.
  return NodeGit.Signature.create(person.name, person.email, Math.floor(when.getTime() / 1000), 0);
}

function signatureDate(sig: NodeGit.Signature): Date {
  return new Date(sig.when().time() * 1000);
}

// Every tree entry and parent this store writes refers to an object it just wrote or read, so
// libgit2's existence check per referenced object (reads on every tree and commit write) is skipped.
const GIT_OPT_ENABLE_STRICT_OBJECT_CREATION = 14; // git_libgit2_opt_t; @types/nodegit lacks it
(NodeGit.Libgit2.opts as (option: number, value: number) => number)(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);

const RECENT_COMMITS = 64;

interface RecentCommit {
  commit: Commit;
  tree?: Promise<Tree>;
}

const LOOSE_REF = /^[0-9a-f]{40}\n?$/;

function branchRef(branch: string): string {
  const ref = `refs/heads/${branch}`;
  if (typeof branch !== 'string' || branch === '' || !NodeGit.Reference.isValidName(ref)) {
    throw new InvalidRefNameError(String(branch));
  }
  return ref;
}

// Accept only the forms we document: hex object names and plain ref names. This keeps the
// revparse mini-language (`main~2`, `:/text`, `@{-1}`, ...) out of API inputs.
function isAcceptableRevision(rev: string): boolean {
  if (typeof rev !== 'string' || rev === '') return false;
  if (ABBREVIATED_SHA.test(rev) || rev === 'HEAD') return true;
  const asRef = rev.startsWith('refs/') ? rev : `refs/heads/${rev}`;
  return Boolean(NodeGit.Reference.isValidName(asRef));
}


/** How many objects or deltas are handled between yields to the event loop. */
const YIELD_EVERY = 256;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class GitStore implements GitRepository {
  /** One `git diff-tree --stdin` process per directory for runs of batches (see DiffTreeSession). */
  private readonly diffTreeSessions = new Map<string, DiffTreeSession>();

  private constructor(
    readonly path: string,
    private readonly repo: Repository,
  ) {}

  static async open(repoDir: string): Promise<GitStore> {
    try {
      const stat = await fs.stat(repoDir);
      if (!stat.isDirectory()) throw new RepositoryNotFoundError(repoDir, 'not a directory');
    } catch (err) {
      if (err instanceof RepositoryNotFoundError) throw err;
      throw new RepositoryNotFoundError(repoDir, 'directory does not exist');
    }
    let repo: Repository;
    try {
      repo = await NodeGit.Repository.openBare(repoDir);
    } catch (err) {
      throw new RepositoryNotFoundError(repoDir, (err as Error).message);
    }
    return new GitStore(repoDir, repo);
  }

  static async init(repoDir: string): Promise<GitStore> {
    const repo = await NodeGit.Repository.initExt(repoDir, {
      flags: INIT_BARE | INIT_MKPATH,
      initialHead: DEFAULT_BRANCH,
    });
    return new GitStore(repoDir, repo);
  }

  static async openOrInit(repoDir: string): Promise<GitStore> {
    const entries = await fs.readdir(repoDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return entries.length === 0 ? GitStore.init(repoDir) : GitStore.open(repoDir);
  }

  async head(branch: string = DEFAULT_BRANCH): Promise<string | null> {
    const ref = branchRef(branch);
    const loose = this.looseRefTarget(ref);
    if (loose) return loose;
    try {
      const oid = await NodeGit.Reference.nameToId(this.repo, ref);
      return oid.tostrS();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Every history read checks main's head, and a round trip through libgit2's thread pool costs more
   * than the rest of the check. A loose ref file holding an object id is the ref's value (it takes
   * precedence over packed-refs), so that common case is read directly; anything else (packed,
   * symbolic, damaged) is left to libgit2.
   */
  private looseRefTarget(ref: string): string | null {
    let content: string;
    try {
      content = readFileSync(join(this.path, ref), 'latin1');
    } catch {
      return null;
    }
    return LOOSE_REF.test(content) ? content.slice(0, 40) : null;
  }

  async resolveRevision(rev: string): Promise<string> {
    if (!isAcceptableRevision(rev)) throw new RevisionNotFoundError(String(rev));
    let object: NodeGit.Object;
    try {
      object = await NodeGit.Revparse.single(this.repo, rev);
      if (object.type() === OBJ_TAG) object = await object.peel(OBJ_COMMIT);
    } catch {
      throw new RevisionNotFoundError(rev);
    }
    if (object.type() !== OBJ_COMMIT) throw new RevisionNotFoundError(rev);
    return object.id().tostrS();
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    return toCommitInfo(await this.lookupCommit(sha));
  }

  async readFile(sha: string, path: string): Promise<Buffer | null> {
    const filePath = normalizeFilePath(path);
    const tree = await this.rootTree(sha);
    const entry = await entryAt(tree, filePath);
    if (!entry || !entry.isBlob()) return null;
    const blob = await NodeGit.Blob.lookup(this.repo, entry.id());
    return blob.content(); // a copy, safe to keep after the blob is collected
  }

  async readDirectory(sha: string, dir: string): Promise<Map<string, Buffer>> {
    const dirPath = normalizeDirPath(dir);
    const files = new Map<string, Buffer>();
    const tree = await this.subtree(await this.rootTree(sha), dirPath);
    if (tree) await this.collectBlobs(tree, '', files);
    return files;
  }

  async listDirectories(sha: string, dir: string): Promise<string[]> {
    const dirPath = normalizeDirPath(dir);
    const tree = await this.subtree(await this.rootTree(sha), dirPath);
    if (!tree) return [];
    return tree
      .entries()
      .filter((entry) => entry.isTree())
      .map((entry) => entry.name());
  }

  async treeIdOf(sha: string, path: string): Promise<string | null> {
    const normalized = normalizeDirPath(path);
    const tree = await this.rootTree(sha);
    if (normalized === '') return tree.id().tostrS();
    const entry = await entryAt(tree, normalized);
    return entry ? entry.id().tostrS() : null;
  }

  async changedPaths(fromSha: string | null, toSha: string, prefix?: string): Promise<string[]> {
    const dirPath = normalizeDirPath(prefix ?? '');
    const toTree = await this.subtree(await this.rootTree(toSha), dirPath);
    const fromTree =
      fromSha === null ? null : await this.subtree(await this.rootTree(fromSha), dirPath);
    if (!toTree && !fromTree) return [];
    // Cheap exit for the common "nothing under this prefix changed" case.
    if (toTree && fromTree && toTree.id().equal(fromTree.id())) return [];

    const diff = await NodeGit.Diff.treeToTree(
      this.repo,
      fromTree as Tree,
      toTree as Tree,
      undefined,
    );
    const base = dirPath === '' ? '' : `${dirPath}/`;
    const paths = new Set<string>();
    for (let i = 0, n = diff.numDeltas(); i < n; i++) {
      // Thousands of deltas are read synchronously: other requests get the event loop in between.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      const delta = diff.getDelta(i);
      paths.add(base + delta.oldFile().path());
      paths.add(base + delta.newFile().path());
    }
    return [...paths].sort(comparePaths);
  }

  /**
   * The files that differ below `prefix` between two commits, with their blob ids: libgit2 compares
   * tree ids first, so only the directories that changed are descended into.
   */
  async diffTree(fromSha: string | null, toSha: string, prefix = ''): Promise<TreeChange[]> {
    const dirPath = normalizeDirPath(prefix);
    const [toTree, fromTree] = await Promise.all([
      this.rootTree(toSha).then((root) => this.subtree(root, dirPath)),
      fromSha === null ? Promise.resolve(null) : this.rootTree(fromSha).then((root) => this.subtree(root, dirPath)),
    ]);
    if (!toTree && !fromTree) return [];
    if (toTree && fromTree && toTree.id().equal(fromTree.id())) return [];
    const diff = await NodeGit.Diff.treeToTree(this.repo, fromTree as Tree, toTree as Tree, undefined);
    const base = dirPath === '' ? '' : `${dirPath}/`;
    const changes: TreeChange[] = [];
    for (let i = 0, n = diff.numDeltas(); i < n; i++) {
      // Thousands of deltas are read synchronously: other requests get the event loop in between.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      const delta = diff.getDelta(i);
      const oldFile = delta.oldFile();
      const newFile = delta.newFile();
      const status = delta.status();
      changes.push({
        path: base + (status === DELTA_DELETED ? oldFile.path() : newFile.path()),
        oldId: status === DELTA_ADDED ? null : oldFile.id().tostrS(),
        newId: status === DELTA_DELETED ? null : newFile.id().tostrS(),
        oldMode: status === DELTA_ADDED ? null : oldFile.mode(),
        newMode: status === DELTA_DELETED ? null : newFile.mode(),
      });
    }
    return changes.sort((a, b) => comparePaths(a.path, b.path));
  }

  /**
   * diffTree of many commits, each against the parent given, read by one `git diff-tree --stdin`
   * process kept for the directory. Git skips a subtree whose id is the same on both sides without
   * reading it, so a commit costs what it changed: libgit2's tree diff reads every entry of the trees
   * above (5 ms for one commit under 1,000 tenants, against 0.7 ms through the process).
   */
  async diffTrees(commits: ReadonlyArray<{ sha: string; parent: string | null }>, prefix = ''): Promise<TreeChange[][]> {
    const dir = normalizeDirPath(prefix);
    let session = this.diffTreeSessions.get(dir);
    if (!session) this.diffTreeSessions.set(dir, (session = new DiffTreeSession(this.path, dir)));
    return session.diffTrees(commits);
  }

  /** Blob contents by id (null for an id that is not a blob here). */
  async readBlobs(ids: readonly string[]): Promise<Map<string, Buffer | null>> {
    const unique = [...new Set(ids)];
    const blobs: Array<Buffer | null> = [];
    // In batches, each looked up in parallel: starting thousands of lookups (and copying out their
    // contents) at once would hold the event loop for a long stretch.
    for (let start = 0; start < unique.length; start += YIELD_EVERY) {
      if (start > 0) await yieldToEventLoop();
      const batch = unique.slice(start, start + YIELD_EVERY);
      blobs.push(
        ...(await Promise.all(
          batch.map((id) =>
            NodeGit.Blob.lookup(this.repo, NodeGit.Oid.fromString(id)).then(
              (blob) => blob.content(),
              () => null,
            ),
          ),
        )),
      );
    }
    return new Map(unique.map((id, i) => [id, blobs[i]!]));
  }

  async log(opts: LogOptions): Promise<CommitInfo[]> {
    const limit = opts.limit ?? Infinity;
    if (limit <= 0) return [];
    const from = await this.lookupCommit(opts.from);
    const walk = NodeGit.Revwalk.create(this.repo);
    walk.sorting(SORT_TOPOLOGICAL | SORT_TIME);
    walk.push(from.id());
    if (opts.until !== undefined) walk.hide((await this.lookupCommit(opts.until)).id());

    const oids: Oid[] = [];
    while (oids.length < limit) {
      const batch = Math.min(LOG_BATCH, limit - oids.length);
      const walked = (await walk.fastWalk(batch)) as unknown as Oid[];
      oids.push(...walked);
      if (walked.length < batch) break;
    }
    // A long history (indexing a push, a first start) is read by one git process; a few commits in
    // parallel through libgit2's thread pool.
    if (oids.length >= LOG_WITH_CLI_FROM) return commitsWithCli(this.path, oids.map((oid) => oid.tostrS()));
    const commits = await Promise.all(oids.map((oid) => NodeGit.Commit.lookup(this.repo, oid)));
    return commits.map(toCommitInfo);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const [a, d] = await Promise.all([this.lookupCommit(ancestor), this.lookupCommit(descendant)]);
    if (a.id().equal(d.id())) return true;
    return Boolean(await NodeGit.Graph.descendantOf(this.repo, d.id(), a.id()));
  }

  async writeCommit(opts: WriteCommitOptions): Promise<string> {
    const parent = opts.parent === null ? null : await this.lookupCommit(opts.parent);
    const baseTree = opts.parent === null ? null : await this.rootTree(opts.parent);
    await this.assertTreesExist(opts.changes);
    const treeId = await buildTree(this.repo, baseTree, opts.changes);
    const tree = await NodeGit.Tree.lookup(this.repo, treeId);

    const now = new Date();
    const author = toSignature(opts.author, now);
    const committer = opts.committer ? toSignature(opts.committer, now) : author;
    // git CLI tools terminate messages with a newline; do the same so `git log` output matches.
    const message = opts.message.endsWith('\n') ? opts.message : `${opts.message}\n`;

    const oid = await NodeGit.Commit.create(
      this.repo,
      null as unknown as string, // no ref update: refs only move through updateBranch (CAS)
      author,
      committer,
      null as unknown as string,
      message,
      tree,
      parent ? 1 : 0,
      parent ? [parent] : [],
    );
    return oid.tostrS();
  }

  /**
   * Tree entries are written without libgit2 checking what they point to (strict object creation is
   * off), so each tree a change set names is looked up first: a missing or empty tree would make a
   * commit git fsck rejects.
   */
  private async assertTreesExist(changes: readonly RepositoryChange[]): Promise<void> {
    await Promise.all(
      changes.filter(isTreeEntryChange).map(async (change) => {
        if (!FULL_SHA.test(change.treeId)) throw new InvalidPathError(change.path, `"${change.treeId}" is not a tree id`);
        const tree = await NodeGit.Tree.lookup(this.repo, NodeGit.Oid.fromString(change.treeId)).catch(() => null);
        if (!tree) throw new InvalidPathError(change.path, `tree ${change.treeId} does not exist in this repository`);
        if (tree.entryCount() === 0) throw new InvalidPathError(change.path, 'a directory cannot be set to the empty tree; delete its files instead');
      }),
    );
  }

  async updateBranch(branch: string, newSha: string, expectedOldSha: string | null): Promise<void> {
    await this.moveBranch(branchRef(branch), (await this.lookupCommit(newSha)).id(), expectedOldSha);
  }

  /** Compare-and-swap of `ref` to `target`, a commit known to exist. */
  private async moveBranch(ref: string, target: Oid, expectedOldSha: string | null): Promise<void> {
    const expectedSha =
      expectedOldSha === null
        ? null
        : FULL_SHA.test(expectedOldSha)
          ? expectedOldSha.toLowerCase()
          : await this.resolveRevision(expectedOldSha);
    // A zero old id means "must not exist" to libgit2's compare-and-swap.
    const expected = NodeGit.Oid.fromString(expectedSha ?? ZERO_SHA);
    const logMessage = `backtrack: update ${ref}`;

    for (let attempt = 0; ; attempt++) {
      try {
        await NodeGit.Reference.createMatching(this.repo, ref, target, 1, expected, logMessage);
        return;
      } catch (err) {
        const errno = errnoOf(err);
        if (errno === GIT_ELOCKED && attempt < LOCK_RETRY_DELAYS_MS.length) {
          await sleep(LOCK_RETRY_DELAYS_MS[attempt]!);
          continue;
        }
        if (errno === GIT_ELOCKED) throw new RefLockedError(ref, (err as Error).message);
        if (errno === GIT_EMODIFIED || errno === GIT_ENOTFOUND || errno === GIT_EEXISTS) {
          throw new RefConflictError(ref, expectedSha, (err as Error).message);
        }
        throw err;
      }
    }
  }

  async commitToBranch(opts: CommitToBranchOptions): Promise<string> {
    const ref = branchRef(opts.branch ?? DEFAULT_BRANCH);
    try {
      const sha = await this.writeCommit({
        parent: opts.expectedHead,
        changes: opts.changes,
        message: opts.message,
        author: opts.author,
        committer: opts.committer,
      });
      // The commit was just written: no need to look it up again before moving the branch.
      await this.moveBranch(ref, NodeGit.Oid.fromString(sha), opts.expectedHead);
      return sha;
    } catch (error) {
      // libgit2 reports ENOSPC in its message only; the branch has not moved.
      if (/no space left on device|ENOSPC|disk quota exceeded/i.test(String((error as Error).message))) {
        throw new StorageFullError('storage is full: the repository cannot store a new commit; nothing was written');
      }
      throw error;
    }
  }

  private async lookupCommit(rev: string): Promise<Commit> {
    return (await this.recentCommit(rev)).commit;
  }

  private async rootTree(rev: string): Promise<Tree> {
    const recent = await this.recentCommit(rev);
    recent.tree ??= recent.commit.getTree().catch((error: unknown) => {
      recent.tree = undefined;
      throw error;
    });
    return recent.tree;
  }

  /**
   * Commits (and their root trees) are looked up through a small cache of the latest ones: a
   * change reads and writes on top of the same few commits (head, the rollback target), and every
   * nodegit lookup is a thread-pool round trip. Commits and trees never change; only the number
   * kept is bounded.
   */
  private readonly recentCommits = new Map<string, Promise<RecentCommit>>();

  /** Drops the cached commits and trees (benchmarks measure cold reads with it). */
  forgetRecentCommits(): void {
    this.recentCommits.clear();
  }

  private recentCommit(rev: string): Promise<RecentCommit> {
    if (!FULL_SHA.test(rev)) return this.resolveRevision(rev).then((sha) => this.recentCommit(sha));
    const sha = rev.toLowerCase();
    let recent = this.recentCommits.get(sha);
    if (!recent) {
      recent = NodeGit.Commit.lookup(this.repo, NodeGit.Oid.fromString(sha)).then(
        (commit): RecentCommit => ({ commit }),
        () => {
          this.recentCommits.delete(sha);
          // Missing object, or an object of another type (tree, blob, tag).
          throw new RevisionNotFoundError(rev);
        },
      );
      if (this.recentCommits.size >= RECENT_COMMITS) this.recentCommits.delete(this.recentCommits.keys().next().value!);
      this.recentCommits.set(sha, recent);
    }
    return recent;
  }

  private async subtree(root: Tree, dirPath: string): Promise<Tree | null> {
    if (dirPath === '') return root;
    const entry = await entryAt(root, dirPath);
    if (!entry || !entry.isTree()) return null;
    return NodeGit.Tree.lookup(this.repo, entry.id());
  }

  /** Every entry is looked up at once (libgit2's thread pool serves several), then added in tree order. */
  private async collectBlobs(tree: Tree, prefix: string, out: Map<string, Buffer>): Promise<void> {
    const found = await Promise.all(
      tree.entries().map(async (entry): Promise<Map<string, Buffer> | null> => {
        const path = prefix + entry.name();
        if (entry.isTree()) {
          const below = new Map<string, Buffer>();
          await this.collectBlobs(await NodeGit.Tree.lookup(this.repo, entry.id()), `${path}/`, below);
          return below;
        }
        if (!entry.isBlob()) return null;
        return new Map([[path, (await NodeGit.Blob.lookup(this.repo, entry.id())).content()]]);
      }),
    );
    for (const files of found) for (const [path, content] of files ?? []) out.set(path, content);
  }
}

function toCommitInfo(commit: Commit): CommitInfo {
  const author = commit.author();
  const committer = commit.committer();
  const parents: string[] = [];
  for (let i = 0, n = commit.parentcount(); i < n; i++) {
    parents.push(commit.parentId(i).tostrS());
  }
  return {
    sha: commit.id().tostrS(),
    parents,
    message: commit.message().replace(/\n+$/, ''),
    authorName: author.name(),
    authorEmail: author.email(),
    authoredAt: signatureDate(author),
    committedAt: signatureDate(committer),
  };
}
