/**
 * Who is calling: a user with per-project roles, a cluster agent scoped to tenant-environments, or a
 * project's repository read token (for a GitOps tool such as Argo CD: it reads that repository, nothing else).
 */
import type { Role } from './model';

export interface UserActor {
  kind: 'user';
  tokenId: string;
  user: { id: string; email: string; name: string };
  roles: ReadonlyMap<string, Role>;
}

export interface AgentActor {
  kind: 'agent';
  tokenId: string;
  agent: { id: string; projectId: string; name: string };
  tenantEnvironmentIds: ReadonlySet<string>;
}

export interface RepositoryReaderActor {
  kind: 'repository';
  tokenId: string;
  projectId: string;
  name: string;
}

export type Actor = UserActor | AgentActor | RepositoryReaderActor;

/** What an actor may read and do, comparable with `===`: equal strings grant equal access. */
export function permissionsOf(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return JSON.stringify(['user', [...actor.roles].sort(([a], [b]) => a.localeCompare(b))]);
    case 'agent':
      return JSON.stringify(['agent', actor.agent.id, actor.agent.projectId, [...actor.tenantEnvironmentIds].sort()]);
    case 'repository':
      return JSON.stringify(['repository', actor.projectId]);
  }
}
