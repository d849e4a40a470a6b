/** Releases and promotions: the API's own way to make deployment history (source RELEASE / PROMOTION). */
import type { Actor, UserActor } from './actor';
import { requireRole } from './access';
import { recordAudit } from './audit';
import { commitTenantEnvironmentChange } from './commit-change';
import { runCompute } from './compute-tasks';
import { formatCommitMessage } from './commit-metadata';
import { BadRequestError, NotFoundError } from './errors';
import { assertEditValue, assertFileContent, boundedText } from './input-limits';
import { requireOpenTenantEnvironment } from './history/queries';
import { NAME_PATTERN } from './layout';
import type { Deployment, TenantEnvironment } from './model';
import type { Backend, Transaction } from './ports';
import type { FieldEdit, ServiceRelease } from './release-edits';
import { readFiles, servicesIn, withChanges } from './tenant-environment-files';

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

export async function deployRelease(backend: Backend, actor: Actor | null, input: ReleaseInput): Promise<Deployment> {
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
  const committed = await commitTenantEnvironmentChange(backend, {
    tenantEnvironment: context,
    author: { name: user.user.name, email: user.user.email },
    what: 'release',
    message: () => formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: context.ref, authorEmail: user.user.email, description }),
    record: audited(backend, user, context, 'release.deployed', {
      description,
      services: serviceReleases.map((r) => r.service),
      fields: [...serviceReleases.flatMap((r) => (r.setFields ?? []).map((f) => `${r.service}/${f.file} ${f.path}`)), ...environmentFields.map((f) => `${f.file} ${f.path}`)],
    }),
    apply: async (current) =>
      withChanges(current, await runCompute(backend.compute, 'applyReleaseEdits', { current, services: serviceReleases, environmentFields })),
  });
  return committed.deployment;
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

export async function promote(backend: Backend, actor: Actor | null, input: PromoteInput): Promise<Deployment> {
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
  const committed = await commitTenantEnvironmentChange(backend, {
    tenantEnvironment: target,
    author: { name: user.user.name, email: user.user.email },
    what: 'promotion',
    record: audited(backend, user, target, 'promotion.deployed', { fromEnvironment: input.fromEnvironment, services: promoted }),
    message: () =>
      formatCommitMessage({
        kind: 'PROMOTION',
        tenantEnvironment: target.ref,
        authorEmail: user.user.email,
        description: description ?? `Promote ${promoted.join(', ')} from env/${input.fromEnvironment}`,
        fromEnvironment: input.fromEnvironment,
        services: promoted,
      }),
    apply: (current) => {
      const files = new Map(current);
      for (const service of promoted) {
        const prefix = `services/${service}/`;
        for (const path of [...files.keys()]) if (path.startsWith(prefix)) files.delete(path);
        for (const [path, content] of sourceFiles) if (path.startsWith(prefix)) files.set(path, content);
      }
      return files;
    },
  });
  return committed.deployment;
}

/** The deployment's audit event, written in the transaction that records the commit. */
function audited(backend: Backend, user: UserActor, context: TenantEnvironment, action: string, details: Record<string, unknown>) {
  return async ({ stores }: Transaction, { sha, deployment }: { sha: string; deployment: Deployment }) =>
    recordAudit(stores, {
      projectId: context.project.id,
      actor: user,
      action,
      targetType: 'Deployment',
      targetId: deployment.id,
      tenantEnvironmentId: context.id,
      details: { revision: sha, ...details },
      now: backend.now(),
    });
}

export async function deploymentAt(backend: Backend, tenantEnvironment: TenantEnvironment, sha: string): Promise<Deployment> {
  const row = await backend.stores.deployments.byRevision(tenantEnvironment.id, sha);
  if (!row) throw new NotFoundError(`deployment ${sha}`);
  return row;
}
