/** previewRollback: exactly what a rollback would change, computed on the current head. */
import type { Actor } from '../actor';
import type { PlannedWrite } from '../commit-change';
import type { Compute } from '../compute';
import { runCompute } from '../compute-tasks';
import { assembleDiff, categoryOf, type FieldDiff, type FilesDiff } from '../diff/compare-files';
import { BadRequestError, DomainError, RepositoryCorruptError } from '../errors';
import { isInMainHistory, requireOpenTenantEnvironment, resolveRevision } from '../history/queries';
import type { RecordedChanges, RollbackMode, SelectedField, TenantEnvironment } from '../model';
import { isGitError, type Backend, type GitRepository } from '../ports';
import { fileText, readFiles, repositoryChanges, serviceInputFiles, servicesIn, withChanges, type FileMap } from '../tenant-environment-files';
import { requireModeAllowed } from '../gating';
import { normalizeScope, previewHashOfParts, type RollbackScope, type TextDiffs } from './plan';
import { tenantEnvironmentDir } from '../layout';
import { liveValueOf } from '../sync';
import { laterChanges, type FieldWarning } from './later-changes';

export type { FieldWarning };

/** Key of a field in `RollbackPreview.liveValues`. */
export const fieldKey = (field: { file: string; path: string }) => `${field.file}\u0000${field.path}`;

export interface RollbackInput {
  project: string;
  tenant: string;
  environment: string;
  mode: RollbackMode;
  targetRevision?: string | null;
  service?: string | null;
  fields?: SelectedField[] | null;
}

export interface RollbackPreview {
  tenantEnvironment: TenantEnvironment;
  scope: RollbackScope;
  targetRevision: string;
  baseRevision: string;
  diff: FilesDiff;
  affectedServices: string[];
  /** What the rollback commit writes: a FULL rollback sets the directory to the target's tree, the others write files. */
  write: PlannedWrite & { diff: FilesDiff };
  previewHash: string;
  warnings: FieldWarning[];
  /** Warnings about the target revision itself (previewRollback only; execution does not compute them). */
  targetWarnings?: string[];
  /** Live cluster values per field where an agent reported one. */
  liveValues: Map<string, unknown>;
  suggestion: string | null;
}

export const NOTHING_TO_ROLL_BACK = 'nothing to roll back: the current state already matches the target revision in this scope';

export async function previewRollback(backend: Backend, actor: Actor | null, input: RollbackInput): Promise<RollbackPreview> {
  if (!input.targetRevision?.trim()) throw new BadRequestError('TARGET_SHA_REQUIRED', 'targetSha is required');
  const context = await requireOpenTenantEnvironment(backend, actor, input, 'DEPLOYER');
  requireModeAllowed(context, input.mode);
  const scope = normalizeScope(input);
  const git = await backend.repositories.forProject(context.project.slug);
  const target = await resolveTarget(backend, git, context, input.targetRevision);
  const head = (await git.head())!;
  const preview = await computePreview(backend, git, context, scope, target, head);
  return { ...preview, targetWarnings: await targetWarnings(backend, context, target) };
}

/**
 * What a person should know about the target revision itself: it FAILED (its agent reported it
 * DEGRADED), it was ROLLED_BACK before, or it is a recurring rollback target (3+ times in 30 days).
 */
async function targetWarnings(backend: Backend, context: TenantEnvironment, target: string): Promise<string[]> {
  const warnings: string[] = [];
  const deployment = await backend.stores.deployments.byRevision(context.id, target);
  const short = target.slice(0, 7);
  if (deployment?.status === 'FAILED') warnings.push(`the target revision ${short} is itself FAILED: its agent reported it DEGRADED`);
  if (deployment?.status === 'ROLLED_BACK') warnings.push(`the target revision ${short} was itself ROLLED_BACK by an earlier rollback`);
  const since = new Date(backend.now().getTime() - 30 * 86_400_000);
  const recurring = (await backend.stores.requests.completedTargetsSince(context.id, since)).find((r) => r.revision === target && r.rollbacks >= 3);
  if (recurring) {
    warnings.push(`the target revision ${short} is a recurring rollback target (${recurring.rollbacks} rollbacks to it in 30 days): look for the root cause`);
  }
  return warnings;
}

async function resolveTarget(backend: Backend, git: GitRepository, context: TenantEnvironment, revision: string): Promise<string> {
  let sha: string;
  try {
    sha = await resolveRevision(backend, context, revision);
  } catch (error) {
    if (error instanceof BadRequestError && error.code === 'REVISION_NOT_FOUND') {
      throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: ${revision} does not exist or is corrupted; choose a revision from the deployment history`, { revision });
    }
    throw error;
  }
  const head = await git.head();
  if (!head || !(await isInMainHistory(backend, context.project, sha, head))) {
    throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: ${revision} is not in main's history`, { revision });
  }
  if ((await git.treeIdOf(sha, tenantEnvironmentDir(context.ref.tenant, context.ref.environment))) === null) {
    throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: tenant/${context.ref.tenant} env/${context.ref.environment} did not exist at ${revision}`, { revision });
  }
  return sha;
}

/**
 * The planned change on top of `head`; used by preview and again, under the writer lock, by execution.
 * `planOnly` (execution) skips what only a person reads — later-revision warnings, live values, the
 * scope suggestion and the text diffs the hash does not use — none of which enters the plan or its hash.
 * `approved` is the preview an execution was approved on: the plan depends only on the directory at
 * head and at the target, so when head's directory is the one that preview saw, so is the hash.
 */
export async function computePreview(
  backend: Backend,
  git: GitRepository,
  context: TenantEnvironment,
  scope: RollbackScope,
  targetSha: string,
  head: string | null,
  options: { planOnly?: boolean; approved?: { previewHash: string; baseRevision: string } } = {},
): Promise<RollbackPreview> {
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  const knownHash = options.approved && head && (await sameDirectory(git, dir, head, options.approved.baseRevision)) ? options.approved.previewHash : null;
  const textDiffs: TextDiffs = !options.planOnly ? 'all' : knownHash ? 'none' : 'hash';
  const planned =
    scope.mode === 'FULL'
      ? await planFullRollback(backend, git, context, scope, targetSha, head, textDiffs)
      : await planFileRollback(backend, git, context, scope, targetSha, head, textDiffs);
  const diff = planned.write.diff;
  if (diff.files.length === 0) throw new BadRequestError('NOTHING_TO_ROLL_BACK', NOTHING_TO_ROLL_BACK);
  const affectedServices = diff.services.map((s) => s.service);
  return {
    tenantEnvironment: context,
    scope,
    targetRevision: targetSha,
    baseRevision: head!,
    diff,
    affectedServices,
    write: planned.write,
    previewHash: knownHash ?? planned.previewHash!,
    warnings: options.planOnly ? [] : await laterChanges(backend, context, targetSha, head!, allFields(diff)),
    liveValues: options.planOnly ? new Map() : await liveValuesFor(backend, context, allFields(diff)),
    suggestion: options.planOnly ? null : smallerScope(scope, diff),
  };
}

/**
 * A FULL rollback executing as approved, while the directory at head is still the one its preview
 * saw: the commit sets the directory to the target's tree, and its deployment record is the one kept
 * from that preview, so nothing is read or compared again. Null when head's directory changed since.
 */
export async function approvedFullRollback(
  git: GitRepository,
  context: TenantEnvironment,
  targetSha: string,
  head: string | null,
  approved: { baseRevision: string; recorded: RecordedChanges },
): Promise<PlannedWrite | null> {
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  if (!head || !(await sameDirectory(git, dir, head, approved.baseRevision))) return null;
  const targetTree = await git.treeIdOf(targetSha, dir);
  return targetTree ? { changes: [{ path: dir, treeId: targetTree }], recorded: approved.recorded } : null;
}

async function sameDirectory(git: GitRepository, dir: string, a: string, b: string): Promise<boolean> {
  try {
    const [ours, theirs] = await Promise.all([git.treeIdOf(a, dir), git.treeIdOf(b, dir)]);
    return ours === theirs;
  } catch (error) {
    if (isGitError(error, 'REVISION_NOT_FOUND')) return false;
    throw error;
  }
}

interface PlannedRollback {
  write: PlannedWrite & { diff: FilesDiff };
  /** Null when the text diffs it needs were skipped (the caller knows the hash). */
  previewHash: string | null;
}

/**
 * SERVICE and FIELD: the files of both revisions, planned (YAML patches, manifests, diff) in the
 * compute pool.
 */
async function planFileRollback(
  backend: Backend,
  git: GitRepository,
  context: TenantEnvironment,
  scope: RollbackScope,
  targetSha: string,
  head: string | null,
  textDiffs: TextDiffs,
): Promise<PlannedRollback> {
  const [current, target] = await Promise.all([readFiles(git, head, context.ref), readTargetFiles(git, context, targetSha)]);
  const input = { scope, ref: context.ref, targetSha, textDiffs };
  // Only the service's inputs cross to the compute pool, unless the change reaches other services.
  const planned =
    (await runCompute(backend.compute, 'planRollback', {
      ...input,
      current: serviceInputFiles(current, [scope.service!]),
      target: serviceInputFiles(target, [scope.service!]),
      servicesNow: servicesIn(current),
    })) ?? (await runCompute(backend.compute, 'planRollback', { ...input, current, target }))!;
  const final = withChanges(current, planned.changed);
  return {
    write: { changes: repositoryChanges(context.ref, planned.changed), diff: planned.diff, files: { final, changed: planned.changed.map(([path]) => path) } },
    previewHash: planned.previewHash,
  };
}

/**
 * FULL: the directory becomes the target's tree, so the commit is one tree entry and the diff needs
 * only the files whose blobs differ (a tree diff reads only the subtrees that changed), compared in
 * parts across the compute pool.
 */
async function planFullRollback(
  backend: Backend,
  git: GitRepository,
  context: TenantEnvironment,
  scope: RollbackScope,
  targetSha: string,
  head: string | null,
  textDiffs: TextDiffs,
): Promise<PlannedRollback> {
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  const [targetTree, changed, services] = await Promise.all([
    git.treeIdOf(targetSha, dir),
    // Without text diffs (an execution), a manifest's diff is its path and kind: its contents go unread.
    readChangedFiles(git, context, head, targetSha, textDiffs === 'all' ? () => true : (path) => categoryOf(path) !== 'MANIFEST'),
    Promise.all([head ? git.listDirectories(head, `${dir}/services`) : [], git.listDirectories(targetSha, `${dir}/services`)]),
  ]);
  const compared = await compareInParts(backend.compute, changed, (files) => runCompute(backend.compute, 'diffRollbackFiles', { scope, files, textDiffs }));
  const diff = assembleDiff(
    compared.flatMap((part) => part.files),
    { before: services[0], after: services[1] },
  );
  return {
    write: { changes: targetTree ? [{ path: dir, treeId: targetTree }] : [], diff },
    previewHash: textDiffs === 'none' ? null : previewHashOfParts(scope, targetSha, compared.flatMap((part) => part.hashParts)),
  };
}

type FilePair = readonly [path: string, current: string | undefined, target: string | undefined];

/**
 * The tenant-environment's files that differ between head and the target, with both contents, in the
 * order compareFiles lists them. Git objects that cannot be read are reported as readFiles and
 * readTargetFiles report them (which revision is damaged).
 */
async function readChangedFiles(
  git: GitRepository,
  context: TenantEnvironment,
  head: string | null,
  targetSha: string,
  needsContent: (path: string) => boolean,
): Promise<FilePair[]> {
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  try {
    const changes = (await git.diffTree(head, targetSha, dir))
      .filter((change) => change.oldMode !== GITLINK || change.newMode !== GITLINK)
      .map((change) => ({ ...change, path: change.path.slice(dir.length + 1) }));
    // A submodule entry is no file (readFiles skips them too).
    const blobIds = (id: string | null, mode: number | null) => (id !== null && mode !== GITLINK ? id : null);
    const sides = changes.map((change) => [blobIds(change.oldId, change.oldMode), blobIds(change.newId, change.newMode)] as const);
    const read = changes.map((change) => needsContent(change.path));
    const blobs = await git.readBlobs(sides.filter((_, i) => read[i]).flat().filter((id): id is string => id !== null));
    const contentOf = (id: string | null, i: number) => {
      if (id === null) return undefined;
      // A file whose contents are not needed: present, and different exactly when its blob id is.
      if (!read[i]) return id;
      const blob = blobs.get(id);
      if (!blob) throw new Error(`object ${id} cannot be read`);
      return fileText(blob);
    };
    return changes
      .map((change, i): FilePair => [change.path, contentOf(sides[i]![0], i), contentOf(sides[i]![1], i)])
      .filter(([, current, target]) => current !== target)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    await readFiles(git, head, context.ref);
    await readTargetFiles(git, context, targetSha);
    throw error;
  }
}

const GITLINK = 0o160000;

/** Splits a long list of files into parts of similar size, one task each, run at once. */
async function compareInParts<T>(compute: Compute, files: FilePair[], run: (files: FilePair[]) => Promise<T>): Promise<T[]> {
  const size = (file: FilePair) => 256 + (file[1]?.length ?? 0) + (file[2]?.length ?? 0);
  const total = files.reduce((sum, file) => sum + size(file), 0);
  // Twice as many parts as threads evens out parts that turn out slower; small diffs stay one task.
  const parts = Math.max(1, Math.min(2 * compute.parallelism, Math.floor(total / MIN_PART_CHARS)));
  const chunks: FilePair[][] = [[]];
  let filled = 0;
  for (const file of files) {
    if (filled >= ((chunks.length) * total) / parts && chunks.length < parts) chunks.push([]);
    chunks.at(-1)!.push(file);
    filled += size(file);
  }
  return Promise.all(chunks.map(run));
}

const MIN_PART_CHARS = 64 * 1024;

/** The target's files; a revision whose objects are missing or corrupted is an invalid target, not a server error. */
async function readTargetFiles(git: GitRepository, context: TenantEnvironment, targetSha: string): Promise<FileMap> {
  try {
    return await readFiles(git, targetSha, context.ref);
  } catch (error) {
    if (error instanceof DomainError && !(error instanceof RepositoryCorruptError)) throw error;
    throw new BadRequestError(
      'INVALID_TARGET_REVISION',
      `invalid target revision: ${targetSha} is corrupted (${(error as Error).message}); choose a different revision from the deployment history`,
      { revision: targetSha },
    );
  }
}

function allFields(diff: FilesDiff): FieldDiff[] {
  return diff.files.flatMap((f) => f.fields);
}

async function liveValuesFor(backend: Backend, context: TenantEnvironment, fields: FieldDiff[]): Promise<Map<string, unknown>> {
  const report = await backend.stores.syncReports.latest(context.id);
  const values = new Map<string, unknown>();
  if (!report) return values;
  for (const field of fields) {
    const live = liveValueOf(report, field);
    if (live !== undefined) values.set(fieldKey(field), live);
  }
  return values;
}

/** The spec's best practice: start with the smallest scope that covers the change. */
function smallerScope(scope: RollbackScope, diff: FilesDiff): string | null {
  const fields = allFields(diff);
  // Field-sized: every changed input file is valid YAML whose change shows as field changes.
  const inputFiles = diff.files.filter((f) => f.category !== 'MANIFEST');
  const onlyFields = inputFiles.every((f) => f.kind === 'MODIFIED' && !f.parseError && f.category !== 'OTHER' && f.fields.length > 0);
  if (scope.mode === 'FULL') {
    const service = soleService(diff);
    if (!service) return null;
    if (onlyFields && fields.length <= 3) {
      return `Only ${fields.length} field(s) of ${service} differ: a FIELD rollback of ${fields.map((f) => f.path).join(', ')} would change nothing else.`;
    }
    return `All changes fall within service ${service}: a SERVICE rollback would leave the other services untouched.`;
  }
  if (scope.mode === 'SERVICE' && onlyFields && fields.length > 0 && fields.length <= 3) {
    return `Only ${fields.length} field(s) differ: a FIELD rollback of ${fields.map((f) => f.path).join(', ')} is the smallest scope.`;
  }
  return null;
}

/**
 * The one service every change belongs to (its files, its manifest, its `services.<name>`
 * variables), or null when any change — environment.yaml, a global variable, a file outside the
 * services, another service's manifest — lies outside a single service.
 */
function soleService(diff: FilesDiff): string | null {
  const owners = new Set<string | null>();
  for (const file of diff.files) {
    if (file.category === 'VARIABLES' && !file.parseError && file.fields.length > 0) {
      for (const field of file.fields) owners.add(field.service);
    } else {
      owners.add(file.service);
    }
  }
  const [owner] = owners;
  return owners.size === 1 && owner ? owner : null;
}
