/**
 * Runs an approved (or failed, on retry) request: EXECUTING, then the rollback commit, then
 * COMPLETED with its SHA — or FAILED with the error. Also reconciles requests a crash left EXECUTING.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { breakGlassSessions, deployments, rollbackRequests, rollbackReviews, users } from '../../db/schema';
import type { Db } from '../../db/client';
import type { Actor } from '../actor';
import { recordAudit } from '../audit';
import type { RollbackRequestRow } from '../batch-reads';
import { DomainError } from '../errors';
import type { DomainEvent } from '../events';
import { indexHistory, rollbackRequestIdOf } from '../history/index-history';
import { executeRollback } from '../rollback/execute';
import { revertedRevisions } from '../rollback/reverted';
import type { RollbackScope } from '../rollback/plan';
import type { Services } from '../services';
import { loadTenantEnvironment, type TenantEnvironmentContext } from '../workspace';
import { transition } from './state-machine';

export function requestEvent(request: RollbackRequestRow, change: Extract<DomainEvent, { type: 'rollbackRequestUpdated' }>['change'], at: Date): DomainEvent {
  return {
    type: 'rollbackRequestUpdated',
    projectId: request.projectId,
    tenantEnvironmentId: request.tenantEnvironmentId,
    requestId: request.id,
    change,
    state: request.state,
    request,
    at,
  };
}

export function scopeOf(request: RollbackRequestRow): RollbackScope {
  return { mode: request.mode, service: request.service, fields: request.selectedFields };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** The commit message's Approval line. */
export async function approvalLine(db: Db, request: RollbackRequestRow): Promise<string> {
  if (request.breakGlassSessionId) {
    const [session] = await db
      .select({ id: breakGlassSessions.id, justification: breakGlassSessions.justification, email: users.email })
      .from(breakGlassSessions)
      .innerJoin(users, eq(users.id, breakGlassSessions.userId))
      .where(eq(breakGlassSessions.id, request.breakGlassSessionId));
    // One line, whatever the justification holds: a line break could forge commit metadata
    // (a second "Rollback Request ID:" line would attribute the commit to another request).
    return `Bypassed by break-glass session ${session!.id} (${session!.email}: ${oneLine(session!.justification)})`;
  }
  if (!request.approvalRequired) return 'Not required by the environment policy';
  const approvers = await db
    .select({ email: users.email })
    .from(rollbackReviews)
    .innerJoin(users, eq(users.id, rollbackReviews.reviewerId))
    .where(and(eq(rollbackReviews.requestId, request.id), eq(rollbackReviews.decision, 'APPROVE')))
    .orderBy(rollbackReviews.createdAt);
  return `Approved by ${approvers.map((a) => a.email).join(', ')} (quorum: ${approvers.length}/${request.requiredApprovals})`;
}

export async function runExecution(services: Services, actor: Actor | null, request: RollbackRequestRow): Promise<RollbackRequestRow> {
  const executing = await services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const row = await transition(tx, request, 'EXECUTING', now, { attempts: request.attempts + 1, error: null, errorCode: null });
    await recordAudit(tx, auditOf(row, actor, 'rollback.executing', now, { attempt: row.attempts }));
    afterCommit(() => services.events.publish(requestEvent(row, 'STATE_CHANGED', now)));
    return row;
  });
  const context = await loadTenantEnvironment(services, executing.tenantEnvironmentId);
  const [requester] = await services.db.select().from(users).where(eq(users.id, executing.requestedById));
  let sha: string;
  try {
    // A retry after an earlier attempt whose commit landed completes with that commit, never writes a second one.
    const landed = await landedCommit(services, context, executing);
    if (landed) return await complete(services, actor, executing, context, landed);
    await services.faults?.pause('before-rollback-commit');
    ({ sha } = await executeRollback(services, {
      context,
      scope: scopeOf(executing),
      targetSha: executing.targetSha,
      expectedPreviewHash: executing.previewHash,
      requestId: executing.id,
      justification: executing.justification,
      author: { name: requester!.name, email: requester!.email },
      approval: await approvalLine(services.db, executing),
    }));
  } catch (error) {
    // The commit may have landed before the failure (e.g. while recording history): then it is not a failure.
    const landed = await landedCommit(services, context, executing).catch(() => null);
    if (landed) return complete(services, actor, executing, context, landed);
    return fail(services, actor, executing, error);
  }
  await services.faults?.pause('after-rollback-commit');
  // Once the commit is on main the request must not become FAILED (a retry could never complete it):
  // if recording completion fails it stays EXECUTING, and reconcileInterruptedExecutions completes it.
  return complete(services, actor, executing, context, sha);
}

/** The rollback commit of this request on main (by its Rollback Request ID line), if one landed. */
async function landedCommit(services: Services, context: TenantEnvironmentContext, request: RollbackRequestRow): Promise<string | null> {
  const git = await services.repositories.forProject(context.project.slug);
  const head = await git.head();
  if (!head) return null;
  const commits = await git.log({ from: head, until: request.baseSha });
  return commits.find((c) => rollbackRequestIdOf(c.message) === request.id)?.sha ?? null;
}

async function complete(
  services: Services,
  actor: Actor | null,
  request: RollbackRequestRow,
  context: TenantEnvironmentContext,
  sha: string,
): Promise<RollbackRequestRow> {
  const reverted = await revertedDeployments(services, request, context, sha);
  return services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const row = await transition(tx, request, 'COMPLETED', now, { resultSha: sha });
    const [rollbackDeployment] = await tx
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.tenantEnvironmentId, request.tenantEnvironmentId), eq(deployments.revision, sha)));
    if (reverted.length > 0) {
      await tx
        .update(deployments)
        .set({ status: 'ROLLED_BACK', rolledBackById: rollbackDeployment?.id ?? null })
        .where(and(inArray(deployments.id, reverted), eq(deployments.status, 'SUCCESS')));
    }
    await recordAudit(tx, auditOf(row, actor, 'rollback.completed', now, { resultSha: sha, rolledBackDeployments: reverted.length }));
    afterCommit(() => services.events.publish(requestEvent(row, 'STATE_CHANGED', now)));
    return row;
  });
}

async function fail(services: Services, actor: Actor | null, request: RollbackRequestRow, error: unknown): Promise<RollbackRequestRow> {
  const code = error instanceof DomainError ? error.code : 'EXECUTION_FAILED';
  const message = error instanceof DomainError ? error.message : `rollback execution failed: ${(error as Error).message}`;
  return services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const row = await transition(tx, request, 'FAILED', now, { error: message, errorCode: code });
    await recordAudit(tx, auditOf(row, actor, 'rollback.failed', now, { error: message, code }));
    afterCommit(() => services.events.publish(requestEvent(row, 'STATE_CHANGED', now)));
    return row;
  });
}

/** Deployments between the target and the rollback that touched the rolled-back scope. */
async function revertedDeployments(
  services: Services,
  request: RollbackRequestRow,
  context: TenantEnvironmentContext,
  sha: string,
): Promise<string[]> {
  const git = await services.repositories.forProject(context.project.slug);
  const undone = await revertedRevisions(git, context, scopeOf(request), request.targetSha, sha);
  if (undone.length === 0) return [];
  const rows = await services.db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.tenantEnvironmentId, request.tenantEnvironmentId), inArray(deployments.revision, undone)));
  return rows.map((row) => row.id);
}

export function auditOf(request: RollbackRequestRow, actor: Actor | null, action: string, now: Date, details: Record<string, unknown> = {}) {
  return {
    projectId: request.projectId,
    actor,
    action,
    targetType: 'RollbackRequest',
    targetId: request.id,
    tenantEnvironmentId: request.tenantEnvironmentId,
    details: { mode: request.mode, targetSha: request.targetSha, ...details },
    now,
  };
}

/**
 * After a crash, no request may stay EXECUTING: if its commit (found by its Rollback Request ID
 * line) is on main it completed, otherwise it failed and can be retried. An APPROVED request whose
 * execution never started fails the same way (APPROVED → EXECUTING → FAILED), so that a person
 * decides whether to retry it rather than the restart running it unattended.
 */
export async function reconcileInterruptedExecutions(services: Services): Promise<Array<{ id: string; state: string }>> {
  const stuck = await services.db.select().from(rollbackRequests).where(inArray(rollbackRequests.state, ['APPROVED', 'EXECUTING']));
  const outcomes: Array<{ id: string; state: string }> = [];
  for (const found of stuck) {
    const context = await loadTenantEnvironment(services, found.tenantEnvironmentId);
    const request = found.state === 'APPROVED' ? await markExecuting(services, found) : found;
    await indexHistory(services, context.project);
    const commit = await landedCommit(services, context, request);
    const row = commit
      ? await complete(services, null, request, context, commit)
      : await fail(
          services,
          null,
          request,
          new DomainError(
            'EXECUTION_INTERRUPTED',
            found.state === 'APPROVED'
              ? 'execution was interrupted by a server restart before it started; retry'
              : 'execution was interrupted by a server restart before the rollback commit was written; retry',
            500,
          ),
        );
    outcomes.push({ id: row.id, state: row.state });
  }
  return outcomes;
}

async function markExecuting(services: Services, request: RollbackRequestRow): Promise<RollbackRequestRow> {
  return services.transaction(async (tx, afterCommit) => {
    const now = services.now();
    const row = await transition(tx, request, 'EXECUTING', now);
    await recordAudit(tx, auditOf(row, null, 'rollback.executing', now, { reconciled: true }));
    afterCommit(() => services.events.publish(requestEvent(row, 'STATE_CHANGED', now)));
    return row;
  });
}
