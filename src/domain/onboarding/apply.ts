/**
 * `apply`: makes the workspace match a workspace file, idempotently. Creates or updates what the
 * file declares (organizations, projects — empty or imported —, environments and their policies,
 * tenants, tenant-environments, users and their roles, agents and their scopes), archives and
 * restores what it marks, and never removes anything the file leaves out. Everything the file and
 * the data can tell is checked before the first change; imports are cloned and checked then too.
 * A second apply of the same file changes nothing and says so.
 */
import { BadRequestError, DomainError } from '../errors';
import type { Role } from '../model';
import type { Backend } from '../ports';
import { archiveEnvironment, archiveOrganization, archiveProject, archiveTenant } from './archive';
import { OPERATOR, type Operator } from './caller';
import { installImport, stageImport, type StagedImport } from './import';
import { agentsOf, createUserAccount, registerAgent, setAgentScopes, setProjectMember } from './people';
import { notificationTargetsOf, setNotificationTarget } from '../notifications/targets';
import { checkEventKinds, parseTargetUrl } from '../notifications/targets-policy';
import {
  createEnvironment,
  createOrganization,
  createProject,
  createTenant,
  createTenantEnvironment,
  renameProject,
  renameTenant,
  updateEnvironmentPolicy,
  updateOrganization,
} from './structure';
import { sortedByPosition, WorkspaceFileError, type OrganizationSpec, type ProjectSpec, type WorkspaceFile } from './workspace-file';

export interface ApplyOutcome {
  dryRun: boolean;
  /** One line per change made (or, in a dry run, to be made): `+` created, `~` changed, `-` archived. */
  changes: string[];
  /** Tokens of the agents created now, shown once. */
  agentTokens: Array<{ project: string; agent: string; token: string }>;
  notes: string[];
}

type Archivable = { archived?: boolean | undefined };

class Run {
  readonly outcome: ApplyOutcome;
  /** Archive marks are set last, so that everything the file declares inside them is created first. */
  readonly archives: Array<{ line: string; run: () => Promise<unknown> }> = [];
  constructor(
    readonly backend: Backend,
    dryRun: boolean,
    /** Where `secretEnv` of a notification target is read (the apply process's environment). */
    readonly env: Record<string, string | undefined> = {},
  ) {
    this.outcome = { dryRun, changes: [], agentTokens: [], notes: [] };
  }

  async change(line: string, run: () => Promise<unknown>): Promise<void> {
    this.outcome.changes.push(line);
    if (!this.outcome.dryRun) await run();
  }

  /** Restores now (before the writes the file declares inside it), or archives at the end. */
  async archiveMark(spec: Archivable, archivedAt: Date | null | undefined, what: string, set: (archived: boolean) => Promise<unknown>): Promise<void> {
    if (spec.archived === false && archivedAt) await this.change(`~ ${what}: restored`, () => set(false));
    if (spec.archived === true && !archivedAt) this.archives.push({ line: `- ${what}: archived`, run: () => set(true) });
  }
}

const flagsText = (flags: readonly string[]) => (flags.length > 0 ? `, ${flags.join(', ')}` : '');
const policyText = (p: { approvalRequired?: boolean; quorum?: number; blockSelfApproval?: boolean }) =>
  p.approvalRequired ? `approval required, quorum ${p.quorum ?? 1}${p.blockSelfApproval === false ? ', self-approval allowed' : ''}` : 'no approval required';

/** Problems only the data can show (a project of another organization, a role in an unknown project), at their lines. */
async function checkAgainstData(backend: Backend, file: WorkspaceFile, notes: string[], env: Record<string, string | undefined>): Promise<void> {
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const [i, organization] of file.spec.organizations.entries()) {
    for (const [j, project] of organization.projects.entries()) {
      declared.add(project.slug);
      const existing = await backend.stores.projects.bySlug(project.slug);
      if (!existing) continue;
      const owner = await backend.stores.organizations.byId(existing.organizationId);
      if (owner && owner.slug !== organization.slug) {
        problems.push(`${file.locate(['organizations', i, 'projects', j, 'slug'])}: project ${project.slug} belongs to organization ${owner.slug}, not ${organization.slug}`);
      }
      if (project.importFrom) notes.push(`project ${project.slug} exists already: importFrom is only used to create it`);
    }
  }
  for (const [i, user] of file.spec.users.entries()) {
    for (const project of Object.keys(user.roles)) {
      if (!declared.has(project) && !(await backend.stores.projects.bySlug(project))) {
        problems.push(`${file.locate(['users', i, 'roles', project])}: project ${project} is neither in this file nor in the workspace`);
      }
    }
  }
  await checkNotifications(backend, file, problems, env);
  if (problems.length > 0) throw new WorkspaceFileError(file.file, sortedByPosition(problems));
}

/** Notification targets: their URLs against the network policy, their kinds, their secrets' variables; before any change. */
async function checkNotifications(backend: Backend, file: WorkspaceFile, problems: string[], env: Record<string, string | undefined>): Promise<void> {
  for (const [i, organization] of file.spec.organizations.entries()) {
    for (const [j, project] of organization.projects.entries()) {
      for (const [k, target] of project.notifications.entries()) {
        const at = ['organizations', i, 'projects', j, 'notifications', k];
        try {
          const url = parseTargetUrl(target.url);
          const refusal = await backend.notificationNetwork?.refusal(url);
          if (refusal) problems.push(`${file.locate([...at, 'url'])}: ${refusal.message}`);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          problems.push(`${file.locate([...at, 'url'])}: ${error.message}`);
        }
        try {
          checkEventKinds(target.kind, target.events);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          problems.push(`${file.locate([...at, 'events'])}: ${error.message}`);
        }
        if (target.secretEnv && !env[target.secretEnv]) problems.push(`${file.locate([...at, 'secretEnv'])}: the variable ${target.secretEnv} is not set`);
        if (target.secretEnv && target.kind === 'SLACK') problems.push(`${file.locate([...at, 'secretEnv'])}: a SLACK target has no secret: its URL is the secret`);
      }
    }
  }
}

/** Clones and checks every repository the file imports, before anything changes. */
async function stageImports(backend: Backend, file: WorkspaceFile): Promise<Map<string, StagedImport>> {
  const staged = new Map<string, StagedImport>();
  try {
    for (const [i, organization] of file.spec.organizations.entries()) {
      for (const [j, project] of organization.projects.entries()) {
        if (!project.importFrom || (await backend.stores.projects.bySlug(project.slug))) continue;
        try {
          staged.set(project.slug, await stageImport(backend, { project: project.slug, from: project.importFrom, branch: project.branch }));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          throw new BadRequestError(error.code, `${file.locate(['organizations', i, 'projects', j, 'importFrom'])}: ${error.message}`);
        }
      }
    }
    return staged;
  } catch (error) {
    await Promise.all([...staged.values()].map((s) => s.staged.discard()));
    throw error;
  }
}

export async function applyWorkspace(
  backend: Backend,
  _operator: Operator,
  file: WorkspaceFile,
  options: { dryRun?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<ApplyOutcome> {
  const run = new Run(backend, options.dryRun ?? false, options.env ?? {});
  await checkAgainstData(backend, file, run.outcome.notes, run.env);
  const staged = await stageImports(backend, file);
  try {
    for (const organization of file.spec.organizations) await applyOrganization(run, organization, staged);
    for (const user of file.spec.users) {
      const existing = await backend.stores.users.byEmail(user.email);
      if (!existing) await run.change(`+ user ${user.email} (${user.name})`, () => createUserAccount(backend, OPERATOR, user));
      for (const [project, role] of Object.entries(user.roles) as Array<[string, Role]>) {
        const projectRow = await backend.stores.projects.bySlug(project);
        const current = existing && projectRow ? (await backend.stores.memberships.ofUser(existing.id)).find((m) => m.projectId === projectRow.id)?.role : undefined;
        if (current === role) continue;
        await run.change(current ? `~ ${user.email} in ${project}: ${current} → ${role}` : `+ ${user.email} is ${role} in ${project}`, () =>
          setProjectMember(backend, OPERATOR, { project, email: user.email, role, name: user.name }),
        );
      }
    }
    for (const archive of run.archives) await run.change(archive.line, archive.run);
  } finally {
    // What a dry run (or a failure before it was installed) cloned is removed again.
    await Promise.all([...staged.values()].map((s) => s.staged.discard()));
  }
  return run.outcome;
}

async function applyOrganization(run: Run, spec: OrganizationSpec, staged: Map<string, StagedImport>): Promise<void> {
  const { backend } = run;
  const input = { slug: spec.slug, name: spec.name, plan: spec.plan, featureFlags: spec.featureFlags };
  const existing = await backend.stores.organizations.bySlug(spec.slug);
  if (!existing) {
    await run.change(`+ organization ${spec.slug} (${spec.plan}${flagsText(spec.featureFlags)})`, () => createOrganization(backend, OPERATOR, input));
  } else {
    await run.archiveMark(spec, existing.archivedAt, `organization ${spec.slug}`, (archived) => archiveOrganization(backend, OPERATOR, spec.slug, archived));
    const { changes } = await updateOrganization(backend, OPERATOR, { ...input, name: spec.name ?? existing.name }, { dryRun: true });
    if (changes.length > 0) {
      await run.change(`~ organization ${spec.slug}: ${changes.join(', ')}`, () => updateOrganization(backend, OPERATOR, { ...input, name: spec.name ?? existing.name }));
    }
  }
  if (spec.archived === true && !existing) run.archives.push({ line: `- organization ${spec.slug}: archived`, run: () => archiveOrganization(backend, OPERATOR, spec.slug) });
  for (const project of spec.projects) await applyProject(run, spec.slug, project, staged);
}

async function applyProject(run: Run, organization: string, spec: ProjectSpec, staged: Map<string, StagedImport>): Promise<void> {
  const { backend } = run;
  const slug = spec.slug;
  let project = await backend.stores.projects.bySlug(slug);
  if (!project) {
    const staging = staged.get(slug);
    if (staging) {
      await run.change(`+ project ${slug} imported from ${spec.importFrom} (${staging.report.commits} commits)`, async () => {
        const owner = (await backend.stores.organizations.bySlug(organization))!;
        await installImport(backend, staging, { organization: owner, project: slug, name: spec.name ?? slug, from: spec.importFrom! });
        staged.delete(slug);
      });
    } else {
      await run.change(`+ project ${slug} (an empty repository)`, () => createProject(backend, OPERATOR, { organization, slug, name: spec.name }));
    }
    project = await backend.stores.projects.bySlug(slug);
    if (spec.archived === true) run.archives.push({ line: `- project ${slug}: archived`, run: () => archiveProject(backend, OPERATOR, slug) });
  } else {
    await run.archiveMark(spec, project.archivedAt, `project ${slug}`, (archived) => archiveProject(backend, OPERATOR, slug, archived));
    if (spec.name && spec.name !== project.name) await run.change(`~ project ${slug}: name ${project.name} → ${spec.name}`, () => renameProject(backend, OPERATOR, slug, spec.name!));
  }
  // Looked up again: a project created (or imported, with the tenant-environments its history holds) just now.
  const projectId = project?.id ?? null;

  for (const environment of spec.environments) {
    const existing = projectId ? await backend.stores.environments.bySlug(projectId, environment.slug) : null;
    const what = `environment ${slug}/${environment.slug}`;
    const policy = { approvalRequired: environment.approvalRequired, quorum: environment.quorum, blockSelfApproval: environment.blockSelfApproval };
    if (!existing) {
      await run.change(`+ ${what} (${policyText(policy)})`, () => createEnvironment(backend, OPERATOR, { project: slug, slug: environment.slug, ...policy }));
      if (environment.archived === true) run.archives.push({ line: `- ${what}: archived`, run: () => archiveEnvironment(backend, OPERATOR, { project: slug, environment: environment.slug }) });
      continue;
    }
    await run.archiveMark(environment, existing.archivedAt, what, (archived) => archiveEnvironment(backend, OPERATOR, { project: slug, environment: environment.slug }, archived));
    const input = { project: slug, slug: environment.slug, ...policy };
    const { changes } = await updateEnvironmentPolicy(backend, OPERATOR, input, { dryRun: true });
    if (changes.length > 0) await run.change(`~ ${what}: ${changes.join(', ')}`, () => updateEnvironmentPolicy(backend, OPERATOR, input));
  }

  for (const tenant of spec.tenants) {
    const existing = projectId ? await backend.stores.tenants.bySlug(projectId, tenant.slug) : null;
    const what = `tenant ${slug}/${tenant.slug}`;
    if (!existing) {
      await run.change(`+ ${what}`, () => createTenant(backend, OPERATOR, { project: slug, slug: tenant.slug, name: tenant.name }));
      if (tenant.archived === true) run.archives.push({ line: `- ${what}: archived`, run: () => archiveTenant(backend, OPERATOR, { project: slug, tenant: tenant.slug }) });
    } else {
      await run.archiveMark(tenant, existing.archivedAt, what, (archived) => archiveTenant(backend, OPERATOR, { project: slug, tenant: tenant.slug }, archived));
      if (tenant.name && tenant.name !== existing.name) {
        await run.change(`~ ${what}: name ${existing.name} → ${tenant.name}`, () => renameTenant(backend, OPERATOR, { project: slug, slug: tenant.slug, name: tenant.name! }));
      }
    }
    for (const environment of tenant.environments) {
      const ref = { project: slug, tenant: tenant.slug, environment };
      if (projectId && (await backend.stores.tenantEnvironments.bySlugs(ref))) continue;
      await run.change(`+ tenant-environment ${slug}/${tenant.slug}/${environment}`, () => createTenantEnvironment(backend, OPERATOR, ref));
    }
  }

  const specNotifications = spec.notifications;
  const agents = project ? await agentsOf(backend, project) : [];
  for (const agent of spec.agents) {
    const scopes = [...new Set(agent.scopes)].sort();
    const existing = agents.find((a) => a.agent.name === agent.name);
    if (!existing) {
      await run.change(`+ agent ${slug}/${agent.name} (${scopes.join(', ')})`, async () => {
        const { token } = await registerAgent(backend, OPERATOR, { project: slug, name: agent.name, scopes });
        run.outcome.agentTokens.push({ project: slug, agent: agent.name, token });
      });
    } else if (existing.scopes.join() !== scopes.join()) {
      await run.change(`~ agent ${slug}/${agent.name}: scopes ${existing.scopes.join(', ')} → ${scopes.join(', ')}`, () =>
        setAgentScopes(backend, OPERATOR, { project: slug, name: agent.name, scopes }),
      );
    }
  }

  const targets = project ? await notificationTargetsOf(backend, OPERATOR, project) : [];
  for (const spec of specNotifications) {
    const secret = spec.secretEnv ? run.env[spec.secretEnv]! : null;
    const input = {
      project: slug,
      name: spec.name,
      kind: spec.kind,
      url: spec.url,
      secret,
      eventKinds: [...new Set(spec.events)].sort(),
      tenantEnvironments: [...new Set(spec.tenantEnvironments)].sort(),
    };
    const existing = targets.find((v) => v.target.name === spec.name);
    const what = `notification target ${slug}/${spec.name}`;
    if (!existing) {
      await run.change(`+ ${what} (${spec.kind} → ${new URL(spec.url).host}${secret ? ', signed' : ''})`, () => setNotificationTarget(backend, OPERATOR, input));
      continue;
    }
    const differences: string[] = [];
    if (existing.target.kind !== input.kind) differences.push(`kind ${existing.target.kind} → ${input.kind}`);
    if (existing.target.url !== new URL(input.url).toString()) differences.push(`url → ${new URL(input.url).host}`);
    if ([...existing.target.eventKinds].sort().join() !== input.eventKinds.join()) differences.push(`events → ${input.eventKinds.join(', ') || 'all'}`);
    if ([...existing.tenantEnvironments].sort().join() !== input.tenantEnvironments.join()) differences.push(`tenant-environments → ${input.tenantEnvironments.join(', ') || 'all'}`);
    // Compared, never printed.
    if (existing.target.secret !== secret) differences.push(secret ? 'secret changed' : 'secret removed');
    if (differences.length > 0) await run.change(`~ ${what}: ${differences.join(', ')}`, () => setNotificationTarget(backend, OPERATOR, input));
  }
}
