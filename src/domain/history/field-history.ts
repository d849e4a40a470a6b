/**
 * Questions about a range of a tenant-environment's history, answered from the history index
 * instead of by walking Git: which commits after a revision changed a field (later-change
 * warnings), and which a rollback undid (rolled-back marking). The index holds, per deployment,
 * the files it changed and the YAML paths whose values changed (leaves and every path above them),
 * so each answer is a range scan over the deployments that touched the file.
 *
 * Where the index cannot decide alone — a side of the file that is not valid YAML, or a path below
 * a changed leaf (inside a sequence) — that commit's two versions of the file are read from Git.
 */
import { flattenLeaves, parseFieldPath, parseYaml } from '../../yaml';
import { canonicalJson } from '../canonical-json';
import { ConflictError } from '../errors';
import { tenantEnvironmentDir } from '../layout';
import type { ChangeLevel, TenantEnvironment } from '../model';
import type { Backend, GitRepository, ReadStores, RecordedChange, SequenceRange } from '../ports';
import { ancestorsOf } from './deployment-record';
import { indexHistory } from './index-history';

/** A commit in the range, by its position and revision. */
export interface RangeCommit {
  sequence: number;
  revision: string;
}

function distinctCommits(rows: RecordedChange[]): RangeCommit[] {
  const seen = new Map<number, RangeCommit>();
  for (const row of rows) if (!seen.has(row.sequence)) seen.set(row.sequence, { sequence: row.sequence, revision: row.revision });
  return [...seen.values()].sort((a, b) => a.sequence - b.sequence);
}

export const fieldKeyOf = (file: string, path: string) => `${file}\u0000${path}`;

/**
 * The commits after `from` up to and including `to` (an ancestor on main and a descendant), as
 * positions in the index. Without merges in between they are exactly the positions between theirs;
 * with merges, positions of other lines of history can interleave, so the commits are listed from
 * Git and only their positions count (a side line may also have forked before `from`, so sit below
 * it). Both ends must be indexed.
 */
export class IndexedHistory {
  /** Reads values from Git where the index cannot decide alone. */
  readonly reader: FieldReader;

  private constructor(
    private readonly stores: ReadStores,
    private readonly te: TenantEnvironment,
    git: GitRepository,
    readonly range: SequenceRange,
    private readonly includes: (sequence: number) => boolean,
  ) {
    this.reader = new FieldReader(git, te);
  }

  /** Over the stores given (a transaction's, when the range ends at a commit it is recording), without indexing. */
  static async between(stores: ReadStores, git: GitRepository, te: TenantEnvironment, from: string, to: string): Promise<IndexedHistory> {
    const sequences = await stores.historyIndex.sequencesOf(te.project.id, [from, to]);
    if (!sequences.has(from) || !sequences.has(to)) {
      throw new ConflictError('CONCURRENT_CHANGE', 'conflict detected: main was rewritten while its history was read; retry', { from, to });
    }
    const range = { after: sequences.get(from)!, upTo: sequences.get(to)! };
    // Without a merge after `from`, every position after it is a commit of main's one line. Any merge
    // later, even after `to`, can have put a side line's commits between `from` and `to`.
    const linear = !(await stores.historyIndex.mergeInRange(te.project.id, { after: range.after, upTo: Number.MAX_SAFE_INTEGER }));
    if (linear) return new IndexedHistory(stores, te, git, range, () => true);
    // A side line merged after `from` may have forked before it: its commits sit below `from`'s position.
    const commits = await git.log({ from: to, until: from });
    const positions = new Set((await stores.historyIndex.sequencesOf(te.project.id, commits.map((c) => c.sha))).values());
    const lowest = Math.min(...positions);
    return new IndexedHistory(stores, te, git, { after: lowest - 1, upTo: range.upTo }, (sequence) => positions.has(sequence));
  }

  /**
   * For each field (a leaf of the file at one side of a rollback), the commits in the range that
   * changed its leaf value, oldest first. A file only one commit changed needs no field lookup: every
   * field the rollback changes differs between the ends of the range, so that commit changed it.
   */
  async commitsChangingLeaves(fields: ReadonlyArray<{ file: string; path: string }>): Promise<Map<string, string[]>> {
    const answer = new Map<string, string[]>();
    for (const file of new Set(fields.map((f) => f.file))) {
      // Leaf rows only at the fields' paths: the other leaves of the file decide nothing here.
      const paths = fields.filter((f) => f.file === file).map((f) => f.path);
      const rows = [...(await this.changesOf({ file }, ['file', 'unparsed'])), ...(await this.changesOf({ file, paths }, ['leaf']))];
      const touching = distinctCommits(rows.filter((row) => row.level === 'file'));
      const unparsed = new Set(rows.filter((row) => row.level === 'unparsed').map((row) => row.sequence));
      const leaves = new Set(rows.filter((row) => row.level === 'leaf').map((row) => `${row.sequence}\u0000${row.path}`));
      for (const field of fields.filter((f) => f.file === file)) {
        let later = touching;
        if (touching.length > 1) {
          later = [];
          for (const commit of touching) {
            const changed = unparsed.has(commit.sequence)
              ? await this.reader.leafChanged(commit.revision, file, field.path)
              : leaves.has(`${commit.sequence}\u0000${field.path}`);
            if (changed) later.push(commit);
          }
        }
        answer.set(fieldKeyOf(file, field.path), later.map((c) => c.revision));
      }
    }
    return answer;
  }

  /** The commits in the range that changed the tenant-environment at all. */
  async commitsChangingTenantEnvironment(): Promise<RangeCommit[]> {
    return (await this.stores.deployments.inRange(this.te.id, this.range)).filter((d) => this.includes(d.sequence));
  }

  /** The commits in the range that changed a file below `prefix` (a service's directory). */
  async commitsChangingFilesBelow(prefix: string): Promise<RangeCommit[]> {
    return distinctCommits(await this.changesOf({ filePrefix: prefix }, ['file']));
  }

  /**
   * The commits in the range that changed the value at `path` of `file` (a leaf or a whole mapping).
   * A file that is not valid YAML on a side of the commit counts as changed there: its value cannot
   * be read, and the file did change.
   */
  async commitsChangingValue(file: string, path: string): Promise<RangeCommit[]> {
    const above = new Set(['', ...ancestorsOf(path)]);
    // Only the rows that can decide: unparsed sides, the path itself, and leaves above it.
    const rows = [
      ...(await this.changesOf({ file }, ['unparsed'])),
      ...(await this.changesOf({ file, paths: [path] }, ['leaf', 'branch'])),
      ...(await this.changesOf({ file, paths: [...above] }, ['leaf'])),
    ];
    const bySequence = new Map<number, RecordedChange[]>();
    for (const row of rows) {
      const own = bySequence.get(row.sequence);
      if (own) own.push(row);
      else bySequence.set(row.sequence, [row]);
    }
    const changed: RangeCommit[] = [];
    for (const commit of distinctCommits(rows)) {
      const own = bySequence.get(commit.sequence)!;
      if (own.some((row) => row.level === 'unparsed' || row.path === path)) changed.push(commit);
      // A changed leaf above the path (a sequence, a scalar that became a mapping): compare the values themselves.
      else if (own.some((row) => row.level === 'leaf' && above.has(row.path)) && (await this.reader.valueChanged(commit.revision, file, path))) changed.push(commit);
    }
    return changed;
  }

  private async changesOf(files: { file: string; paths?: string[] } | { filePrefix: string }, levels: ChangeLevel[]): Promise<RecordedChange[]> {
    return (await this.stores.historyIndex.changesOf(this.te.id, files, levels, this.range)).filter((row) => this.includes(row.sequence));
  }
}

/** Indexes the project's history when one of `revisions` is not indexed yet. */
export async function ensureIndexed(backend: Backend, te: TenantEnvironment, revisions: string[]): Promise<void> {
  const indexed = await backend.stores.historyIndex.sequencesOf(te.project.id, revisions);
  if (revisions.some((revision) => !indexed.has(revision))) await indexHistory(backend, te.project);
}

/** The range after indexing the project's history up to its head. */
export async function indexedHistoryBetween(backend: Backend, te: TenantEnvironment, from: string, to: string): Promise<IndexedHistory> {
  await indexHistory(backend, te.project);
  return IndexedHistory.between(backend.stores, await backend.repositories.forProject(te.project.slug), te, from, to);
}

type FileRead = 'absent' | { value: unknown } | { unreadable: string };

/** Reads a commit's two versions of a file from Git, for what the index cannot decide alone. */
export class FieldReader {
  private readonly parsed = new Map<string, Promise<FileRead>>();
  private readonly dir: string;
  constructor(
    readonly git: GitRepository,
    te: TenantEnvironment,
  ) {
    this.dir = tenantEnvironmentDir(te.ref.tenant, te.ref.environment);
  }

  /** Whether the leaf value at `path` differs between the commit and its first parent (an unreadable side has no leaves). */
  async leafChanged(revision: string, file: string, path: string): Promise<boolean> {
    const parent = (await this.git.commitInfo(revision)).parents[0] ?? null;
    const leafAt = async (sha: string | null) => {
      const read = await this.read(sha, file);
      return typeof read === 'object' && 'value' in read ? flattenLeaves(read.value ?? {}).get(path) : undefined;
    };
    return canonicalJson(await leafAt(parent)) !== canonicalJson(await leafAt(revision));
  }

  /** Whether the value at `path` (any node) differs between the commit and its first parent. */
  async valueChanged(revision: string, file: string, path: string): Promise<boolean> {
    const parent = (await this.git.commitInfo(revision)).parents[0] ?? null;
    return (await this.valueAt(parent, file, path)) !== (await this.valueAt(revision, file, path));
  }

  /** The value at `path` as canonical JSON: 'absent' without the file or the path; a file that is not YAML reads as its bytes. */
  async valueAt(sha: string | null, file: string, path: string): Promise<string> {
    const read = await this.read(sha, file);
    if (read === 'absent') return 'absent';
    if ('unreadable' in read) return `unreadable:${read.unreadable}`;
    let value: unknown = read.value;
    for (const segment of parseFieldPath(path)) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return 'absent';
      value = (value as Record<string | number, unknown>)[segment];
    }
    return canonicalJson(value);
  }

  private read(sha: string | null, file: string): Promise<FileRead> {
    const key = `${sha}:${file}`;
    let read = this.parsed.get(key);
    if (!read) {
      read = (async () => {
        const blob = sha ? await this.git.readFile(sha, `${this.dir}/${file}`) : null;
        if (!blob) return 'absent' as const;
        try {
          return { value: parseYaml(blob.toString('utf8'), file) };
        } catch {
          return { unreadable: blob.toString('base64') };
        }
      })();
      this.parsed.set(key, read);
    }
    return read;
  }
}
