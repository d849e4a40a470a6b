import NodeGit from 'nodegit';
import type { Oid, Repository, Tree, TreeEntry } from 'nodegit';
import { InvalidPathError } from './errors';
import { filePathSegments } from './paths';

export interface FileChange {
  path: string;
  /** `null` deletes the file. */
  content: string | Buffer | null;
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
  dirs: Map<string, DirNode>;
}

function emptyNode(): DirNode {
  return { files: new Map(), dirs: new Map() };
}

interface NormalizedChange {
  path: string;
  segments: string[];
  content: Buffer | null;
}

function normalizeChanges(changes: readonly FileChange[]): NormalizedChange[] {
  const seen = new Set<string>();
  return changes.map((change) => {
    const segments = filePathSegments(change.path);
    const path = segments.join('/');
    if (seen.has(path)) {
      throw new InvalidPathError(change.path, 'path appears more than once in the change set');
    }
    seen.add(path);
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
  for (const { segments, content } of changes) {
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      let child = node.dirs.get(segment);
      if (!child) node.dirs.set(segment, (child = emptyNode()));
      node = child;
    }
    node.files.set(segments[segments.length - 1]!, content);
  }
  assertNoFileDirClash(root, '');
  return root;
}

// Writing file `a` and anything under `a/` in the same change set cannot both hold.
function assertNoFileDirClash(node: DirNode, prefix: string): void {
  for (const [name, child] of node.dirs) {
    if (node.files.get(name) != null) {
      throw new InvalidPathError(prefix + name, 'written both as a file and as a directory');
    }
    assertNoFileDirClash(child, `${prefix}${name}/`);
  }
}

function hasWrites(node: DirNode): boolean {
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

/**
 * Fast path for the common one-file change: a single git_tree_create_updated call rewrites the
 * whole path in one native round trip (about 1 ms per commit faster than one Treebuilder per
 * level). Only ever called with one update: nodegit 0.28.0-alpha.36 keeps only the last
 * converted update alive (one cleanup-handle slot for the whole array), so calls with several
 * updates read freed memory and fail. Returns undefined when the
 * general path must decide (e.g. a parent path component is a file), which reports precisely.
 */
async function applySingle(
  repo: Repository,
  base: Tree,
  change: NormalizedChange,
): Promise<Oid | undefined> {
  const existing = await entryAt(base, change.path);
  if (existing?.isTree()) return undefined;
  let update: { action: number; filemode: number; path: string; id: Oid };
  if (change.content === null) {
    if (!existing) return base.id(); // deleting an absent file changes nothing
    update = {
      action: TREE_UPDATE_REMOVE,
      filemode: existing.filemode(),
      path: change.path,
      id: existing.id(),
    };
  } else {
    const id = await NodeGit.Blob.createFromBuffer(repo, change.content, change.content.length);
    update = { action: TREE_UPDATE_UPSERT, filemode: modeFor(existing), path: change.path, id };
  }
  const createUpdated = base.createUpdated as unknown as (
    repo: Repository,
    n: 1,
    updates: [typeof update],
  ) => Promise<Oid>;
  try {
    return await createUpdated.call(base, repo, 1, [update]);
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
  changes: readonly FileChange[],
  opts: { singleChangeFastPath?: boolean } = {},
): Promise<Oid> {
  const normalized = normalizeChanges(changes);
  if (base && normalized.length === 1 && opts.singleChangeFastPath !== false) {
    const id = await applySingle(repo, base, normalized[0]!);
    if (id) return id;
  }
  if (base && normalized.length === 0) return base.id();
  const id = await applyNode(repo, base, planChanges(normalized), '');
  return id!;
}
