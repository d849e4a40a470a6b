/** The audit trail: every mutation writes one event in the same transaction as its change. */
import type { Actor } from './actor';
import { agentScope, canReadProjectWide } from './access';
import type { AuditEvent } from './model';
import { readPage, type Page, type PageRequest } from './paging';
import type { AuditFilter, Backend, Stores } from './ports';

export interface AuditInput {
  /** null for what belongs to no project (an organization, a user's own token). */
  projectId: string | null;
  /** null for the system itself (e.g. crash recovery at start). */
  actor: Actor | null;
  action: string;
  targetType: string;
  targetId: string;
  tenantEnvironmentId?: string | null;
  details?: Record<string, unknown>;
  now: Date;
}

/** Writes the event; actions by a user with an open break-glass session are flagged with it. */
export async function recordAudit(stores: Stores, input: AuditInput): Promise<void> {
  const event = {
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    tenantEnvironmentId: input.tenantEnvironmentId ?? null,
    details: input.details ?? {},
    createdAt: input.now,
  };
  if (input.actor?.kind === 'user' && input.projectId) {
    await stores.audit.insertFlaggingBreakGlass({ ...event, projectId: input.projectId, actorUserId: input.actor.user.id });
    return;
  }
  await stores.audit.insert({
    ...event,
    projectId: input.projectId,
    actorUserId: input.actor?.kind === 'user' ? input.actor.user.id : null,
    actorAgentId: input.actor?.kind === 'agent' ? input.actor.agent.id : null,
    breakGlassSessionId: null,
  });
}

/** A page of the project's audit trail as the actor may see it (an agent: its tenant-environments' events only). */
export async function listAuditEvents(
  backend: Backend,
  actor: Actor | null,
  projectId: string,
  filter: AuditFilter,
  request: PageRequest,
): Promise<Page<AuditEvent>> {
  const scope = agentScope(actor);
  if (!scope && !canReadProjectWide(actor, projectId)) return { rows: [], hasNextPage: false, hasPreviousPage: false };
  const visible = { ...filter, tenantEnvironmentIds: scope ? [...scope] : null };
  return readPage(request, (beforeId, limit, window) => backend.stores.audit.list(projectId, visible, { limit, beforeId, ...window }));
}
