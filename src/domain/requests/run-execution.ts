/**
 * Runs an approved (or failed, on retry) request: EXECUTING, then the rollback commit, then
 * COMPLETED with its SHA — or FAILED with the error. Also reconciles requests a crash left EXECUTING.
 */
import type { Actor } from '../actor';
import { recordAudit, type AuditInput } from '../audit';
import { oneLine, parseCommitMessage } from '../commit-metadata';
import { DomainError } from '../errors';
import { requestEvent } from '../events';
import { indexHistory } from '../history/index-history';
import { tenantEnvironmentDir } from '../layout';
import type { RollbackRequest, TenantEnvironment } from '../model';
import type { Backend, ReadStores } from '../ports';
import { executeRollback } from '../rollback/execute';
import type { RollbackScope } from '../rollback/plan';
import { revertedRevisions } from '../rollback/reverted';
import { loadTenantEnvironment } from '../workspace';
import { transition } from './state-machine';

export function scopeOf(request: RollbackRequest): RollbackScope {
  return { mode: request.mode, service: request.service, fields: request.selectedFields };
}

/** The commit message's Approval line. */
export async function approvalLine(stores: ReadStores, request: RollbackRequest): Promise<string> {
  if (request.breakGlassSessionId) {
    const session = (await stores.breakGlass.byId(request.breakGlassSessionId))!;
    const user = await stores.users.byId(session.userId);
    return `Bypassed by break-glass session ${session.id} (${user?.email}: ${oneLine(session.justification)})`;
  }
  if (!request.approvalRequired) return 'Not required by the environment policy';
  const [reviews] = await stores.reviews.ofRequests([request.id]);
  const approvals = reviews!.filter((review) => review.decision === 'APPROVE');
  const approvers = await stores.users.byIds(approvals.map((review) => review.reviewerId));
  return `Approved by ${approvers.map((user) => user!.email).join(', ')} (quorum: ${approvers.length}/${request.requiredApprovals})`;
}

export async function runExecution(backend: Backend, actor: Actor | null, request: RollbackRequest): Promise<RollbackRequest> {
  const executing = await backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'EXECUTING', now, { attempts: request.attempts + 1, error: null, errorCode: null });
    await recordAudit(stores, auditOf(row, actor, 'rollback.executing', now, { attempt: row.attempts }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
  const tenantEnvironment = await loadTenantEnvironment(backend, executing.tenantEnvironmentId);
  const requester = (await backend.stores.users.byId(executing.requestedById))!;
  let sha: string;
  try {
    // A retry after an earlier attempt whose commit landed completes with that commit, never writes a second one.
    const landed = await landedCommit(backend, tenantEnvironment, executing);
    if (landed) return await complete(backend, actor, executing, tenantEnvironment, landed);
    await backend.faults?.pause('before-rollback-commit');
    ({ sha } = await executeRollback(backend, {
      tenantEnvironment,
      scope: scopeOf(executing),
      targetSha: executing.targetSha,
      expectedPreviewHash: executing.previewHash,
      requestId: executing.id,
      justification: executing.justification,
      author: { name: requester.name, email: requester.email },
      approval: await approvalLine(backend.stores, executing),
    }));
  } catch (error) {
    // The commit may have landed before the failure (e.g. while recording history): then it is not a failure.
    const landed = await landedCommit(backend, tenantEnvironment, executing).catch(() => null);
    if (landed) return complete(backend, actor, executing, tenantEnvironment, landed);
    return fail(backend, actor, executing, error);
  }
  await backend.faults?.pause('after-rollback-commit');
  // Once the commit is on main the request must not become FAILED (a retry could never complete it):
  // if recording completion fails it stays EXECUTING, and reconcileInterruptedExecutions completes it.
  return complete(backend, actor, executing, tenantEnvironment, sha);
}

/**
 * The rollback commit of this request on main, if one landed: a ROLLBACK commit of this
 * tenant-environment, after the request's base revision, that changed its directory and whose
 * trailer block carries the request's id.
 */
async function landedCommit(backend: Backend, tenantEnvironment: TenantEnvironment, request: RollbackRequest): Promise<string | null> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const head = await git.head();
  if (!head) return null;
  const dir = tenantEnvironmentDir(tenantEnvironment.ref.tenant, tenantEnvironment.ref.environment);
  for (const commit of await git.log({ from: head, until: request.baseSha })) {
    const metadata = parseCommitMessage(commit.message);
    if (metadata.rollbackRequestId !== request.id) continue;
    if (metadata.tenant !== tenantEnvironment.ref.tenant || metadata.environment !== tenantEnvironment.ref.environment) continue;
    const parent = commit.parents[0] ?? null;
    if ((await git.treeIdOf(commit.sha, dir)) === (parent ? await git.treeIdOf(parent, dir) : null)) continue;
    return commit.sha;
  }
  return null;
}

async function complete(
  backend: Backend,
  actor: Actor | null,
  request: RollbackRequest,
  tenantEnvironment: TenantEnvironment,
  sha: string,
): Promise<RollbackRequest> {
  const reverted = await revertedDeployments(backend, request, tenantEnvironment, sha);
  return backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'COMPLETED', now, { resultSha: sha });
    const rollbackDeployment = await stores.deployments.byRevision(request.tenantEnvironmentId, sha);
    await stores.deployments.setStatus(reverted, 'SUCCESS', 'ROLLED_BACK', rollbackDeployment?.id ?? null);
    await recordAudit(stores, auditOf(row, actor, 'rollback.completed', now, { resultSha: sha, rolledBackDeployments: reverted.length }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
}

async function fail(backend: Backend, actor: Actor | null, request: RollbackRequest, error: unknown): Promise<RollbackRequest> {
  const code = error instanceof DomainError ? error.code : 'EXECUTION_FAILED';
  const message = error instanceof DomainError ? error.message : `rollback execution failed: ${(error as Error).message}`;
  return backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'FAILED', now, { error: message, errorCode: code });
    await recordAudit(stores, auditOf(row, actor, 'rollback.failed', now, { error: message, code }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
}

/** Deployments between the target and the rollback that touched the rolled-back scope. */
async function revertedDeployments(backend: Backend, request: RollbackRequest, tenantEnvironment: TenantEnvironment, sha: string): Promise<string[]> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const undone = await revertedRevisions(git, tenantEnvironment, scopeOf(request), request.targetSha, sha);
  return backend.stores.deployments.idsAtRevisions(request.tenantEnvironmentId, undone);
}

export function auditOf(request: RollbackRequest, actor: Actor | null, action: string, now: Date, details: Record<string, unknown> = {}): AuditInput {
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
 * After a crash, no request may stay EXECUTING: if its commit is on main it completed, otherwise it
 * failed and can be retried. An APPROVED request whose execution never started fails the same way
 * (APPROVED → EXECUTING → FAILED), so that a person decides whether to retry it rather than the
 * restart running it unattended.
 */
export async function reconcileInterruptedExecutions(backend: Backend): Promise<Array<{ id: string; state: string }>> {
  const stuck = await backend.stores.requests.inStates(['APPROVED', 'EXECUTING']);
  const outcomes: Array<{ id: string; state: string }> = [];
  for (const found of stuck) {
    const tenantEnvironment = await loadTenantEnvironment(backend, found.tenantEnvironmentId);
    const request = found.state === 'APPROVED' ? await markExecuting(backend, found) : found;
    await indexHistory(backend, tenantEnvironment.project);
    const commit = await landedCommit(backend, tenantEnvironment, request);
    const row = commit
      ? await complete(backend, null, request, tenantEnvironment, commit)
      : await fail(
          backend,
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

async function markExecuting(backend: Backend, request: RollbackRequest): Promise<RollbackRequest> {
  return backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'EXECUTING', now);
    await recordAudit(stores, auditOf(row, null, 'rollback.executing', now, { reconciled: true }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
}
