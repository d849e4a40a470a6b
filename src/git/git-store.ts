import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import NodeGit from 'nodegit';
import type { Commit, Odb, Oid, Repository, Tree } from 'nodegit';
import {
  InvalidRefNameError,
  RefConflictError,
  RefLockedError,
  RepositoryNotFoundError,
  RevisionNotFoundError,
} from './errors';
import { comparePaths, normalizeDirPath, normalizeFilePath } from './paths';
import { LooseObjectWriter, commitTreeId, parseTree, serializeCommit, serializeTree, type TreeEntry } from './objects';
import { buildTree, entryAt, type FileChange, type TreeObjects } from './tree-edit';

export type { FileChange } from './tree-edit';

export interface GitAuthor {
  name: string;
  email: string;
  when?: Date;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  authoredAt: Date;
  committedAt: Date;
}

export interface WriteCommitOptions {
  parent: string | null;
  changes: readonly FileChange[];
  message: string;
  author: GitAuthor;
  committer?: GitAuthor;
}

export interface CommitToBranchOptions {
  branch?: string;
  expectedHead: string | null;
  changes: readonly FileChange[];
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
const OBJ_TREE = 2;
const OBJ_TAG = 4;
const SORT_TOPOLOGICAL = 1;
const SORT_TIME = 2;
const INIT_BARE = 1;
const INIT_MKPATH = 16;

// Another writer holding refs/heads/<branch>.lock is usually done within milliseconds; retry
// so that the value check happens under our own lock and decides the race.
const LOCK_RETRY_DELAYS_MS = [2, 5, 10, 20, 40, 80, 150, 250];
const LOG_BATCH = 256;
// Trees and commits never change: what was read or written is kept (bounded by tree entries).
const CACHED_TREE_ENTRIES = 50_000;
const CACHED_COMMITS = 4_096;

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

/**
 * Copies native object data into a Buffer. nodegit's copy (Wrapper#toBuffer) calls the deprecated
 * `Buffer(size)`, which Node warns about unless called from node_modules, so it is called the way
 * nodegit's own Blob#content calls it.
 */
const copyContent = NodeGit.Blob.prototype.content as unknown as (this: { rawcontent(): unknown; rawsize(): number }) => Buffer;

/** A signature as a commit header writes it; libgit2 validates and trims name and email. */
function signatureText(person: GitAuthor, fallbackWhen: Date): string {
  const signature = toSignature(person, fallbackWhen);
  // git_signature__writebuf prints the time as an unsigned 32-bit number.
  return `${signature.name()} <${signature.email()}> ${signature.when().time() >>> 0} +0000`;
}

function signatureDate(sig: NodeGit.Signature): Date {
  return new Date(sig.when().time() * 1000);
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

/** Least recently used entries are dropped once their summed weight exceeds the capacity. */
class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.total -= previous.weight;
    }
    const weight = this.weigh(value);
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.capacity || oldest === key) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}

export class GitStore {
  private readonly objects: LooseObjectWriter;
  private odb: Promise<Odb> | null = null;
  private readonly trees = new BoundedCache<readonly TreeEntry[]>(CACHED_TREE_ENTRIES, (entries) => entries.length + 1);
  /** Commit id → its tree id. */
  private readonly commitTrees = new BoundedCache<string>(CACHED_COMMITS, () => 1);
  private readonly treeObjects: TreeObjects = {
    readTree: (id) => this.readTree(id),
    writeBlob: (content) => this.objects.write('blob', content),
    writeTree: async (entries) => {
      const id = await this.objects.write('tree', serializeTree(entries));
      this.trees.set(id, entries);
      return id;
    },
  };

  private constructor(
    readonly path: string,
    private readonly repo: Repository,
  ) {
    this.objects = new LooseObjectWriter(join(repo.path(), 'objects'));
  }

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
      const delta = diff.getDelta(i);
      paths.add(base + delta.oldFile().path());
      paths.add(base + delta.newFile().path());
    }
    return [...paths].sort(comparePaths);
  }

  async log(opts: LogOptions): Promise<CommitInfo[]> {
    const limit = opts.limit ?? Infinity;
    if (limit <= 0) return [];
    const from = await this.lookupCommit(opts.from);
    const walk = NodeGit.Revwalk.create(this.repo);
    walk.sorting(SORT_TOPOLOGICAL | SORT_TIME);
    walk.push(from.id());
    if (opts.until !== undefined) walk.hide((await this.lookupCommit(opts.until)).id());

    const result: CommitInfo[] = [];
    while (result.length < limit) {
      const batch = Math.min(LOG_BATCH, limit - result.length);
      const oids = (await walk.fastWalk(batch)) as unknown as Oid[];
      for (const oid of oids) {
        result.push(toCommitInfo(await NodeGit.Commit.lookup(this.repo, oid)));
      }
      if (oids.length < batch) break;
    }
    return result;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const [a, d] = await Promise.all([this.lookupCommit(ancestor), this.lookupCommit(descendant)]);
    if (a.id().equal(d.id())) return true;
    return Boolean(await NodeGit.Graph.descendantOf(this.repo, d.id(), a.id()));
  }

  /** Writes the commit and its new trees and blobs; no ref moves (refs only move by compare-and-swap). */
  async writeCommit(opts: WriteCommitOptions): Promise<string> {
    const parent = opts.parent === null ? null : await this.commitOf(opts.parent);
    const tree = await buildTree(this.treeObjects, parent?.tree ?? null, opts.changes);

    const now = new Date();
    const author = signatureText(opts.author, now);
    const committer = opts.committer ? signatureText(opts.committer, now) : author;
    // git CLI tools terminate messages with a newline; do the same so `git log` output matches.
    const message = opts.message.endsWith('\n') ? opts.message : `${opts.message}\n`;

    const parents = parent ? [parent.sha] : [];
    const sha = await this.objects.write('commit', serializeCommit({ tree, parents, author, committer, message }));
    this.commitTrees.set(sha, tree);
    return sha;
  }

  async updateBranch(branch: string, newSha: string, expectedOldSha: string | null): Promise<void> {
    const ref = branchRef(branch);
    const target = (await this.commitOf(newSha)).sha;
    await this.compareAndSwap(ref, target, expectedOldSha);
  }

  /** Drops the cached trees and commits, as a restart would (benchmarks measure cold writes with it). */
  forgetCachedObjects(): void {
    this.trees.clear();
    this.commitTrees.clear();
  }

  private async compareAndSwap(ref: string, targetSha: string, expectedOldSha: string | null): Promise<void> {
    const target = NodeGit.Oid.fromString(targetSha);
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
    const sha = await this.writeCommit({
      parent: opts.expectedHead,
      changes: opts.changes,
      message: opts.message,
      author: opts.author,
      committer: opts.committer,
    });
    // Just written, so known to be a commit: no lookup before moving the branch.
    await this.compareAndSwap(ref, sha, opts.expectedHead);
    return sha;
  }

  /** A commit's full id and tree id; RevisionNotFoundError if `rev` names no commit. */
  private async commitOf(rev: string): Promise<{ sha: string; tree: string }> {
    const sha = FULL_SHA.test(rev) ? rev.toLowerCase() : await this.resolveRevision(rev);
    let tree = this.commitTrees.get(sha);
    if (tree === undefined) {
      try {
        tree = commitTreeId(await this.readObject(sha, OBJ_COMMIT));
      } catch {
        // Missing object, or an object of another type (tree, blob, tag).
        throw new RevisionNotFoundError(rev);
      }
      this.commitTrees.set(sha, tree);
    }
    return { sha, tree };
  }

  private async readTree(id: string): Promise<readonly TreeEntry[]> {
    let entries = this.trees.get(id);
    if (!entries) {
      entries = parseTree(await this.readObject(id, OBJ_TREE));
      this.trees.set(id, entries);
    }
    return entries;
  }

  /** An object's raw content (one thread-pool round trip). */
  private async readObject(id: string, type: number): Promise<Buffer> {
    const odb = await (this.odb ??= this.repo.odb());
    const object = (await odb.read(NodeGit.Oid.fromString(id))) as NodeGit.OdbObject | null;
    if (!object || object.type() !== type) throw new Error(`object ${id} is missing or of another type`);
    return copyContent.call({ rawcontent: () => object.data(), rawsize: () => object.size() });
  }

  private async lookupCommit(rev: string): Promise<Commit> {
    const sha = FULL_SHA.test(rev) ? rev : await this.resolveRevision(rev);
    try {
      return await NodeGit.Commit.lookup(this.repo, NodeGit.Oid.fromString(sha));
    } catch {
      // Missing object, or an object of another type (tree, blob, tag).
      throw new RevisionNotFoundError(rev);
    }
  }

  private async rootTree(sha: string): Promise<Tree> {
    return (await this.lookupCommit(sha)).getTree();
  }

  private async subtree(root: Tree, dirPath: string): Promise<Tree | null> {
    if (dirPath === '') return root;
    const entry = await entryAt(root, dirPath);
    if (!entry || !entry.isTree()) return null;
    return NodeGit.Tree.lookup(this.repo, entry.id());
  }

  private async collectBlobs(tree: Tree, prefix: string, out: Map<string, Buffer>): Promise<void> {
    for (const entry of tree.entries()) {
      const path = prefix + entry.name();
      if (entry.isTree()) {
        await this.collectBlobs(await NodeGit.Tree.lookup(this.repo, entry.id()), `${path}/`, out);
      } else if (entry.isBlob()) {
        const blob = await NodeGit.Blob.lookup(this.repo, entry.id());
        out.set(path, blob.content());
      }
    }
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
