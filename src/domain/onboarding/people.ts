/**
 * People in a project: users with a role (added, changed, removed by an ADMIN or the operator;
 * a project never loses its last ADMIN that way) and cluster agents with their scopes (the
 * operator's). Users are global and created on first use; their tokens are the operator's to
 * issue (see tokens.ts), since a token is a credential.
 */
import type { Actor, UserActor } from '../actor';
import { roleIn } from '../access';
import { createAgent, normalizeEmail } from '../admin';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { ROLES, type Agent, type Project, type Role, type User } from '../model';
import type { Backend, Stores } from '../ports';
import { auditedWrite, auditOnboarding, type Caller, type Operator } from './caller';
import { checkName, checkSlug, findProject, findTenantEnvironment, parseScope } from './lookup';

export interface ProjectMember {
  user: User;
  role: Role;
}

export function parseRole(value: string): Role {
  const role = value.trim().toUpperCase();
  if (!(ROLES as readonly string[]).includes(role)) throw new BadRequestError('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/** Inserts the user in this transaction; false when the email is taken. */
async function insertUser(stores: Stores, backend: Backend, actor: UserActor | null, user: { id: string; email: string; name: string }): Promise<boolean> {
  if (!(await stores.users.insert(user))) return false;
  await auditOnboarding(stores, actor, {
    projectId: null,
    action: 'user.created',
    targetType: 'User',
    targetId: user.id,
    details: { email: user.email },
    now: backend.now(),
  });
  return true;
}

export async function createUserAccount(backend: Backend, _operator: Operator, input: { email: string; name: string }): Promise<User> {
  const email = normalizeEmail(input.email);
  const user = { id: newId('usr'), email, name: checkName(input.name, 'user') };
  const inserted = await backend.transact(({ stores }) => insertUser(stores, backend, null, user));
  if (!inserted) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
  return (await backend.stores.users.byId(user.id))!;
}

async function refuseLosingLastAdmin(stores: Stores, project: Project, userId: string, newRole: Role | null): Promise<void> {
  if (newRole === 'ADMIN') return;
  const members = await stores.memberships.ofProject(project.id);
  const admins = members.filter((m) => m.role === 'ADMIN');
  if (admins.length === 1 && admins[0]!.userId === userId) {
    throw new ForbiddenError('LAST_ADMIN', `this would leave project ${project.slug} without an ADMIN; make someone else ADMIN first`);
  }
}

/**
 * Gives the user this role in the project (adding them, or changing their role); a user not known
 * yet is created when a name is given. Returns what it was before (null: not a member).
 */
export async function setProjectMember(
  backend: Backend,
  caller: Caller,
  input: { project: string; email: string; role: Role | string; name?: string | null },
): Promise<ProjectMember & { previousRole: Role | null; createdUser: boolean }> {
  const { project, user: actor } = await findProject(backend, caller, input.project, 'ADMIN');
  const email = normalizeEmail(input.email);
  const role = parseRole(input.role);
  const existing = await backend.stores.users.byEmail(email);
  if (!existing && !input.name?.trim()) {
    throw new BadRequestError('NAME_REQUIRED', `there is no user ${email} yet: give their name to create them`);
  }
  const user = existing ?? { id: newId('usr'), email, name: checkName(input.name, 'user'), createdAt: backend.now() };
  const result = await backend.transact(async ({ stores }) => {
    if (!existing && !(await insertUser(stores, backend, actor, user))) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
    const previousRole = (await stores.memberships.ofUser(user.id)).find((m) => m.projectId === project.id)?.role ?? null;
    if (previousRole === role) return { previousRole };
    if (previousRole === 'ADMIN') await refuseLosingLastAdmin(stores, project, user.id, role);
    await stores.memberships.upsert({ userId: user.id, projectId: project.id, role });
    await auditOnboarding(stores, actor, {
      projectId: project.id,
      action: previousRole ? 'member.role_changed' : 'member.added',
      targetType: 'User',
      targetId: user.id,
      details: { email, role, ...(previousRole ? { previousRole } : {}) },
      now: backend.now(),
    });
    return { previousRole };
  });
  return { user: (await backend.stores.users.byId(user.id))!, role, previousRole: result.previousRole, createdUser: !existing };
}

export async function removeProjectMember(backend: Backend, caller: Caller, input: { project: string; email: string }): Promise<ProjectMember> {
  const { project, user: actor } = await findProject(backend, caller, input.project, 'ADMIN');
  const email = normalizeEmail(input.email);
  const user = await backend.stores.users.byEmail(email);
  const notMember = () => new NotFoundError(`${email} in project ${project.slug}`);
  if (!user) throw notMember();
  return backend.transact(async ({ stores }) => {
    const membership = (await stores.memberships.ofUser(user.id)).find((m) => m.projectId === project.id);
    if (!membership) throw notMember();
    await refuseLosingLastAdmin(stores, project, user.id, null);
    await stores.memberships.remove(user.id, project.id);
    await auditOnboarding(stores, actor, {
      projectId: project.id,
      action: 'member.removed',
      targetType: 'User',
      targetId: user.id,
      details: { email, previousRole: membership.role },
      now: backend.now(),
    });
    return { user, role: membership.role };
  });
}

/** The project's members by email: ADMINs and the operator only (memberships are otherwise private). */
export async function listProjectMembers(backend: Backend, caller: Caller, slug: string): Promise<ProjectMember[]> {
  const { project } = await findProject(backend, caller, slug, 'ADMIN');
  return membersOf(backend, project);
}

/** The members as the API shows them: all of them to an ADMIN, none to anyone else (memberships are otherwise private). */
export async function membersVisibleTo(backend: Backend, actor: Actor | null, project: Project): Promise<ProjectMember[]> {
  return roleIn(actor, project.id) === 'ADMIN' ? membersOf(backend, project) : [];
}

export async function membersOf(backend: Backend, project: Project): Promise<ProjectMember[]> {
  const memberships = await backend.stores.memberships.ofProject(project.id);
  const users = await backend.stores.users.byIds(memberships.map((m) => m.userId));
  return memberships.map((m, i) => ({ user: users[i]!, role: m.role })).sort((a, b) => a.user.email.localeCompare(b.user.email));
}

/** Tenant-environment ids of `tenant/environment` scopes of the project. */
async function scopeIds(backend: Backend, project: Project, scopes: readonly string[]): Promise<string[]> {
  if (scopes.length === 0) throw new BadRequestError('SCOPE_REQUIRED', 'an agent needs at least one TENANT/ENV scope');
  const ids: string[] = [];
  for (const scope of scopes) {
    const { tenant, environment } = parseScope(scope);
    try {
      ids.push((await findTenantEnvironment(backend, project, tenant, environment)).id);
    } catch (error) {
      if (error instanceof NotFoundError) throw new BadRequestError('UNKNOWN_SCOPE', `unknown tenant-environment ${scope} in project ${project.slug}`);
      throw error;
    }
  }
  return [...new Set(ids)];
}

export async function registerAgent(
  backend: Backend,
  _operator: Operator,
  input: { project: string; name: string; scopes: readonly string[] },
): Promise<{ agent: Agent; token: string }> {
  const { project } = await findProject(backend, _operator, input.project, 'ADMIN');
  const name = checkSlug(input.name, 'agent name');
  if ((await backend.stores.agents.ofProject(project.id)).some((a) => a.name === name)) {
    throw new ConflictError('AGENT_EXISTS', `agent ${name} already exists in project ${project.slug}`);
  }
  const ids = await scopeIds(backend, project, input.scopes);
  const { agentId, token } = await createAgent(backend, { projectId: project.id, name, tenantEnvironmentIds: ids }, ({ stores }, created) =>
    auditOnboarding(stores, null, {
      projectId: project.id,
      action: 'agent.created',
      targetType: 'Agent',
      targetId: created.id,
      details: { name, scopes: [...input.scopes] },
      now: backend.now(),
    }),
  );
  return { agent: (await backend.stores.agents.byId(agentId))!, token };
}

/** Replaces the agent's scopes; false when they already were these. */
export async function setAgentScopes(backend: Backend, _operator: Operator, input: { project: string; name: string; scopes: readonly string[] }): Promise<boolean> {
  const { project } = await findProject(backend, _operator, input.project, 'ADMIN');
  const agent = (await backend.stores.agents.ofProject(project.id)).find((a) => a.name === input.name);
  if (!agent) throw new NotFoundError(`agent ${input.name} in project ${project.slug}`);
  const ids = await scopeIds(backend, project, input.scopes);
  const before = await backend.stores.agents.scopesOf(agent.id);
  if ([...before].sort().join() === [...ids].sort().join()) return false;
  await auditedWrite(
    backend,
    null,
    { projectId: project.id, action: 'agent.scopes_changed', targetType: 'Agent', targetId: agent.id, details: { name: agent.name, scopes: [...input.scopes] } },
    (stores) => stores.agents.setScopes(agent.id, ids),
  );
  return true;
}

/** The project's agents with their scopes as `tenant/environment`. */
export async function agentsOf(backend: Backend, project: Project): Promise<Array<{ agent: Agent; scopes: string[] }>> {
  const refs = new Map((await backend.stores.tenantEnvironments.ofProject(project.id)).map((te) => [te.id, `${te.ref.tenant}/${te.ref.environment}`]));
  const agents = await backend.stores.agents.ofProject(project.id);
  return Promise.all(agents.map(async (agent) => ({ agent, scopes: (await backend.stores.agents.scopesOf(agent.id)).map((id) => refs.get(id) ?? id).sort() })));
}
