/** Workspace administration used by the CLI and the demo seed: organizations, projects, users, agents. */
import { issueToken } from './auth';
import { BadRequestError, ConflictError, NotFoundError } from './errors';
import { newId } from './ids';
import { NAME_PATTERN } from './layout';
import type { Agent, FeatureFlag, Organization, Plan, Project, Role, User } from './model';
import type { Backend, Transaction } from './ports';

/** Written in the transaction that creates the record (its audit event). */
type Recorder<T> = (tx: Transaction, created: T) => Promise<void>;

export async function createOrganization(
  backend: Backend,
  input: { slug: string; name: string; plan: Plan; featureFlags: FeatureFlag[] },
  record?: Recorder<Organization>,
): Promise<string> {
  const id = newId('org');
  if (await backend.stores.organizations.bySlug(input.slug)) throw new ConflictError('ORGANIZATION_EXISTS', `organization ${input.slug} already exists`);
  await backend.transact(async (tx) => {
    await tx.stores.organizations.insert({ id, ...input });
    await record?.(tx, (await tx.stores.organizations.byId(id))!);
  });
  return id;
}

/** The project's row and its empty bare repository: the repository is created last, so a failure leaves neither. */
export async function createProject(
  backend: Backend,
  input: { organizationId: string; slug: string; name: string },
  record?: Recorder<Project>,
): Promise<Project> {
  if (!NAME_PATTERN.test(input.slug)) throw new BadRequestError('INVALID_SLUG', `invalid project slug "${input.slug}"`);
  if (await backend.stores.projects.bySlug(input.slug)) throw new ConflictError('PROJECT_EXISTS', `project ${input.slug} already exists`);
  const repositoryExists = await backend.repositories.forProject(input.slug).then(
    () => true,
    () => false,
  );
  if (repositoryExists) {
    throw new ConflictError('REPOSITORY_EXISTS', `${backend.repositories.pathFor(input.slug)} exists already; import it (backtrack project import) or move it away`);
  }
  return backend.transact(async (tx) => {
    const project = await tx.stores.projects.insert({ id: newId('prj'), ...input });
    await record?.(tx, project);
    await backend.repositories.create(input.slug);
    return project;
  });
}

/** Emails are stored trimmed and lower-case. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > 254) throw new BadRequestError('INVALID_EMAIL', `invalid email "${email}"`);
  return normalized;
}

/** An email that is taken is a conflict, not a crash. */
export async function createUser(backend: Backend, input: { email: string; name: string }): Promise<string> {
  const id = newId('usr');
  const email = normalizeEmail(input.email);
  const inserted = await backend.transact((tx) => tx.stores.users.insert({ id, email, name: input.name }));
  if (!inserted) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
  return id;
}

export async function userByEmail(backend: Backend, email: string): Promise<User> {
  const user = await backend.stores.users.byEmail(normalizeEmail(email));
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
  record?: Recorder<Agent>,
): Promise<{ agentId: string; token: string }> {
  const agentId = newId('agt');
  return backend.transact(async (tx) => {
    await tx.stores.agents.insert({ id: agentId, projectId: input.projectId, name: input.name }, input.tenantEnvironmentIds);
    const { token } = await issueToken(tx.stores, { agentId }, `${input.name} token`);
    await record?.(tx, (await tx.stores.agents.byId(agentId))!);
    return { agentId, token };
  });
}

export async function createUserToken(backend: Backend, userId: string, name: string): Promise<{ id: string; token: string }> {
  return backend.transact((tx) => issueToken(tx.stores, { userId }, name));
}

export async function revokeUserTokens(backend: Backend, userId: string, name?: string): Promise<number> {
  return backend.transact((tx) => tx.stores.tokens.revokeOfUser(userId, name, backend.now()));
}
