/**
 * The tasks a Compute runs (see compute.ts): pure functions of plain data. This module and what it
 * imports are what a worker thread loads, so it stays free of stores, Git and the event bus.
 */
import type { Compute, TaskOutcome } from './compute';
import { compareFileContents, compareFiles, type FileDiff, type FilesDiff, type ServicesOnEachSide } from './diff/compare-files';
import { BadRequestError, DomainError, domainErrorData } from './errors';
import type { TenantEnvironmentRef } from './model';
import { applyReleaseEdits } from './release-edits';
import {
  ROLLBACK_LABELS,
  diffOfPlan,
  planRollback,
  previewHash,
  previewHashPart,
  textDiffPredicate,
  type PreviewHashPart,
  type RollbackScope,
  type TextDiffs,
} from './rollback/plan';
import {
  changedFiles,
  servicesIn,
  servicesWithChangedInputs,
  withChanges,
  withRegeneratedManifests,
  type ChangedFile,
  type FileMap,
} from './tenant-environment-files';

export interface RollbackFilesDiffInput {
  scope: RollbackScope;
  /** Files known to differ: path, content now, content after the rollback (undefined: absent). */
  files: Array<readonly [path: string, current: string | undefined, final: string | undefined]>;
  textDiffs: TextDiffs;
}

export interface RollbackFilesDiff {
  files: FileDiff[];
  /** Each file's share of the preview hash (null for manifests). */
  hashParts: Array<PreviewHashPart | null>;
}

export interface PlanRollbackInput {
  scope: RollbackScope;
  ref: TenantEnvironmentRef;
  targetSha: string;
  current: FileMap;
  target: FileMap;
  textDiffs: TextDiffs;
  /** Set when `current` and `target` hold only the scope's service inputs (serviceInputFiles): every service at head. */
  servicesNow?: string[];
}

export interface PlannedRollback {
  /** What the rollback commit writes, relative to `current` (manifests regenerated). */
  changed: ChangedFile[];
  diff: FilesDiff;
  /** Null when `textDiffs` is 'none' (the caller knows the hash). */
  previewHash: string | null;
}

export interface FinishChangeInput {
  ref: TenantEnvironmentRef;
  current: FileMap;
  /** The caller's change to `current`. */
  changed: ChangedFile[];
  regenerateManifests: boolean;
  /** Set when `current` holds only some services' inputs (serviceInputFiles): every service at head. */
  servicesNow?: string[];
}

export interface FinishedChange {
  /** The change with the manifests of every service whose inputs changed regenerated. */
  changed: ChangedFile[];
  /** Field changes (no text diffs), for the deployment record. */
  diff: FilesDiff;
}

export interface CompareFilesInput {
  before: FileMap;
  after: FileMap;
  labels?: { before: string; after: string };
  textDiffs: boolean;
  services?: ServicesOnEachSide;
}

/**
 * A task given only some services' inputs (serviceInputFiles) and every service at head: the
 * services it holds, whether manifests to regenerate reach beyond them, and the services on each side.
 */
function partialInputs(servicesNow: string[] | undefined, current: FileMap, desired: FileMap) {
  if (!servicesNow) return null;
  const given = new Set([...servicesIn(current), ...servicesIn(desired)]);
  const others = servicesNow.filter((service) => !given.has(service));
  return {
    all: [...others, ...given],
    reachesOthers: (regenerated: string[]) => regenerated.some((service) => !given.has(service)),
    onEachSide: (final: FileMap): ServicesOnEachSide => ({ before: servicesNow, after: [...others, ...servicesIn(final)] }),
  };
}

export const computeTasks = {
  /** Part of a rollback's diff (a FULL rollback's files are compared in parts, in parallel). */
  diffRollbackFiles({ scope, files, textDiffs }: RollbackFilesDiffInput): RollbackFilesDiff {
    const diffs = compareFileContents(files, { labels: ROLLBACK_LABELS, needsTextDiff: textDiffPredicate(scope, textDiffs) });
    return { files: diffs, hashParts: textDiffs === 'none' ? [] : diffs.map((file) => previewHashPart(scope, file)) };
  },

  /**
   * A SERVICE or FIELD rollback: the plan, its manifests, its diff and preview hash. Null when given
   * only the service's inputs and the change reaches other services' manifests (an alias or a global
   * key of variables.yaml): then it is planned again with every file.
   */
  planRollback({ scope, ref, targetSha, current, target, textDiffs, servicesNow }: PlanRollbackInput): PlannedRollback | null {
    if (scope.mode === 'FULL') throw new BadRequestError('UNSUPPORTED_MODE', 'a FULL rollback restores the target tree; it is not planned file by file');
    const plan = planRollback(scope, current, target);
    const partial = partialInputs(servicesNow, current, plan.desired);
    const regenerated = servicesWithChangedInputs(current, plan.desired, partial?.all);
    if (partial?.reachesOthers(regenerated)) return null;
    const final = withRegeneratedManifests(plan.desired, regenerated, ref);
    const diff = diffOfPlan(current, final, scope, textDiffs, partial?.onEachSide(final));
    return { changed: changedFiles(current, final), diff, previewHash: textDiffs === 'none' ? null : previewHash(scope, targetSha, diff) };
  },

  /**
   * A write through the generic path (releases, promotions): manifests regenerated, the change set
   * and its field changes. Null when given only some services' inputs and the change reaches
   * other services' manifests: then it is finished again with every file.
   */
  finishChange({ ref, current, changed, regenerateManifests, servicesNow }: FinishChangeInput): FinishedChange | null {
    const desired = withChanges(current, changed);
    const partial = partialInputs(servicesNow, current, desired);
    let final = desired;
    if (regenerateManifests) {
      const regenerated = servicesWithChangedInputs(current, desired, partial?.all);
      if (partial?.reachesOthers(regenerated)) return null;
      final = withRegeneratedManifests(desired, regenerated, ref);
    }
    return { changed: changedFiles(current, final), diff: compareFiles(current, final, { needsTextDiff: () => false, services: partial?.onEachSide(final) }) };
  },

  applyReleaseEdits,

  /** Field and text diffs of two versions (history comparisons, indexing), optionally of partial maps. */
  compareFiles(input: CompareFilesInput): FilesDiff {
    return compareFiles(input.before, input.after, { labels: input.labels, needsTextDiff: input.textDiffs ? undefined : () => false, services: input.services });
  },

  /** Many comparisons in one task (the commits of an indexing batch): one message instead of one per commit. */
  compareFileSets(inputs: CompareFilesInput[]): FilesDiff[] {
    return inputs.map((input) => computeTasks.compareFiles(input));
  },

};

export type ComputeTasks = typeof computeTasks;
export type ComputeTask = keyof ComputeTasks;

/** Runs a task on a Compute, typed by its function in computeTasks. */
export function runCompute<T extends ComputeTask>(compute: Compute, task: T, input: Parameters<ComputeTasks[T]>[0]): Promise<ReturnType<ComputeTasks[T]>> {
  return compute.run(task, input) as Promise<ReturnType<ComputeTasks[T]>>;
}

/** Runs a task and captures its outcome (the worker side of an adapter). */
export function runTask(task: string, input: unknown): TaskOutcome {
  const run = Object.hasOwn(computeTasks, task) ? (computeTasks as Record<string, (input: unknown) => unknown>)[task]! : null;
  if (!run) return { error: new Error(`unknown compute task ${task}`) };
  try {
    return { ok: run(input) };
  } catch (error) {
    if (error instanceof DomainError) return { domainError: domainErrorData(error) };
    return { error };
  }
}

/** Runs tasks on the event loop, one at a time: for tests and tools that do not care about stalls. */
export function inProcessCompute(): Compute {
  return {
    parallelism: 1,
    run: async (task, input) => (computeTasks as Record<string, (input: unknown) => unknown>)[task]!(input),
    warmUp: () => undefined,
    close: async () => undefined,
  };
}
