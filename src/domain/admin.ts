/** Workspace administration used by the CLI and the demo seed: organizations, projects, users, agents. */
import { issueToken } from './auth';
import { BadRequestError, ConflictError, NotFoundError } from './errors';
import { newId } from './ids';
import { NAME_PATTERN } from './layout';
import type { FeatureFlag, Plan, Project, Role, User } from './model';
import type { Backend } from './ports';

export async function createOrganization(
  backend: Backend,
  input: { slug: string; name: string; plan: Plan; featureFlags: FeatureFlag[] },
): Promise<string> {
  const id = newId('org');
  await backend.transact((tx) => tx.stores.organizations.insert({ id, ...input }));
  return id;
}

export async function createProject(backend: Backend, input: { organizationId: string; slug: string; name: string }): Promise<Project> {
  if (!NAME_PATTERN.test(input.slug)) throw new BadRequestError('INVALID_SLUG', `invalid project slug "${input.slug}"`);
  await backend.repositories.create(input.slug);
  return backend.transact((tx) => tx.stores.projects.insert({ id: newId('prj'), ...input }));
}

/** Emails are stored lower-case; an email that is taken is a conflict, not a crash. */
export async function createUser(backend: Backend, input: { email: string; name: string }): Promise<string> {
  const id = newId('usr');
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new BadRequestError('INVALID_EMAIL', `invalid email "${input.email}"`);
  const inserted = await backend.transact((tx) => tx.stores.users.insert({ id, email, name: input.name }));
  if (!inserted) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
  return id;
}

export async function userByEmail(backend: Backend, email: string): Promise<User> {
  const user = await backend.stores.users.byEmail(email.trim().toLowerCase());
  if (!user) throw new NotFoundError(`user ${email}`);
  return user;
}

export async function projectBySlugUnchecked(backend: Backend, slug: string): Promise<Project> {
  const project = await backend.stores.projects.bySlug(slug);
  if (!project) throw new NotFoundError(`project ${slug}`);
  return project;
}

export async function grantRole(backend: Backend, input: { userId: string; projectId: string; role: Role }): Promise<void> {
  await backend.transact((tx) => tx.stores.memberships.upsert(input));
}

/**
 * Problems with the repositories the database refers to: each project's bare repository must exist
 * and open. A missing one is reported at start instead of being recreated empty.
 */
export async function repositoryProblems(backend: Backend): Promise<string[]> {
  const problems: string[] = [];
  for (const project of await backend.stores.projects.all()) {
    try {
      await backend.repositories.forProject(project.slug);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

export async function createAgent(
  backend: Backend,
  input: { projectId: string; name: string; tenantEnvironmentIds: string[] },
): Promise<{ agentId: string; token: string }> {
  const agentId = newId('agt');
  return backend.transact(async (tx) => {
    await tx.stores.agents.insert({ id: agentId, projectId: input.projectId, name: input.name }, input.tenantEnvironmentIds);
    const { token } = await issueToken(tx.stores, { agentId }, `${input.name} token`);
    return { agentId, token };
  });
}

export async function createUserToken(backend: Backend, userId: string, name: string): Promise<{ id: string; token: string }> {
  return backend.transact((tx) => issueToken(tx.stores, { userId }, name));
}

export async function revokeUserTokens(backend: Backend, userId: string, name?: string): Promise<number> {
  return backend.transact((tx) => tx.stores.tokens.revokeOfUser(userId, name, backend.now()));
}
