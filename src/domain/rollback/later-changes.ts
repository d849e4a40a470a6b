/** Later-change warnings: which commits after a rollback's target changed the fields it changes. */
import { flattenLeaves, parseYaml } from '../../yaml';
import type { FieldDiff } from '../diff/compare-files';
import { tenantEnvironmentDir } from '../layout';
import type { TenantEnvironment } from '../model';
import type { GitRepository } from '../ports';

export interface FieldWarning {
  file: string;
  path: string;
  /** Commits after the target that changed this field again: rolling back undoes them too. */
  laterRevisions: string[];
}

/**
 * For each changed field, the commits after the target (up to head) that changed it, newest first.
 * Read from Git itself, so commits pushed by other tools count before the history is indexed.
 * A file that only one commit changed needs no parsing: every field of it that the rollback changes
 * differs between the target and head, so that commit changed it. Files changed several times are
 * compared version by version.
 */
export async function laterChanges(
  git: GitRepository,
  context: TenantEnvironment,
  targetSha: string,
  head: string,
  fields: FieldDiff[],
): Promise<FieldWarning[]> {
  if (fields.length === 0 || targetSha === head) return [];
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  const wanted = new Set(fields.map((f) => f.file));
  // Oldest first: for each file, the commits that changed its blob.
  const touching = new Map<string, Array<{ sha: string; parent: string | null }>>();
  const commits = (await git.log({ from: head, until: targetSha })).reverse();
  for (const commit of commits) {
    const parent = commit.parents[0] ?? null;
    for (const path of await git.changedPaths(parent, commit.sha, dir)) {
      const file = path.slice(dir.length + 1);
      if (!wanted.has(file)) continue;
      const list = touching.get(file) ?? [];
      if (list.at(-1)?.sha !== commit.sha) list.push({ sha: commit.sha, parent });
      touching.set(file, list);
    }
  }
  const leavesCache = new Map<string, Map<string, unknown> | null>();
  const leavesAt = async (sha: string | null, file: string) => {
    const key = `${sha}:${file}`;
    if (!leavesCache.has(key)) {
      const blob = sha ? await git.readFile(sha, `${dir}/${file}`) : null;
      let leaves: Map<string, unknown> | null = null;
      try {
        leaves = blob ? flattenLeaves(parseYaml(blob.toString('utf8'), file) ?? {}) : null;
      } catch {
        leaves = null;
      }
      leavesCache.set(key, leaves);
    }
    return leavesCache.get(key)!;
  };
  const warnings: FieldWarning[] = [];
  for (const field of fields) {
    const changes = touching.get(field.file) ?? [];
    let later: string[];
    if (changes.length <= 1) {
      later = changes.map((c) => c.sha);
    } else {
      later = [];
      for (const commit of changes) {
        const after = (await leavesAt(commit.sha, field.file))?.get(field.path);
        const before = (await leavesAt(commit.parent, field.file))?.get(field.path);
        if (JSON.stringify(after) !== JSON.stringify(before)) later.push(commit.sha);
      }
    }
    if (later.length > 0) warnings.push({ file: field.file, path: field.path, laterRevisions: later.reverse() });
  }
  return warnings;
}
