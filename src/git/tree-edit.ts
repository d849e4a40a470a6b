import NodeGit from 'nodegit';
import type { Oid, Repository, Tree, TreeEntry } from 'nodegit';
import { InvalidPathError } from './errors';
import { filePathSegments } from './paths';

export interface FileChange {
  path: string;
  /** `null` deletes the file. */
  content: string | Buffer | null;
}

/**
 * Points the directory at `path` to an existing tree of the repository, replacing whatever was there:
 * a directory restored as another revision had it, without rewriting (or even reading) its files.
 */
export interface TreeEntryChange {
  path: string;
  treeId: string;
}

export type RepositoryChange = FileChange | TreeEntryChange;

export function isTreeEntryChange(change: RepositoryChange): change is TreeEntryChange {
  return typeof (change as TreeEntryChange).treeId === 'string';
}

// git_filemode_t values; the @types const enums are unusable under isolatedModules.
export const FILEMODE = {
  TREE: 0o040000,
  BLOB: 0o100644,
  BLOB_EXECUTABLE: 0o100755,
} as const;
// git_tree_update_t
const TREE_UPDATE_UPSERT = 0;
const TREE_UPDATE_REMOVE = 1;
const GIT_ENOTFOUND = -3;

/** A change set grouped by directory, so that each touched tree is rebuilt exactly once. */
interface DirNode {
  files: Map<string, Buffer | null>;
  /** Entries set to an existing tree. */
  trees: Map<string, Oid>;
  dirs: Map<string, DirNode>;
}

function emptyNode(): DirNode {
  return { files: new Map(), trees: new Map(), dirs: new Map() };
}

interface NormalizedChange {
  path: string;
  segments: string[];
  content: Buffer | null;
  /** Set for a tree entry change (content is then null and unused). */
  tree?: Oid;
}

const OBJECT_ID = /^[0-9a-f]{40}$/i;

function normalizeChanges(changes: readonly RepositoryChange[]): NormalizedChange[] {
  const seen = new Set<string>();
  return changes.map((change) => {
    const segments = filePathSegments(change.path);
    const path = segments.join('/');
    if (seen.has(path)) {
      throw new InvalidPathError(change.path, 'path appears more than once in the change set');
    }
    seen.add(path);
    if (isTreeEntryChange(change)) {
      if (!OBJECT_ID.test(change.treeId)) throw new InvalidPathError(change.path, `"${change.treeId}" is not a tree id`);
      return { path, segments, content: null, tree: NodeGit.Oid.fromString(change.treeId) };
    }
    const content =
      change.content === null
        ? null
        : typeof change.content === 'string'
          ? Buffer.from(change.content, 'utf8')
          : change.content;
    return { path, segments, content };
  });
}

function planChanges(changes: readonly NormalizedChange[]): DirNode {
  const root = emptyNode();
  for (const { segments, content, tree } of changes) {
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      let child = node.dirs.get(segment);
      if (!child) node.dirs.set(segment, (child = emptyNode()));
      node = child;
    }
    const name = segments[segments.length - 1]!;
    if (tree) node.trees.set(name, tree);
    else node.files.set(name, content);
  }
  assertNoFileDirClash(root, '');
  return root;
}

// Writing file `a` and anything under `a/` in the same change set cannot both hold; nor can setting
// directory `a` to a tree and changing something below it.
function assertNoFileDirClash(node: DirNode, prefix: string): void {
  for (const [name, child] of node.dirs) {
    if (node.files.get(name) != null) {
      throw new InvalidPathError(prefix + name, 'written both as a file and as a directory');
    }
    if (node.trees.has(name)) {
      throw new InvalidPathError(prefix + name, 'set to a tree and changed below in the same change set');
    }
    assertNoFileDirClash(child, `${prefix}${name}/`);
  }
}

function hasWrites(node: DirNode): boolean {
  if (node.trees.size > 0) return true;
  for (const content of node.files.values()) if (content !== null) return true;
  for (const child of node.dirs.values()) if (hasWrites(child)) return true;
  return false;
}

// Keep the executable bit of an updated file; everything else becomes a regular file.
function modeFor(existing: TreeEntry | null): number {
  return existing?.filemode() === FILEMODE.BLOB_EXECUTABLE ? FILEMODE.BLOB_EXECUTABLE : FILEMODE.BLOB;
}

function entryOf(builder: NodeGit.Treebuilder, name: string): TreeEntry | null {
  return (builder.get(name) as TreeEntry | null | undefined) ?? null;
}

/**
 * General path: one Treebuilder per touched directory, each rebuilt once however many changes it
 * holds, so no intermediate trees are written. Returns null when the resulting directory is
 * empty (the caller drops it), except at the root.
 */
async function applyNode(
  repo: Repository,
  base: Tree | null,
  node: DirNode,
  prefix: string,
): Promise<Oid | null> {
  const builder = await NodeGit.Treebuilder.create(repo, base ?? undefined);

  for (const [name, content] of node.files) {
    const path = prefix + name;
    const existing = entryOf(builder, name);
    if (existing?.isTree() && !node.dirs.has(name)) {
      throw new InvalidPathError(path, 'is a directory in the parent tree');
    }
    if (content === null) {
      if (existing && !existing.isTree()) builder.remove(name);
      continue;
    }
    const blobId = await NodeGit.Blob.createFromBuffer(repo, content, content.length);
    await builder.insert(name, blobId, modeFor(existing));
  }

  for (const [name, tree] of node.trees) await builder.insert(name, tree, FILEMODE.TREE);

  for (const [name, child] of node.dirs) {
    const path = prefix + name;
    const existing = entryOf(builder, name);
    let childBase: Tree | null = null;
    if (existing) {
      if (existing.isTree()) {
        childBase = await NodeGit.Tree.lookup(repo, existing.id());
      } else if (hasWrites(child)) {
        throw new InvalidPathError(path, 'is a file in the parent tree');
      } else {
        continue; // only deletions below a path that is a file: nothing to delete
      }
    } else if (!hasWrites(child)) {
      continue; // deletions inside a directory that does not exist
    }
    const childId = await applyNode(repo, childBase, child, `${path}/`);
    if (childId === null) {
      if (existing) builder.remove(name);
    } else {
      await builder.insert(name, childId, FILEMODE.TREE);
    }
  }

  if (prefix !== '' && builder.entrycount() === 0) return null;
  return builder.write();
}

/** The entry at `path` (slash-separated, relative to `tree`), or null if there is none. */
export async function entryAt(tree: Tree, path: string): Promise<TreeEntry | null> {
  try {
    return await tree.entryByPath(path);
  } catch (err) {
    if ((err as { errno?: number }).errno === GIT_ENOTFOUND) return null;
    throw err;
  }
}

/** Change sets up to this size take the per-change git_tree_create_updated path. */
const FEW_CHANGES = 4;

type TreeUpdate = { action: number; filemode: number; path: string; id: Oid };

/**
 * Fast path for small change sets (a release edits one file; a FIELD rollback writes a values file
 * and its manifest): one git_tree_create_updated call per change rewrites that change's whole path
 * in one native round trip, where a Treebuilder per level costs three round trips per directory.
 * Several changes below one directory (a tenant-environment's) are applied to that directory's tree,
 * which then goes into the root in one more call: the trees above it are written once, not once per
 * change (each loose object is a file created on disk). Returns undefined when the general path must
 * decide (e.g. a path component is a file), which reports precisely.
 */
async function applyFew(repo: Repository, base: Tree, changes: readonly NormalizedChange[]): Promise<Oid | undefined> {
  // Blobs are written while the trees are looked up: they do not depend on them. (Marked handled
  // here, since a failed lookup may return first; applyEach still awaits them and sees a failure.)
  const blobs = Promise.all(changes.map((change) => (change.content === null ? null : NodeGit.Blob.createFromBuffer(repo, change.content, change.content.length))));
  blobs.catch(() => undefined);
  const common = commonDirectory(changes);
  // Deleting the last files of that directory would leave it empty, which only the general path drops.
  if (common === null || changes.some((change) => change.content === null && !change.tree)) return applyEach(repo, base, changes, blobs);
  const entry = await entryAt(base, common);
  if (!entry?.isTree()) return applyEach(repo, base, changes, blobs);
  const below = changes.map((change) => ({ ...change, path: change.path.slice(common.length + 1), segments: change.segments.slice(common.split('/').length) }));
  const id = await applyEach(repo, await NodeGit.Tree.lookup(repo, entry.id()), below, blobs);
  return id && createUpdated(repo, base, { action: TREE_UPDATE_UPSERT, filemode: FILEMODE.TREE, path: common, id });
}

/** The deepest directory holding every change, when there are several and it is not the root. */
function commonDirectory(changes: readonly NormalizedChange[]): string | null {
  if (changes.length < 2) return null;
  let common = changes[0]!.segments.slice(0, -1);
  for (const { segments } of changes) {
    let same = 0;
    while (same < common.length && same < segments.length - 1 && common[same] === segments[same]) same++;
    common = common.slice(0, same);
  }
  return common.length === 0 ? null : common.join('/');
}

/**
 * The changes (their blobs `written`) applied to `base`, one git_tree_create_updated call each. The
 * trees of the intermediate states are written too and stay unreferenced (git gc prunes them). One
 * update per call: nodegit 0.28.0-alpha.36 keeps only the last converted update alive (one
 * cleanup-handle slot for the whole array), so calls with several updates read freed memory and fail.
 */
async function applyEach(repo: Repository, base: Tree, changes: readonly NormalizedChange[], written: Promise<Array<Oid | null>>): Promise<Oid | undefined> {
  // The paths are distinct and no path is another's directory, so every lookup can use the base tree.
  const [existing, blobs] = await Promise.all([Promise.all(changes.map((change) => entryAt(base, change.path))), written]);
  // A file change where the base has a directory, or a tree entry where it has a file: the general path reports or handles it.
  if (existing.some((entry, i) => (entry?.isTree() ?? false) !== Boolean(changes[i]!.tree) && entry !== null)) return undefined;
  const updates: TreeUpdate[] = [];
  changes.forEach((change, i) => {
    const entry = existing[i]!;
    const blob = blobs[i];
    if (change.tree) updates.push({ action: TREE_UPDATE_UPSERT, filemode: FILEMODE.TREE, path: change.path, id: change.tree });
    else if (blob) updates.push({ action: TREE_UPDATE_UPSERT, filemode: modeFor(entry), path: change.path, id: blob });
    // Deleting an absent file changes nothing.
    else if (entry) updates.push({ action: TREE_UPDATE_REMOVE, filemode: entry.filemode(), path: change.path, id: entry.id() });
  });
  let tree = base;
  let id = base.id();
  for (const [i, update] of updates.entries()) {
    const updated = await createUpdated(repo, tree, update);
    if (!updated) return undefined;
    id = updated;
    if (i < updates.length - 1) tree = await NodeGit.Tree.lookup(repo, id);
  }
  return id;
}

/** `tree` with one update applied and written; undefined when libgit2 refuses it (the general path reports why). */
async function createUpdated(repo: Repository, tree: Tree, update: TreeUpdate): Promise<Oid | undefined> {
  const create = tree.createUpdated as unknown as (repo: Repository, n: 1, updates: [TreeUpdate]) => Promise<Oid>;
  try {
    return await create.call(tree, repo, 1, [update]);
  } catch {
    return undefined;
  }
}

/**
 * Builds the tree of `base` (null = empty tree) with `changes` applied and writes it (and only
 * the trees that changed) to the object database.
 */
export async function buildTree(
  repo: Repository,
  base: Tree | null,
  changes: readonly RepositoryChange[],
  opts: { fewChangesFastPath?: boolean } = {},
): Promise<Oid> {
  const normalized = normalizeChanges(changes);
  if (base && normalized.length === 0) return base.id();
  const plan = planChanges(normalized);
  if (base && normalized.length <= FEW_CHANGES && opts.fewChangesFastPath !== false) {
    const id = await applyFew(repo, base, normalized);
    if (id) return id;
  }
  const id = await applyNode(repo, base, plan, '');
  return id!;
}
