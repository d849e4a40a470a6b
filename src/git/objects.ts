/**
 * Git's object encoding (SHA-1 object format) and the loose-object store commits are written to.
 *
 * Writing through libgit2 costs one thread-pool round trip per object (and per tree read), which
 * made up most of a commit's time; objects are small and their encoding is fixed, so they are
 * built, hashed and written here. The bytes are those libgit2 writes (tree entry order and mode
 * format of git_treebuilder_write, the commit layout of git_commit_create), so commit ids do not
 * depend on which of the two wrote them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

export const FILEMODE = {
  TREE: 0o040000,
  BLOB: 0o100644,
  BLOB_EXECUTABLE: 0o100755,
  LINK: 0o120000,
  COMMIT: 0o160000,
} as const;

const OID_BYTES = 20;
const TYPE_MASK = 0o170000;

export interface TreeEntry {
  /** The name's bytes as a latin1 string: compares and sorts like git compares bytes. */
  name: string;
  /** As stored (a tree may hold non-canonical modes, which are kept for unchanged entries). */
  mode: number;
  /** Hex object id. */
  id: string;
}

export function isTreeMode(mode: number): boolean {
  return (mode & TYPE_MASK) === FILEMODE.TREE;
}

/** libgit2's git_tree_entry_filemode: the canonical mode a stored one stands for. */
export function canonicalMode(mode: number): number {
  if (isTreeMode(mode)) return FILEMODE.TREE;
  if (mode & 0o100) return FILEMODE.BLOB_EXECUTABLE; // GIT_PERMS_IS_EXEC: the owner bit only
  if ((mode & TYPE_MASK) === FILEMODE.COMMIT) return FILEMODE.COMMIT;
  if ((mode & TYPE_MASK) === FILEMODE.LINK) return FILEMODE.LINK;
  return FILEMODE.BLOB;
}

/** A path segment (JavaScript string) as a tree entry name. */
export function entryName(segment: string): string {
  return Buffer.from(segment, 'utf8').toString('latin1');
}

export function objectId(type: ObjectType, content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

export function parseTree(content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = space < 0 ? -1 : content.indexOf(0, space + 1);
    if (space <= at || nul <= space + 1 || nul + 1 + OID_BYTES > content.length) throw new Error('corrupted tree object');
    entries.push({
      mode: parseInt(content.toString('latin1', at, space), 8),
      name: content.toString('latin1', space + 1, nul),
      id: content.toString('hex', nul + 1, nul + 1 + OID_BYTES),
    });
    at = nul + 1 + OID_BYTES;
  }
  return entries;
}

/** Git's tree order: bytewise, a tree sorting as if its name ended in `/`. */
function sortKey(entry: TreeEntry): string {
  return isTreeMode(entry.mode) ? `${entry.name}/` : entry.name;
}

export function serializeTree(entries: Iterable<TreeEntry>): Buffer {
  const sorted = [...entries].map((entry) => ({ entry, key: sortKey(entry) }));
  sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts: Buffer[] = [];
  for (const { entry } of sorted) {
    parts.push(Buffer.from(`${entry.mode.toString(8)} ${entry.name}\0`, 'latin1'), Buffer.from(entry.id, 'hex'));
  }
  return Buffer.concat(parts);
}

/** The tree a commit object points to (its first header line). */
export function commitTreeId(content: Buffer): string {
  const header = content.toString('latin1', 0, 46);
  if (!/^tree [0-9a-f]{40}\n$/.test(header)) throw new Error('corrupted commit object');
  return header.slice(5, 45);
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  /** `Name <email> seconds +0000`, as git_signature__writebuf formats it. */
  author: string;
  committer: string;
  message: string;
}

export function serializeCommit(commit: CommitFields): Buffer {
  const lines = [`tree ${commit.tree}`, ...commit.parents.map((parent) => `parent ${parent}`), `author ${commit.author}`, `committer ${commit.committer}`];
  // libgit2 takes the message as a C string.
  const nul = commit.message.indexOf('\0');
  const message = nul < 0 ? commit.message : commit.message.slice(0, nul);
  return Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8');
}

/** Above this size an object is compressed off the main thread. */
const SYNC_DEFLATE_MAX_BYTES = 256 * 1024;
const deflateAsync = promisify(deflate);
let temporaryFiles = 0;

/**
 * Writes objects as loose files (zlib level 1 like libgit2, read-only files, written to a temporary
 * file in the fan-out directory and renamed into place, so readers never see a partial object).
 * An object that already exists is only freshened (its mtime protects it from `git gc --prune`),
 * as git_odb_write does.
 */
export class LooseObjectWriter {
  constructor(private readonly objectsDir: string) {}

  async write(type: ObjectType, content: Buffer): Promise<string> {
    const id = objectId(type, content);
    const path = join(this.objectsDir, id.slice(0, 2), id.slice(2));
    if (freshen(path)) return id;
    const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
    const compressed = raw.length <= SYNC_DEFLATE_MAX_BYTES ? deflateSync(raw, { level: 1 }) : await deflateAsync(raw, { level: 1 });
    writeReadOnlyFile(path, compressed);
    return id;
  }
}

function freshen(path: string): boolean {
  const now = Date.now() / 1000;
  try {
    utimesSync(path, now, now);
    return true;
  } catch (error) {
    // EPERM/EACCES: the object exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function writeReadOnlyFile(path: string, data: Buffer): void {
  const dir = dirname(path);
  for (;;) {
    // git's own prefix for temporary objects: `git prune` removes any left behind.
    const temporary = join(dir, `tmp_obj_${process.pid}_${++temporaryFiles}_${randomBytes(4).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(temporary, 'wx', 0o444);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        mkdirSync(dir, { recursive: true, mode: 0o777 });
        continue;
      }
      if (code === 'EEXIST') continue;
      throw error;
    }
    try {
      try {
        for (let written = 0; written < data.length; ) written += writeSync(fd, data, written);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
      throw error;
    }
    return;
  }
}
