/** previewRollback: exactly what a rollback would change, computed on the current head. */
import type { Actor } from '../actor';
import type { FieldDiff, FilesDiff } from '../diff/compare-files';
import { BadRequestError, DomainError, RepositoryCorruptError } from '../errors';
import { isInMainHistory, requireOpenTenantEnvironment, resolveRevision } from '../history/queries';
import type { RollbackMode, SelectedField, TenantEnvironment } from '../model';
import type { Backend, GitRepository } from '../ports';
import { readFiles, servicesWithChangedInputs, withRegeneratedManifests, type FileMap } from '../tenant-environment-files';
import { requireModeAllowed } from '../gating';
import { diffOfPlan, normalizeScope, planRollback, previewHash, type RollbackScope } from './plan';
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
  final: FileMap;
  regenerateManifests: boolean;
  previewHash: string;
  warnings: FieldWarning[];
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
  const current = await readFiles(git, head, context.ref);
  return computePreview(backend, git, context, scope, target, head, current);
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
 * `planOnly` (execution) skips what only a person reads — later-revision warnings, live values and the
 * scope suggestion — none of which enters the plan or its hash.
 */
export async function computePreview(
  backend: Backend,
  git: GitRepository,
  context: TenantEnvironment,
  scope: RollbackScope,
  targetSha: string,
  head: string,
  current: FileMap,
  options: { planOnly?: boolean } = {},
): Promise<RollbackPreview> {
  const target = await readTargetFiles(git, context, targetSha);
  const plan = planRollback(scope, current, target);
  const final = plan.regenerateManifests
    ? withRegeneratedManifests(plan.desired, servicesWithChangedInputs(current, plan.desired), context.ref)
    : plan.desired;
  const diff = diffOfPlan(current, final, scope, options.planOnly);
  if (diff.files.length === 0) throw new BadRequestError('NOTHING_TO_ROLL_BACK', NOTHING_TO_ROLL_BACK);
  const affectedServices = diff.services.map((s) => s.service);
  return {
    tenantEnvironment: context,
    scope,
    targetRevision: targetSha,
    baseRevision: head,
    diff,
    affectedServices,
    final,
    regenerateManifests: plan.regenerateManifests,
    previewHash: previewHash(scope, targetSha, diff),
    warnings: options.planOnly ? [] : await laterChanges(backend, context, targetSha, head, allFields(diff)),
    liveValues: options.planOnly ? new Map() : await liveValuesFor(backend, context, allFields(diff)),
    suggestion: options.planOnly ? null : smallerScope(scope, diff),
  };
}

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
