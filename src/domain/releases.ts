/** Releases and promotions: the API's own way to make deployment history (source RELEASE / PROMOTION). */
import type { Actor, UserActor } from './actor';
import { requireRole } from './access';
import { requireWritable } from './archived';
import { recordAudit } from './audit';
import { commitTenantEnvironmentChange } from './commit-change';
import { runCompute } from './compute-tasks';
import { formatCommitMessage } from './commit-metadata';
import { BadRequestError, ForbiddenError, NotFoundError } from './errors';
import { assertEditValue, assertFileContent, boundedText } from './input-limits';
import { requireOpenTenantEnvironment } from './history/queries';
import { NAME_PATTERN } from './layout';
import type { Deployment, PromotionPayload, ReleasePayload, TenantEnvironment } from './model';
import type { Backend, Transaction } from './ports';
import type { FieldEdit, ReleaseEdits, ServiceRelease } from './release-edits';
import { approvalRequiredIn, breakGlassLine } from './requests/approval';
import { readFiles, serviceInputFiles, servicesIn, withChanges, type FileMap } from './tenant-environment-files';

export type { FieldEdit, ServiceRelease } from './release-edits';

export interface ReleaseInput {
  project: string;
  tenant: string;
  environment: string;
  description?: string | null;
  services?: ServiceRelease[];
  /** Edits of variables.yaml or environment.yaml. */
  environmentFields?: FieldEdit[];
}

/** A release checked and ready to commit: the tenant-environment, its edits and what they touch. */
export interface PlannedRelease {
  context: TenantEnvironment;
  user: UserActor;
  description: string | null;
  payload: ReleasePayload;
  scope: { services: string[]; whole: boolean };
}

/** Checks a release (roles, limits, names) without writing anything. */
export async function planRelease(backend: Backend, actor: Actor | null, input: ReleaseInput): Promise<PlannedRelease> {
  const context = await requireOpenTenantEnvironment(backend, actor, input, 'DEPLOYER');
  const user = requireRole(actor, context.project.id, 'DEPLOYER', 'tenant-environment');
  const serviceReleases = input.services ?? [];
  const environmentFields = input.environmentFields ?? [];
  const description = boundedText(input.description, 'description');
  for (const release of serviceReleases) {
    for (const edit of release.setFields ?? []) assertEditValue(edit.value, `the value of ${release.service}/${edit.file} ${edit.path}`);
    for (const file of release.replaceFiles ?? []) assertFileContent(file.content, `${release.service}/${file.file}`);
  }
  for (const edit of environmentFields) assertEditValue(edit.value, `the value of ${edit.file} ${edit.path}`);
  if (serviceReleases.length === 0 && environmentFields.length === 0) {
    throw new BadRequestError('EMPTY_RELEASE', 'a release must change at least one service or environment field');
  }
  for (const release of serviceReleases) {
    if (!NAME_PATTERN.test(release.service)) {
      throw new BadRequestError('INVALID_SERVICE_NAME', `invalid service name "${release.service}": use lowercase letters, digits and dashes`);
    }
  }
  return {
    context,
    user,
    description,
    payload: { services: serviceReleases, environmentFields },
    scope: { services: [...new Set(serviceReleases.map((r) => r.service))], whole: environmentFields.length > 0 },
  };
}

/**
 * A release request is checked against main's head when it is made, so approvers never approve
 * edits of a service, file or field that does not exist (the commit checks again when it runs).
 */
export async function requireReleaseApplies(backend: Backend, planned: PlannedRelease): Promise<void> {
  const git = await backend.repositories.forProject(planned.context.project.slug);
  const current = await readFiles(git, await git.head(), planned.context.ref);
  const { services, environmentFields } = planned.payload;
  const changed = await runCompute(backend.compute, 'applyReleaseEdits', releaseEdits(current, services, environmentFields));
  if (changed.length === 0) throw new BadRequestError('NOTHING_TO_CHANGE', 'nothing to change: the tenant-environment already has this state');
}

/** A release reads only its services' files, variables.yaml and environment.yaml: only those cross to the compute pool. */
function releaseEdits(current: FileMap, services: ServiceRelease[], environmentFields: FieldEdit[]): ReleaseEdits {
  return { current: serviceInputFiles(current, services.map((release) => release.service)), services, environmentFields };
}

/** Who a commit is by (its author) and who makes it now (the audit event's actor). */
export interface Committer {
  user: { name: string; email: string };
  actor: Actor | null;
}

/** How a protected action was let through, for its commit trailers and audit event. */
export interface ApprovalRecord {
  /** The commit's Approval line. */
  approval: string;
  /** The request it executes, if any. */
  requestId?: string;
  /** Written in the transaction that records the commit (the request completing). */
  record?: (tx: Transaction, committed: { sha: string; deployment: Deployment }) => Promise<void>;
  afterCommit?: () => Promise<void>;
}

export async function deployRelease(backend: Backend, actor: Actor | null, input: ReleaseInput): Promise<Deployment> {
  const planned = await planRelease(backend, actor, input);
  const bypass = await requireUnprotectedOrBreakGlass(backend, planned.context, planned.user, 'RELEASE');
  return (await commitRelease(backend, { user: planned.user.user, actor: planned.user }, planned.context, planned.description, planned.payload, bypass)).deployment;
}

/** Commits a planned (and, where needed, approved) release. */
export async function commitRelease(
  backend: Backend,
  user: Committer,
  context: TenantEnvironment,
  description: string | null,
  payload: ReleasePayload,
  approved: ApprovalRecord | null,
) {
  const { services: serviceReleases, environmentFields } = payload;
  return commitTenantEnvironmentChange(backend, {
    tenantEnvironment: context,
    author: { name: user.user.name, email: user.user.email },
    what: 'release',
    message: () =>
      formatCommitMessage({
        kind: 'RELEASE',
        tenantEnvironment: context.ref,
        authorEmail: user.user.email,
        description,
        approval: approved?.approval,
        approvalRequestId: approved?.requestId,
      }),
    record: audited(backend, user, context, 'release.deployed', {
      description,
      services: serviceReleases.map((r) => r.service),
      fields: [...serviceReleases.flatMap((r) => (r.setFields ?? []).map((f) => `${r.service}/${f.file} ${f.path}`)), ...environmentFields.map((f) => `${f.file} ${f.path}`)],
      ...(approved ? { approval: approved.approval } : {}),
      ...(approved?.requestId ? { requestId: approved.requestId } : {}),
    }, approved?.record),
    afterCommit: approved?.afterCommit,
    apply: async (current) =>
      withChanges(current, await runCompute(backend.compute, 'applyReleaseEdits', releaseEdits(current, serviceReleases, environmentFields))),
  });
}

export interface PromoteInput {
  project: string;
  tenant: string;
  fromEnvironment: string;
  toEnvironment: string;
  /** One service, or every service of the source environment when absent. */
  service?: string | null;
  description?: string | null;
}

export interface PlannedPromotion {
  source: TenantEnvironment;
  context: TenantEnvironment;
  user: UserActor;
  description: string | null;
  payload: PromotionPayload;
  scope: { services: string[]; whole: boolean };
}

export async function planPromotion(backend: Backend, actor: Actor | null, input: PromoteInput): Promise<PlannedPromotion> {
  const source = await requireOpenTenantEnvironment(
    backend,
    actor,
    { project: input.project, tenant: input.tenant, environment: input.fromEnvironment },
    'VIEWER',
  );
  const target = await requireOpenTenantEnvironment(
    backend,
    actor,
    { project: input.project, tenant: input.tenant, environment: input.toEnvironment },
    'DEPLOYER',
  );
  const user = requireRole(actor, target.project.id, 'DEPLOYER', 'tenant-environment');
  if (source.id === target.id) throw new BadRequestError('INVALID_PROMOTION', 'cannot promote an environment onto itself');
  const description = boundedText(input.description, 'description');
  const git = await backend.repositories.forProject(source.project.slug);
  const sourceFiles = await readFiles(git, await git.head(), source.ref);
  const promoted = input.service ? [input.service] : servicesIn(sourceFiles);
  for (const service of promoted) {
    if (!servicesIn(sourceFiles).includes(service)) {
      throw new NotFoundError(`service ${service} in ${input.tenant}/${input.fromEnvironment}`);
    }
  }
  return {
    source,
    context: target,
    user,
    description,
    payload: { fromEnvironment: input.fromEnvironment, services: promoted },
    // Promoting every service of the source replaces the whole set: it covers the tenant-environment.
    scope: { services: promoted, whole: !input.service },
  };
}

export async function promote(backend: Backend, actor: Actor | null, input: PromoteInput): Promise<Deployment> {
  const planned = await planPromotion(backend, actor, input);
  const bypass = await requireUnprotectedOrBreakGlass(backend, planned.context, planned.user, 'PROMOTION');
  return (await commitPromotion(backend, { user: planned.user.user, actor: planned.user }, planned.context, planned.description, planned.payload, bypass)).deployment;
}

/** Commits a promotion, reading the source environment's files at the head it commits on. */
export async function commitPromotion(
  backend: Backend,
  user: Committer,
  target: TenantEnvironment,
  description: string | null,
  payload: PromotionPayload,
  approved: ApprovalRecord | null,
) {
  const { fromEnvironment, services: promoted } = payload;
  const git = await backend.repositories.forProject(target.project.slug);
  const sourceRef = { ...target.ref, environment: fromEnvironment };
  return commitTenantEnvironmentChange(backend, {
    tenantEnvironment: target,
    author: { name: user.user.name, email: user.user.email },
    what: 'promotion',
    record: audited(backend, user, target, 'promotion.deployed', {
      fromEnvironment,
      services: promoted,
      ...(approved ? { approval: approved.approval } : {}),
      ...(approved?.requestId ? { requestId: approved.requestId } : {}),
    }, approved?.record),
    afterCommit: approved?.afterCommit,
    message: () =>
      formatCommitMessage({
        kind: 'PROMOTION',
        tenantEnvironment: target.ref,
        authorEmail: user.user.email,
        description: description ?? `Promote ${promoted.join(', ')} from env/${fromEnvironment}`,
        fromEnvironment,
        services: promoted,
        approval: approved?.approval,
        approvalRequestId: approved?.requestId,
      }),
    apply: async (current, head) => {
      const sourceFiles = await readFiles(git, head, sourceRef);
      const files = new Map(current);
      for (const service of promoted) {
        if (!servicesIn(sourceFiles).includes(service)) throw new NotFoundError(`service ${service} in ${target.ref.tenant}/${fromEnvironment}`);
        const prefix = `services/${service}/`;
        for (const path of [...files.keys()]) if (path.startsWith(prefix)) files.delete(path);
        for (const [path, content] of sourceFiles) if (path.startsWith(prefix)) files.set(path, content);
      }
      return files;
    },
  });
}

/**
 * The plain mutations on a protected environment: refused (the request mutations are the way in),
 * unless the user has a break-glass session open, which lets them through at once, flagged.
 */
async function requireUnprotectedOrBreakGlass(backend: Backend, context: TenantEnvironment, user: UserActor, action: 'RELEASE' | 'PROMOTION'): Promise<ApprovalRecord | null> {
  requireWritable(context);
  if (!approvalRequiredIn(context.environment)) return null;
  const session = await backend.stores.breakGlass.activeFor(user.user.id, context.project.id, backend.now());
  if (session) return { approval: await breakGlassLine(backend.stores, session) };
  const [mutation, name] = action === 'RELEASE' ? ['requestRelease', 'a release'] : ['requestPromotion', 'a promotion'];
  throw new ForbiddenError(
    'APPROVAL_REQUIRED',
    `env/${context.ref.environment} requires approval for ${name}: submit it with ${mutation} (or open a break-glass session in an emergency)`,
    { mutation, environment: context.ref.environment, quorum: context.environment.quorum },
  );
}

/** The deployment's audit event, written in the transaction that records the commit. */
function audited(
  backend: Backend,
  user: Committer,
  context: TenantEnvironment,
  action: string,
  details: Record<string, unknown>,
  then?: (tx: Transaction, committed: { sha: string; deployment: Deployment }) => Promise<void>,
) {
  return async (tx: Transaction, { sha, deployment }: { sha: string; deployment: Deployment }) => {
    await recordAudit(tx.stores, {
      projectId: context.project.id,
      actor: user.actor,
      action,
      targetType: 'Deployment',
      targetId: deployment.id,
      tenantEnvironmentId: context.id,
      details: { revision: sha, ...details },
      now: backend.now(),
    });
    await then?.(tx, { sha, deployment });
  };
}

export async function deploymentAt(backend: Backend, tenantEnvironment: TenantEnvironment, sha: string): Promise<Deployment> {
  const row = await backend.stores.deployments.byRevision(tenantEnvironment.id, sha);
  if (!row) throw new NotFoundError(`deployment ${sha}`);
  return row;
}
