import { inArray } from 'drizzle-orm';
import { projects, type Role } from '../db/schema';
import type { UserActor } from './actor';
import type { Services } from './services';
import type { ProjectRow } from './workspace';

export async function projectRolesOf(services: Services, actor: UserActor): Promise<Array<{ project: ProjectRow; role: Role }>> {
  const ids = [...actor.roles.keys()];
  if (ids.length === 0) return [];
  const rows = await services.db.select().from(projects).where(inArray(projects.id, ids));
  return rows.map((project) => ({ project, role: actor.roles.get(project.id)! })).sort((a, b) => a.project.slug.localeCompare(b.project.slug));
}
