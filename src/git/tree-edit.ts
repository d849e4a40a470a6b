import type { Tree, TreeEntry as NodeGitTreeEntry } from 'nodegit';
import { InvalidPathError } from './errors';
import { FILEMODE, canonicalMode, entryName, isTreeMode, type TreeEntry } from './objects';
import { filePathSegments } from './paths';

export interface FileChange {
  path: string;
  /** `null` deletes the file. */
  content: string | Buffer | null;
}

/** Where trees are read from and objects written to (GitStore: cached reads, loose-object writes). */
export interface TreeObjects {
  readTree(id: string): Promise<readonly TreeEntry[]>;
  writeBlob(content: Buffer): Promise<string>;
  writeTree(entries: readonly TreeEntry[]): Promise<string>;
}

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
  segments: string[];
  content: Buffer | null;
}

// libgit2 (core.protectNTFS, on by default) refuses these names in trees: they reach `.git` on Windows.
const NTFS_DOT_GIT = /^(?:\.git|git~1)(?:[\\:]|[ .]*$)/i;

function normalizeChanges(changes: readonly FileChange[]): NormalizedChange[] {
  const seen = new Set<string>();
  return changes.map((change) => {
    const segments = filePathSegments(change.path);
    const path = segments.join('/');
    if (seen.has(path)) {
      throw new InvalidPathError(change.path, 'path appears more than once in the change set');
    }
    seen.add(path);
    const reserved = segments.find((segment) => NTFS_DOT_GIT.test(segment));
    if (reserved !== undefined) throw new InvalidPathError(change.path, `'${reserved}' is not allowed as a path component`);
    const content =
      change.content === null
        ? null
        : typeof change.content === 'string'
          ? Buffer.from(change.content, 'utf8')
          : change.content;
    return { segments, content };
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
function modeFor(existing: TreeEntry | undefined): number {
  return existing && canonicalMode(existing.mode) === FILEMODE.BLOB_EXECUTABLE ? FILEMODE.BLOB_EXECUTABLE : FILEMODE.BLOB;
}

/** Like Promise.all, but on failure reports the first failure in order, not the first in time. */
async function allInOrder<T>(work: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * Rebuilds one directory of the change set on top of its base entries (none for a new directory);
 * subdirectories are rebuilt concurrently, and a path error is reported for the first offending
 * path in order, as a sequential rebuild would. Only trees whose entries changed are written.
 * Returns null when the directory ends up empty (the caller drops it), except at the root.
 */
async function applyNode(
  objects: TreeObjects,
  base: { id: string; entries: readonly TreeEntry[] } | null,
  node: DirNode,
  prefix: string,
): Promise<string | null> {
  const entries = new Map((base?.entries ?? []).map((entry) => [entry.name, entry]));
  let changed = false;
  const set = (name: string, mode: number, id: string) => {
    const existing = entries.get(name);
    if (existing?.mode === mode && existing.id === id) return;
    entries.set(name, { name, mode, id });
    changed = true;
  };
  const remove = (name: string) => {
    if (entries.delete(name)) changed = true;
  };

  const files: Array<Promise<void>> = [];
  for (const [segment, content] of node.files) {
    const name = entryName(segment);
    const existing = entries.get(name);
    if (existing && isTreeMode(existing.mode) && !node.dirs.has(segment)) {
      files.push(Promise.reject(new InvalidPathError(prefix + segment, 'is a directory in the parent tree')));
    } else if (content === null) {
      if (existing && !isTreeMode(existing.mode)) remove(name);
    } else {
      const mode = modeFor(existing);
      files.push(objects.writeBlob(content).then((id) => set(name, mode, id)));
    }
  }
  await allInOrder(files);

  const subdirectories: Array<{ name: string; build: Promise<string | null> }> = [];
  for (const [segment, child] of node.dirs) {
    const path = prefix + segment;
    const name = entryName(segment);
    const existing = entries.get(name);
    let build: Promise<string | null>;
    if (existing && isTreeMode(existing.mode)) {
      build = objects.readTree(existing.id).then((childEntries) => applyNode(objects, { id: existing.id, entries: childEntries }, child, `${path}/`));
    } else if (!hasWrites(child)) {
      continue; // only deletions, below a file or a directory that does not exist: nothing to delete
    } else if (existing) {
      build = Promise.reject(new InvalidPathError(path, 'is a file in the parent tree'));
    } else {
      build = applyNode(objects, null, child, `${path}/`);
    }
    subdirectories.push({ name, build });
  }
  const childIds = await allInOrder(subdirectories.map((subdirectory) => subdirectory.build));
  subdirectories.forEach(({ name }, i) => {
    const childId = childIds[i]!;
    if (childId === null) remove(name);
    else set(name, FILEMODE.TREE, childId);
  });

  if (prefix !== '' && entries.size === 0) return null;
  if (base && !changed) return base.id;
  return objects.writeTree([...entries.values()]);
}

/**
 * Writes the tree of `baseTreeId` (null = empty tree) with `changes` applied: the changed blobs and
 * the trees on their paths, nothing else. Returns the new tree's id.
 */
export async function buildTree(objects: TreeObjects, baseTreeId: string | null, changes: readonly FileChange[]): Promise<string> {
  const plan = planChanges(normalizeChanges(changes));
  const base = baseTreeId === null ? null : { id: baseTreeId, entries: await objects.readTree(baseTreeId) };
  return (await applyNode(objects, base, plan, ''))!;
}

/** The entry at `path` (slash-separated, relative to `tree`), or null if there is none. */
export async function entryAt(tree: Tree, path: string): Promise<NodeGitTreeEntry | null> {
  try {
    return await tree.entryByPath(path);
  } catch (err) {
    if ((err as { errno?: number }).errno === GIT_ENOTFOUND) return null;
    throw err;
  }
}
