/** previewRollback: exactly what a rollback would change, computed on the current head. */
import { and, eq, inArray } from 'drizzle-orm';
import type { GitStore } from '../../git';
import { deployments } from '../../db/schema';
import { parseYaml, flattenLeaves } from '../../yaml';
import type { Actor } from '../actor';
import type { FieldDiff, FilesDiff } from '../diff/compare-files';
import { BadRequestError } from '../errors';
import { resolveRevision } from '../history/queries';
import type { Services } from '../services';
import { readFiles, servicesWithChangedInputs, withRegeneratedManifests, type FileMap } from '../tenant-environment-files';
import { requireTenantEnvironment, type TenantEnvironmentContext } from '../workspace';
import { requireModeAllowed } from '../gating';
import { diffOfPlan, normalizeScope, planRollback, previewHash, type RollbackScope } from './plan';
import type { RollbackMode, SelectedField } from '../../db/schema';
import { tenantEnvironmentDir } from '../layout';
import { liveValueOf, latestSyncReport } from '../sync';

export interface RollbackInput {
  project: string;
  tenant: string;
  environment: string;
  mode: RollbackMode;
  targetRevision?: string | null;
  service?: string | null;
  fields?: SelectedField[] | null;
}

export interface FieldWarning {
  file: string;
  path: string;
  /** Commits after the target that changed this field again: rolling back undoes them too. */
  laterRevisions: string[];
}

export interface RollbackPreview {
  context: TenantEnvironmentContext;
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

export async function previewRollback(services: Services, actor: Actor | null, input: RollbackInput): Promise<RollbackPreview> {
  if (!input.targetRevision?.trim()) throw new BadRequestError('TARGET_SHA_REQUIRED', 'targetSha is required');
  const context = await requireTenantEnvironment(services, actor, input, 'DEPLOYER');
  requireModeAllowed(context, input.mode);
  const scope = normalizeScope(input);
  const git = await services.repositories.forProject(context.project.slug);
  const target = await resolveTarget(services, git, context, input.targetRevision);
  const head = (await git.head())!;
  const current = await readFiles(git, head, context.ref);
  const preview = await computePreview(services, git, context, scope, target, head, current);
  return preview;
}

async function resolveTarget(services: Services, git: GitStore, context: TenantEnvironmentContext, revision: string): Promise<string> {
  let sha: string;
  try {
    sha = await resolveRevision(services, context, revision);
  } catch (error) {
    if (error instanceof BadRequestError && error.code === 'REVISION_NOT_FOUND') {
      throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: ${revision} does not exist or is corrupted; choose a revision from the deployment history`, { revision });
    }
    throw error;
  }
  const head = await git.head();
  if (!head || !(sha === head || (await git.isAncestor(sha, head)))) {
    throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: ${revision} is not in main's history`, { revision });
  }
  if ((await git.treeIdOf(sha, tenantEnvironmentDir(context.ref.tenant, context.ref.environment))) === null) {
    throw new BadRequestError('INVALID_TARGET_REVISION', `invalid target revision: tenant/${context.ref.tenant} env/${context.ref.environment} did not exist at ${revision}`, { revision });
  }
  return sha;
}

/** The planned change on top of `head`; used by preview and again, under the writer lock, by execution. */
export async function computePreview(
  services: Services,
  git: GitStore,
  context: TenantEnvironmentContext,
  scope: RollbackScope,
  targetSha: string,
  head: string,
  current: FileMap,
): Promise<RollbackPreview> {
  const target = await readFiles(git, targetSha, context.ref);
  const plan = planRollback(scope, current, target);
  const final = plan.regenerateManifests
    ? withRegeneratedManifests(plan.desired, servicesWithChangedInputs(current, plan.desired), context.ref)
    : plan.desired;
  const diff = diffOfPlan(current, final);
  if (diff.files.length === 0) throw new BadRequestError('NOTHING_TO_ROLL_BACK', NOTHING_TO_ROLL_BACK);
  const affectedServices = diff.services.map((s) => s.service);
  return {
    context,
    scope,
    targetRevision: targetSha,
    baseRevision: head,
    diff,
    affectedServices,
    final,
    regenerateManifests: plan.regenerateManifests,
    previewHash: previewHash(scope, targetSha, diff),
    warnings: await laterChanges(services, git, context, targetSha, head, allFields(diff)),
    liveValues: await liveValuesFor(services, context, allFields(diff)),
    suggestion: smallerScope(scope, diff),
  };
}

function allFields(diff: FilesDiff): FieldDiff[] {
  return diff.files.flatMap((f) => f.fields);
}

/** For each changed field, the commits after the target that changed it again. */
async function laterChanges(
  services: Services,
  git: GitStore,
  context: TenantEnvironmentContext,
  targetSha: string,
  head: string,
  fields: FieldDiff[],
): Promise<FieldWarning[]> {
  if (fields.length === 0 || targetSha === head) return [];
  const commits = await git.log({ from: head, until: targetSha });
  const shas = commits.map((c) => c.sha);
  const rows = shas.length
    ? await services.db
        .select({ revision: deployments.revision, changedPaths: deployments.changedPaths })
        .from(deployments)
        .where(and(eq(deployments.tenantEnvironmentId, context.id), inArray(deployments.revision, shas)))
    : [];
  const parents = new Map(commits.map((c) => [c.sha, c.parents[0] ?? null]));
  const order = new Map(shas.map((sha, index) => [sha, index]));
  const warnings: FieldWarning[] = [];
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  const leavesCache = new Map<string, Map<string, unknown> | null>();
  const leavesAt = async (sha: string | null, file: string) => {
    if (!sha) return null;
    const key = `${sha}:${file}`;
    if (!leavesCache.has(key)) {
      const blob = await git.readFile(sha, `${dir}/${file}`);
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
  for (const field of fields) {
    const touching = rows
      .filter((row) => row.changedPaths.includes(field.file))
      .sort((a, b) => order.get(a.revision)! - order.get(b.revision)!);
    const later: string[] = [];
    for (const row of touching) {
      const after = (await leavesAt(row.revision, field.file))?.get(field.path);
      const before = (await leavesAt(parents.get(row.revision) ?? null, field.file))?.get(field.path);
      if (JSON.stringify(after) !== JSON.stringify(before)) later.push(row.revision);
    }
    if (later.length > 0) warnings.push({ file: field.file, path: field.path, laterRevisions: later });
  }
  return warnings;
}

async function liveValuesFor(services: Services, context: TenantEnvironmentContext, fields: FieldDiff[]): Promise<Map<string, unknown>> {
  const report = await latestSyncReport(services, context.id);
  const values = new Map<string, unknown>();
  if (!report) return values;
  for (const field of fields) {
    const live = liveValueOf(report, field);
    if (live !== undefined) values.set(`${field.file}\u0000${field.path}`, live);
  }
  return values;
}

/** The spec's best practice: start with the smallest scope that covers the change. */
function smallerScope(scope: RollbackScope, diff: FilesDiff): string | null {
  const inputServices = diff.services.filter((s) => s.files.some((f) => f.category !== 'MANIFEST') || s.fields.length > 0);
  const onlyFields = diff.files.every((f) => f.category === 'MANIFEST' || (f.kind === 'MODIFIED' && !f.parseError && f.category !== 'OTHER'));
  const fieldCount = diff.files.reduce((sum, f) => sum + f.fields.length, 0);
  if (scope.mode === 'FULL' && inputServices.length === 1 && diff.environmentFields.length === 0) {
    const service = inputServices[0]!;
    if (onlyFields && fieldCount <= 3) {
      return `Only ${fieldCount} field(s) of ${service.service} differ: a FIELD rollback of ${service.fields.map((f) => f.path).join(', ')} would change nothing else.`;
    }
    return `All changes fall within service ${service.service}: a SERVICE rollback would leave the other services untouched.`;
  }
  if (scope.mode === 'SERVICE' && onlyFields && fieldCount > 0 && fieldCount <= 3) {
    return `Only ${fieldCount} field(s) differ: a FIELD rollback of ${allFields(diff).map((f) => f.path).join(', ')} is the smallest scope.`;
  }
  return null;
}
