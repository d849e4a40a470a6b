/**
 * The history index answers what walking Git answers. Random histories — edits to values, variables
 * and bindings, whole files added, deleted, made invalid YAML and repaired, scalars turned into
 * mappings and sequences, keys reordered, other tenant-environments, side branches merged back —
 * are pushed with git plumbing behind the server's back; then the later-change warnings and the
 * "reverted" marking computed from the index are compared with a walk over every commit (the
 * implementation before the index, kept here as the oracle) for many targets, ends and scopes.
 *
 * The oracle compares values as canonical JSON (key order does not make a value differ), the same
 * rule as the rollback's own diff.
 */
import { stringify } from 'yaml';
import { describe, expect } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json';
import type { FieldDiff } from '../../src/domain/diff/compare-files';
import { IndexedHistory } from '../../src/domain/history/field-history';
import { indexHistory } from '../../src/domain/history/index-history';
import { VARIABLES_FILE, serviceDir, tenantEnvironmentDir } from '../../src/domain/layout';
import type { TenantEnvironment } from '../../src/domain/model';
import type { GitRepository } from '../../src/domain/ports';
import { laterChanges } from '../../src/domain/rollback/later-changes';
import { locateField, type RollbackScope } from '../../src/domain/rollback/plan';
import { revertedRevisions } from '../../src/domain/rollback/reverted';
import { flattenLeaves, formatFieldPath, parseFieldPath, parseYaml } from '../../src/yaml';
import { git, gitBuffer } from '../kit/git-cli';
import { it } from '../kit/fixtures';
import type { Fixture } from '../rollback/fixture';

/** mulberry32: small, seeded, good enough to pick edits. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}
type Random = ReturnType<typeof random>;

const TE = { tenant: 'acme', environment: 'staging' };
const DIR = tenantEnvironmentDir(TE.tenant, TE.environment);
const OTHER_DIR = tenantEnvironmentDir('globex', 'staging');
const SERVICES = ['api-gateway', 'payments'];
const FILES = [...SERVICES.flatMap((s) => [`${serviceDir(s)}/values.yaml`, `${serviceDir(s)}/bindings.yaml`]), VARIABLES_FILE];
const KEYS = ['image', 'tag', 'replicas', 'LOG_LEVEL', 'TIMEOUT_MS', 'services', 'api-gateway', 'payments', 'env'];

/** A random YAML value two or three levels deep, from a small vocabulary so edits collide. */
function randomValue(rng: Random, depth: number): unknown {
  const roll = rng.int(10);
  if (depth > 0 && roll < 5) {
    const mapping: Record<string, unknown> = {};
    for (let i = 0, n = 1 + rng.int(3); i < n; i++) mapping[rng.pick(KEYS)] = randomValue(rng, depth - 1);
    return mapping;
  }
  if (roll < 6) return [rng.pick(['a', 'b']), rng.int(3)];
  if (roll < 7) return {};
  return rng.pick(['v1', 'v2', 'v3', 1, 2, true, null]);
}

/** One random edit of a file's text: a value set or removed, keys reordered, broken or repaired, deleted. */
function editedText(rng: Random, text: string | null): string | null {
  if (text === null) return rng.chance(0.7) ? stringify(randomValue(rng, 3)) : null;
  let value: unknown;
  try {
    value = parseYaml(text, 'file.yaml');
  } catch {
    return rng.chance(0.6) ? stringify(randomValue(rng, 3)) : `${text}#`;
  }
  const roll = rng.int(20);
  if (roll === 0) return null;
  if (roll === 1) return 'key: [unclosed\n';
  if (roll === 2 && value && typeof value === 'object' && !Array.isArray(value)) {
    return stringify(Object.fromEntries(Object.entries(value).reverse()));
  }
  if (roll === 3) return `${text}# comment only\n`;
  const root = value && typeof value === 'object' && !Array.isArray(value) ? structuredClone(value as Record<string, unknown>) : {};
  // Walk to a random depth and set or delete there.
  let node: Record<string, unknown> = root;
  for (let depth = 0; depth < 3; depth++) {
    const key = rng.pick(KEYS);
    const child = node[key];
    if (depth < 2 && child && typeof child === 'object' && !Array.isArray(child) && rng.chance(0.6)) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (rng.chance(0.2)) delete node[key];
    else node[key] = randomValue(rng, 2 - depth);
    break;
  }
  return stringify(root);
}

/** Commits `files` (repository paths → text, null deletes) on top of `parents[0]` with git plumbing. */
function commitFiles(repoDir: string, parents: string[], files: Map<string, string | null>, message: string): string {
  const env = { GIT_INDEX_FILE: `${repoDir}/oracle-index`, GIT_AUTHOR_NAME: 'Oracle', GIT_AUTHOR_EMAIL: 'oracle@example.com', GIT_COMMITTER_NAME: 'Oracle', GIT_COMMITTER_EMAIL: 'oracle@example.com' };
  git(repoDir, ['read-tree', parents[0]!], { env });
  const lines: string[] = [];
  for (const [file, text] of files) {
    if (text === null) lines.push(`0 ${'0'.repeat(40)}\t${file}`);
    else lines.push(`100644 ${git(repoDir, ['hash-object', '-w', '--stdin'], { input: text, env })}\t${file}`);
  }
  if (lines.length > 0) git(repoDir, ['update-index', '--index-info'], { input: `${lines.join('\n')}\n`, env });
  const tree = git(repoDir, ['write-tree'], { env });
  return git(repoDir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message], { env });
}

function textAt(repoDir: string, revision: string, path: string): string | null {
  try {
    return gitBuffer(repoDir, ['show', `${revision}:${path}`]).toString('utf8');
  } catch {
    return null;
  }
}

/** Random edits, as commits on `from`: mostly in the tenant-environment, some in another one. */
function randomCommit(rng: Random, repoDir: string, from: string, parents = [from]): string {
  const files = new Map<string, string | null>();
  for (let i = 0, n = 1 + rng.int(2); i < n; i++) {
    const inOther = rng.chance(0.15);
    const path = `${inOther ? OTHER_DIR : DIR}/${rng.pick(FILES)}`;
    files.set(path, editedText(rng, files.has(path) ? files.get(path)! : textAt(repoDir, from, path)));
  }
  return commitFiles(repoDir, parents, files, 'Edit from the oracle test');
}

/** A history of about `length` commits on main, with side branches merged back (merge commits change files too). */
function pushRandomHistory(rng: Random, fx: Fixture, length: number): void {
  let head = fx.head();
  const mainLine = [head];
  while (mainLine.length < length) {
    if (rng.chance(0.15) && mainLine.length > 3) {
      let side = rng.pick(mainLine.slice(-6));
      for (let i = 0, n = 1 + rng.int(3); i < n; i++) side = randomCommit(rng, fx.repoDir, side);
      head = randomCommit(rng, fx.repoDir, head, [head, side]);
    } else {
      head = randomCommit(rng, fx.repoDir, head);
    }
    mainLine.push(head);
  }
  git(fx.repoDir, ['update-ref', 'refs/heads/main', head]);
}

// ---------------------------------------------------------------------------------------------
// The oracle: the Git walks the index replaced.

async function leavesAt(repo: GitRepository, sha: string | null, file: string): Promise<Map<string, unknown> | null> {
  const blob = sha ? await repo.readFile(sha, `${DIR}/${file}`) : null;
  try {
    return blob ? flattenLeaves(parseYaml(blob.toString('utf8'), file) ?? {}) : null;
  } catch {
    return null;
  }
}

async function walkLaterChanges(repo: GitRepository, target: string, head: string, fields: Array<{ file: string; path: string }>) {
  const touching = new Map<string, Array<{ sha: string; parent: string | null }>>();
  for (const commit of (await repo.log({ from: head, until: target })).reverse()) {
    const parent = commit.parents[0] ?? null;
    for (const path of await repo.changedPaths(parent, commit.sha, DIR)) {
      const file = path.slice(DIR.length + 1);
      touching.set(file, [...(touching.get(file) ?? []), { sha: commit.sha, parent }]);
    }
  }
  const answer: Array<{ file: string; path: string; laterRevisions: string[] }> = [];
  for (const field of fields) {
    const changes = touching.get(field.file) ?? [];
    const later: string[] = [];
    for (const commit of changes) {
      const after = (await leavesAt(repo, commit.sha, field.file))?.get(field.path);
      const before = (await leavesAt(repo, commit.parent, field.file))?.get(field.path);
      if (changes.length <= 1 || canonicalJson(after) !== canonicalJson(before)) later.push(commit.sha);
    }
    if (later.length > 0) answer.push({ ...field, laterRevisions: later.reverse() });
  }
  return answer;
}

async function walkReverted(repo: GitRepository, scope: RollbackScope, target: string, rollback: string): Promise<string[]> {
  const idOf = (sha: string | null, path: string) => (sha ? repo.treeIdOf(sha, path ? `${DIR}/${path}` : DIR) : Promise.resolve(null));
  const valueOf = async (sha: string | null, file: string, path: string) => {
    const blob = sha ? await repo.readFile(sha, `${DIR}/${file}`) : null;
    if (!blob) return 'absent';
    let value: unknown;
    try {
      value = parseYaml(blob.toString('utf8'), file);
    } catch {
      return `unreadable:${blob.toString('base64')}`;
    }
    for (const segment of parseFieldPath(path)) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return 'absent';
      value = (value as Record<string | number, unknown>)[segment];
    }
    return canonicalJson(value);
  };
  const fieldChanged = async (from: string | null, to: string, file: string, path: string) =>
    (await idOf(from, file)) !== (await idOf(to, file)) && (await valueOf(from, file, path)) !== (await valueOf(to, file, path));
  const rollbackParent = (await repo.commitInfo(rollback)).parents[0] ?? null;
  const fields = [];
  if (scope.mode === 'FIELD') {
    for (const field of scope.fields) {
      const { file, yamlPath } = locateField(scope.service!, field);
      if (await fieldChanged(rollbackParent, rollback, file, yamlPath)) fields.push({ file, yamlPath });
    }
  }
  const reverted: string[] = [];
  for (const commit of await repo.log({ from: rollback, until: target })) {
    if (commit.sha === rollback) continue;
    const parent = commit.parents[0] ?? null;
    if ((await idOf(parent, '')) === (await idOf(commit.sha, ''))) continue;
    let undone = false;
    if (scope.mode === 'FULL') undone = true;
    else if (scope.mode === 'SERVICE') {
      undone =
        (await idOf(parent, serviceDir(scope.service!))) !== (await idOf(commit.sha, serviceDir(scope.service!))) ||
        (await fieldChanged(parent, commit.sha, VARIABLES_FILE, formatFieldPath(['services', scope.service!])));
    } else {
      for (const field of fields) if (await fieldChanged(parent, commit.sha, field.file, field.yamlPath)) undone = true;
    }
    if (undone) reverted.push(commit.sha);
  }
  return reverted;
}

// ---------------------------------------------------------------------------------------------

/** Every leaf path of the tenant-environment's YAML files at either revision, as the preview would list them. */
async function fieldsAt(repo: GitRepository, revisions: string[]): Promise<Array<{ file: string; path: string }>> {
  const fields = new Map<string, { file: string; path: string }>();
  for (const revision of revisions) {
    for (const file of FILES) {
      for (const path of (await leavesAt(repo, revision, file))?.keys() ?? []) fields.set(`${file}\u0000${path}`, { file, path });
    }
  }
  return [...fields.values()];
}

function randomScope(rng: Random, fields: Array<{ file: string; path: string }>): RollbackScope {
  const mode = rng.pick(['FULL', 'SERVICE', 'FIELD'] as const);
  if (mode === 'FULL') return { mode, service: null, fields: [] };
  const service = rng.pick(SERVICES);
  if (mode === 'SERVICE') return { mode, service, fields: [] };
  // FIELD paths are service-relative: values.yaml / bindings.yaml of the service, or its variables.
  const candidates = fields.filter(({ path }) => path !== '').flatMap(({ file, path }) => {
    if (file.startsWith(`${serviceDir(service)}/`)) return [{ file: file.slice(serviceDir(service).length + 1), path }];
    const prefix = `services.${service}.`;
    if (file === VARIABLES_FILE && path.startsWith(prefix)) return [{ file: VARIABLES_FILE, path: path.slice(prefix.length) }];
    return [];
  });
  const picked = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(candidates.length > 0 ? candidates : [{ file: 'values.yaml', path: 'image.tag' }]));
  return { mode, service, fields: picked };
}

const SEEDS = [11, 23, 37, 41];

describe('history index against the Git walk (random histories)', () => {
  // Hundreds of Git reads per seed by the oracle: generous on a loaded machine.
  it.for(SEEDS)('seed %i: later-change warnings and reverted revisions match for every target, end and scope', { timeout: 120_000 }, async (seed, { fx }) => {
    const rng = random(seed);
    pushRandomHistory(rng, fx, 40);
    const te: TenantEnvironment = await fx.tenantEnvironment(TE.tenant, TE.environment);
    await indexHistory(fx.backend, te.project);
    const repo = await fx.backend.repositories.forProject(te.project.slug);
    const head = fx.head();
    const mainHistory = git(fx.repoDir, ['rev-list', 'main']).split('\n');

    for (let round = 0; round < 6; round++) {
      const target = rng.pick(mainHistory.slice(1));
      const fields = await fieldsAt(repo, [target, head]);
      const warnings = await laterChanges(fx.backend, te, target, head, fields as FieldDiff[]);
      const oracle = await walkLaterChanges(repo, target, head, fields);
      expect(warnings, `laterChanges from ${target}`).toEqual(oracle);

      // Any commit between the target and head with one parent can play the rollback commit.
      const ends = git(fx.repoDir, ['rev-list', '--ancestry-path', '--no-merges', `${target}..${head}`]).split('\n').filter(Boolean);
      if (ends.length === 0) continue;
      const end = rng.pick(ends);
      for (let i = 0; i < 3; i++) {
        const scope = randomScope(rng, fields);
        const history = await IndexedHistory.between(fx.backend.stores, repo, te, target, git(fx.repoDir, ['rev-parse', `${end}^`]));
        // A set of deployments to mark: with merges, Git's log order and the index's order may differ.
        const reverted = (await revertedRevisions(history, scope, end)).sort();
        expect(reverted, `${JSON.stringify(scope)} from ${target} to ${end}`).toEqual((await walkReverted(repo, scope, target, end)).sort());
      }
    }
  });
});
