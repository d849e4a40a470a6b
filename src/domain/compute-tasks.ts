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
    const others = servicesNow?.filter((service) => service !== scope.service);
    const regenerated = servicesWithChangedInputs(current, plan.desired, others && [...others, ...servicesIn(current), ...servicesIn(plan.desired)]);
    if (others && regenerated.some((service) => service !== scope.service)) return null;
    const final = withRegeneratedManifests(plan.desired, regenerated, ref);
    const services = others && { before: servicesNow!, after: [...others, ...servicesIn(final)] };
    const diff = diffOfPlan(current, final, scope, textDiffs, services);
    return { changed: changedFiles(current, final), diff, previewHash: textDiffs === 'none' ? null : previewHash(scope, targetSha, diff) };
  },

  /** A write through the generic path (releases, promotions): manifests regenerated, the change set and its field changes. */
  finishChange({ ref, current, changed, regenerateManifests }: FinishChangeInput): FinishedChange {
    const desired = withChanges(current, changed);
    const final = regenerateManifests ? withRegeneratedManifests(desired, servicesWithChangedInputs(current, desired), ref) : desired;
    return { changed: changedFiles(current, final), diff: compareFiles(current, final, { needsTextDiff: () => false }) };
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
