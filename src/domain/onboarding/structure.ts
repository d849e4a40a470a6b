/**
 * The workspace's structure: organizations (plan, feature flags) and projects (one bare repository
 * each) are the server operator's to create; tenants, environments (with their approval policy)
 * and tenant-environments are created by ADMINs of the project or the operator. Each creation is
 * audited in its transaction; lists hide archived things unless asked for them.
 */
import { canReadProject, canReadProjectWide } from '../access';
import { createOrganization as insertOrganization, createProject as insertProject } from '../admin';
import { ArchivedError, isArchived, requireProjectWritable } from '../archived';
import { BadRequestError, ConflictError } from '../errors';
import { requireApprovalWorkflow } from '../gating';
import { newId } from '../ids';
import { FEATURE_FLAGS, PLANS, type Environment, type FeatureFlag, type Organization, type Plan, type Project, type Tenant, type TenantEnvironment } from '../model';
import type { ApprovalPolicy, Backend } from '../ports';
import { approvalPolicyOf, policyOf } from '../requests/approval-policy';
import { environmentsOfProject, tenantEnvironmentsOfProject } from '../workspace';
import { auditOnboarding, auditedWrite, isOperator, type Caller, type Operator } from './caller';
import { checkName, checkSlug, findEnvironment, findOrganization, findProject, findTenant, organizationOrOnly } from './lookup';

export interface OrganizationInput {
  slug: string;
  name?: string | null;
  plan: Plan;
  featureFlags: readonly string[];
}

function checkOrganization(input: OrganizationInput): Pick<Organization, 'slug' | 'name' | 'plan' | 'featureFlags'> {
  checkSlug(input.slug, 'organization slug');
  if (!(PLANS as readonly string[]).includes(input.plan)) throw new BadRequestError('INVALID_PLAN', `plan must be one of ${PLANS.join(', ')}`);
  const unknown = input.featureFlags.filter((flag) => !(FEATURE_FLAGS as readonly string[]).includes(flag));
  if (unknown.length > 0) throw new BadRequestError('INVALID_FEATURE_FLAG', `unknown feature flag ${unknown.join(', ')}: use ${FEATURE_FLAGS.join(', ')}`);
  return { slug: input.slug, name: checkName(input.name, 'organization', input.slug), plan: input.plan, featureFlags: [...new Set(input.featureFlags)] as FeatureFlag[] };
}

export async function createOrganization(backend: Backend, _operator: Operator, input: OrganizationInput): Promise<Organization> {
  const organization = checkOrganization(input);
  const id = await insertOrganization(backend, organization, ({ stores }, created) =>
    auditOnboarding(stores, null, {
      projectId: null,
      action: 'organization.created',
      targetType: 'Organization',
      targetId: created.id,
      details: { slug: created.slug, plan: created.plan, featureFlags: created.featureFlags },
      now: backend.now(),
    }),
  );
  return (await backend.stores.organizations.byId(id))!;
}

/** Sets the name, plan and flags; returns what changed (nothing: no write, no audit event; a dry run only says). */
export async function updateOrganization(
  backend: Backend,
  _operator: Operator,
  input: OrganizationInput,
  options: { dryRun?: boolean } = {},
): Promise<{ organization: Organization; changes: string[] }> {
  const wanted = checkOrganization(input);
  const current = await findOrganization(backend, input.slug);
  const changes = [
    ...(current.name !== wanted.name ? [`name ${current.name} → ${wanted.name}`] : []),
    ...(current.plan !== wanted.plan ? [`plan ${current.plan} → ${wanted.plan}`] : []),
    ...(sameSet(current.featureFlags, wanted.featureFlags) ? [] : [`feature flags [${current.featureFlags.join(', ')}] → [${wanted.featureFlags.join(', ')}]`]),
  ];
  if (changes.length === 0 || options.dryRun) return { organization: current, changes };
  await auditedWrite(
    backend,
    null,
    {
      projectId: null,
      action: 'organization.updated',
      targetType: 'Organization',
      targetId: current.id,
      details: { changes },
    },
    (stores) => stores.organizations.setDetails(current.id, { name: wanted.name, plan: wanted.plan, featureFlags: wanted.featureFlags }),
  );
  return { organization: (await backend.stores.organizations.byId(current.id))!, changes };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** The organizations of the caller's projects (the operator: all of them). */
export async function listOrganizations(backend: Backend, caller: Caller, includeArchived = false): Promise<Organization[]> {
  const mine = isOperator(caller) ? null : new Set((await listProjects(backend, caller, true)).map((p) => p.organizationId));
  return (await backend.stores.organizations.all()).filter((o) => (includeArchived || !o.archivedAt) && (!mine || mine.has(o.id)));
}

function visibleProjectsOf(caller: Caller, projects: Project[]): Project[] {
  return isOperator(caller) ? projects : projects.filter((p) => canReadProject(caller, p.id));
}

/** The projects the caller can read (an agent: its own), by slug. */
export async function listProjects(backend: Backend, caller: Caller, includeArchived = false): Promise<Project[]> {
  const projects = visibleProjectsOf(caller, await backend.stores.projects.all());
  if (includeArchived) return projects;
  const archivedOrganizations = new Set((await backend.stores.organizations.all()).filter((o) => o.archivedAt).map((o) => o.id));
  return projects.filter((p) => !p.archivedAt && !archivedOrganizations.has(p.organizationId));
}

export async function createProject(
  backend: Backend,
  _operator: Operator,
  input: { organization?: string | null; slug: string; name?: string | null },
): Promise<Project> {
  const organization = await organizationOrOnly(backend, input.organization);
  if (organization.archivedAt) throw new ArchivedError(`organization ${organization.slug}`, null);
  checkSlug(input.slug, 'project slug');
  const name = checkName(input.name, 'project', input.slug);
  return insertProject(backend, { organizationId: organization.id, slug: input.slug, name }, ({ stores }, project) =>
    auditOnboarding(stores, null, {
      projectId: project.id,
      action: 'project.created',
      targetType: 'Project',
      targetId: project.id,
      details: { slug: project.slug, name, organization: organization.slug },
      now: backend.now(),
    }),
  );
}

export async function renameProject(backend: Backend, caller: Caller, slug: string, name: string): Promise<{ project: Project; changed: boolean }> {
  const { project, user } = await findProject(backend, caller, slug, 'ADMIN');
  const wanted = checkName(name, 'project');
  if (wanted === project.name) return { project, changed: false };
  await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'project.renamed',
      targetType: 'Project',
      targetId: project.id,
      details: { before: project.name, after: wanted },
    },
    (stores) => stores.projects.setName(project.id, wanted),
  );
  return { project: { ...project, name: wanted }, changed: true };
}

export async function createTenant(backend: Backend, caller: Caller, input: { project: string; slug: string; name?: string | null }): Promise<Tenant> {
  const { project, organization, user } = await findProject(backend, caller, input.project, 'ADMIN');
  requireProjectWritable(project, organization);
  checkSlug(input.slug, 'tenant slug');
  const tenant = { id: newId('ten'), projectId: project.id, slug: input.slug, name: checkName(input.name, 'tenant', input.slug) };
  if (await backend.stores.tenants.bySlug(project.id, tenant.slug)) throw new ConflictError('TENANT_EXISTS', `tenant ${tenant.slug} already exists in project ${project.slug}`);
  await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'tenant.created',
      targetType: 'Tenant',
      targetId: tenant.id,
      details: { slug: tenant.slug, name: tenant.name },
    },
    (stores) => stores.tenants.insert(tenant),
  );
  return { ...tenant, archivedAt: null };
}

export async function renameTenant(backend: Backend, caller: Caller, input: { project: string; slug: string; name: string }): Promise<{ tenant: Tenant; changed: boolean }> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const tenant = await findTenant(backend, project, input.slug);
  const name = checkName(input.name, 'tenant');
  if (name === tenant.name) return { tenant, changed: false };
  await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'tenant.renamed',
      targetType: 'Tenant',
      targetId: tenant.id,
      details: { before: tenant.name, after: name },
    },
    (stores) => stores.tenants.setName(tenant.id, name),
  );
  return { tenant: { ...tenant, name }, changed: true };
}

export interface PolicyInput {
  approvalRequired?: boolean | null;
  quorum?: number | null;
  blockSelfApproval?: boolean | null;
}

/** A policy other than the default (no approval, quorum 1, self-approval blocked) needs the approval workflow, as setApprovalPolicy does. */
function checkedPolicy(organization: Organization, input: PolicyInput): ApprovalPolicy {
  const policy = approvalPolicyOf(input);
  if (policy.approvalRequired || policy.quorum !== 1 || !policy.blockSelfApproval) requireApprovalWorkflow(organization);
  return policy;
}

export async function createEnvironment(backend: Backend, caller: Caller, input: { project: string; slug: string } & PolicyInput): Promise<Environment> {
  const { project, organization, user } = await findProject(backend, caller, input.project, 'ADMIN');
  requireProjectWritable(project, organization);
  checkSlug(input.slug, 'environment slug');
  const policy = checkedPolicy(organization, input);
  if (await backend.stores.environments.bySlug(project.id, input.slug)) {
    throw new ConflictError('ENVIRONMENT_EXISTS', `environment ${input.slug} already exists in project ${project.slug}`);
  }
  const environment = { id: newId('env'), projectId: project.id, slug: input.slug, ...policy };
  await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'environment.created',
      targetType: 'Environment',
      targetId: environment.id,
      details: { slug: environment.slug, policy },
    },
    (stores) => stores.environments.insert(environment),
  );
  return { ...environment, archivedAt: null };
}

/** The parts of the environment's policy that are given (for `apply`, which declares them); returns what changed. */
export async function updateEnvironmentPolicy(
  backend: Backend,
  caller: Caller,
  input: { project: string; slug: string } & PolicyInput,
  options: { dryRun?: boolean } = {},
): Promise<{ environment: Environment; changes: string[] }> {
  const { project, organization, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const environment = await findEnvironment(backend, project, input.slug);
  const before = policyOf(environment);
  const policy = approvalPolicyOf({ ...before, ...definedOnly(input) });
  const changes = (Object.keys(policy) as Array<keyof ApprovalPolicy>).filter((key) => policy[key] !== before[key]).map((key) => `${key} ${before[key]} → ${policy[key]}`);
  if (changes.length === 0 || options.dryRun) return { environment, changes };
  requireProjectWritable(project, organization);
  if (environment.archivedAt) throw new ArchivedError(`environment ${environment.slug}`, null);
  checkedPolicy(organization, policy);
  const updated = await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'approval_policy.updated',
      targetType: 'Environment',
      targetId: environment.id,
      details: { environment: environment.slug, before, after: policy },
    },
    (stores) => stores.environments.setPolicy(environment.id, policy),
  );
  return { environment: updated, changes };
}

function definedOnly(input: PolicyInput): Partial<ApprovalPolicy> {
  return Object.fromEntries(Object.entries({ approvalRequired: input.approvalRequired, quorum: input.quorum, blockSelfApproval: input.blockSelfApproval }).filter(([, v]) => v !== undefined && v !== null));
}

/** A tenant-environment of an existing tenant and environment; its files appear with its first service. */
export async function createTenantEnvironment(backend: Backend, caller: Caller, input: { project: string; tenant: string; environment: string }): Promise<TenantEnvironment> {
  const { project, organization, user } = await findProject(backend, caller, input.project, 'ADMIN');
  requireProjectWritable(project, organization);
  const tenant = await findTenant(backend, project, input.tenant);
  const environment = await findEnvironment(backend, project, input.environment);
  if (tenant.archivedAt) throw new ArchivedError(`tenant ${tenant.slug}`, null);
  if (environment.archivedAt) throw new ArchivedError(`environment ${environment.slug}`, null);
  const ref = { project: project.slug, tenant: tenant.slug, environment: environment.slug };
  if (await backend.stores.tenantEnvironments.bySlugs(ref)) {
    throw new ConflictError('TENANT_ENVIRONMENT_EXISTS', `tenant-environment ${tenant.slug}/${environment.slug} already exists in project ${project.slug}`);
  }
  const id = newId('te');
  await auditedWrite(
    backend,
    user,
    {
      projectId: project.id,
      action: 'tenant_environment.created',
      targetType: 'TenantEnvironment',
      targetId: id,
      tenantEnvironmentId: id,
      details: { tenant: tenant.slug, environment: environment.slug },
    },
    (stores) => stores.tenantEnvironments.insert({ id, projectId: project.id, tenantId: tenant.id, environmentId: environment.id }),
  );
  return (await backend.stores.tenantEnvironments.byIds([id]))[0]!;
}

/** The project's tenants (an agent: those of its tenant-environments), archived ones only when asked for. */
export async function tenantsOf(backend: Backend, caller: Caller, project: Project, includeArchived = false): Promise<Tenant[]> {
  const tenants = (await backend.stores.tenants.ofProject(project.id)).filter((t) => includeArchived || !t.archivedAt);
  if (isOperator(caller) || canReadProjectWide(caller, project.id)) return tenants;
  const visible = new Set((await tenantEnvironmentsOfProject(backend, caller, project.id, true)).map((te) => te.tenant.id));
  return tenants.filter((t) => visible.has(t.id));
}

/** The project's environments as the caller may see them (see environmentsOfProject). */
export async function environmentsOf(backend: Backend, caller: Caller, project: Project, includeArchived = false): Promise<Environment[]> {
  if (!isOperator(caller)) return environmentsOfProject(backend, caller, project.id, includeArchived);
  return (await backend.stores.environments.ofProject(project.id)).filter((e) => includeArchived || !e.archivedAt);
}

/** The project's tenant-environments as the caller may see them (see tenantEnvironmentsOfProject). */
export async function tenantEnvironmentsOf(backend: Backend, caller: Caller, project: Project, includeArchived = false): Promise<TenantEnvironment[]> {
  if (!isOperator(caller)) return tenantEnvironmentsOfProject(backend, caller, project.id, includeArchived);
  return (await backend.stores.tenantEnvironments.ofProject(project.id)).filter((te) => includeArchived || !isArchived(te));
}
