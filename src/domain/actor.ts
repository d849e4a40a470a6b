/** Who is calling: a user with per-project roles, or a cluster agent scoped to tenant-environments. */
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

export type Actor = UserActor | AgentActor;

/** What an actor may read and do, comparable with `===`: equal strings grant equal access. */
export function permissionsOf(actor: Actor): string {
  return JSON.stringify(
    actor.kind === 'user'
      ? ['user', [...actor.roles].sort(([a], [b]) => a.localeCompare(b))]
      : ['agent', actor.agent.id, actor.agent.projectId, [...actor.tenantEnvironmentIds].sort()],
  );
}
