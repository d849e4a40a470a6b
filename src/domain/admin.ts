/** Workspace administration used by the CLI and the demo seed: organizations, projects, users, agents. */
import { eq } from 'drizzle-orm';
import {
  agentScopes,
  agents,
  memberships,
  organizations,
  projects,
  users,
  type FeatureFlag,
  type Plan,
  type Role,
} from '../db/schema';
import { issueToken } from './auth';
import { BadRequestError, ConflictError, NotFoundError } from './errors';
import { newId } from './ids';
import { NAME_PATTERN } from './layout';
import type { Services } from './services';
import type { ProjectRow } from './workspace';

export async function createOrganization(
  services: Services,
  input: { slug: string; name: string; plan: Plan; featureFlags: FeatureFlag[] },
): Promise<string> {
  const id = newId('org');
  await services.db.insert(organizations).values({ id, ...input });
  return id;
}

export async function createProject(
  services: Services,
  input: { organizationId: string; slug: string; name: string },
): Promise<ProjectRow> {
  if (!NAME_PATTERN.test(input.slug)) throw new BadRequestError('INVALID_SLUG', `invalid project slug "${input.slug}"`);
  await services.repositories.create(input.slug);
  const [project] = await services.db
    .insert(projects)
    .values({ id: newId('prj'), ...input })
    .returning();
  return project!;
}

/** Emails are stored lower-case; an email that is taken is a conflict, not a crash. */
export async function createUser(services: Services, input: { email: string; name: string }): Promise<string> {
  const id = newId('usr');
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new BadRequestError('INVALID_EMAIL', `invalid email "${input.email}"`);
  const inserted = await services.db
    .insert(users)
    .values({ id, email, name: input.name })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  if (inserted.length === 0) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
  return id;
}

export async function userByEmail(services: Services, email: string) {
  const [user] = await services.db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!user) throw new NotFoundError(`user ${email}`);
  return user;
}

export async function projectBySlugUnchecked(services: Services, slug: string): Promise<ProjectRow> {
  const [project] = await services.db.select().from(projects).where(eq(projects.slug, slug));
  if (!project) throw new NotFoundError(`project ${slug}`);
  return project;
}

export async function grantRole(services: Services, input: { userId: string; projectId: string; role: Role }): Promise<void> {
  await services.db
    .insert(memberships)
    .values(input)
    .onConflictDoUpdate({ target: [memberships.userId, memberships.projectId], set: { role: input.role } });
}

/**
 * Problems with the repositories the database refers to: each project's bare repository must exist
 * and open. A missing one is reported at start instead of being recreated empty.
 */
export async function repositoryProblems(services: Services): Promise<string[]> {
  const problems: string[] = [];
  for (const project of await services.db.select().from(projects).orderBy(projects.slug)) {
    try {
      await services.repositories.forProject(project.slug);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

export async function createAgent(
  services: Services,
  input: { projectId: string; name: string; tenantEnvironmentIds: string[] },
): Promise<{ agentId: string; token: string }> {
  const agentId = newId('agt');
  await services.transaction(async (tx) => {
    await tx.insert(agents).values({ id: agentId, projectId: input.projectId, name: input.name });
    for (const tenantEnvironmentId of input.tenantEnvironmentIds) {
      await tx.insert(agentScopes).values({ agentId, tenantEnvironmentId });
    }
  });
  const { token } = await issueToken(services.db, { agentId }, `${input.name} token`);
  return { agentId, token };
}
