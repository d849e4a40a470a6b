/**
 * Runs an approved (or failed, on retry) request: EXECUTING, then the rollback commit, then
 * COMPLETED with its SHA — or FAILED with the error. Also reconciles requests a crash left EXECUTING.
 */
import type { Actor } from '../actor';
import { recordAudit, type AuditInput } from '../audit';
import { parseCommitMessage } from '../commit-metadata';
import { DomainError, StorageFullError, isStorageFull } from '../errors';
import { requestEvent } from '../events';
import { IndexedHistory, ensureIndexed } from '../history/field-history';
import { indexHistory } from '../history/index-history';
import { serviceOfPath, tenantEnvironmentDir } from '../layout';
import type { DeploymentReversion, RollbackRequest, TenantEnvironment } from '../model';
import type { Backend, ReadStores, Stores, Transaction } from '../ports';
import { executeRollback } from '../rollback/execute';
import type { RollbackScope } from '../rollback/plan';
import { revertedRevisions } from '../rollback/reverted';
import { loadTenantEnvironment } from '../workspace';
import { STALE_PLAN_CODES, approvalLineOf, executionLease, stalePlanFailure } from './approval';
import { reconcileInterruptedChanges } from './change-requests';
import { transition } from './state-machine';

export function scopeOf(request: RollbackRequest): RollbackScope {
  return { mode: request.mode, service: request.service, fields: request.selectedFields };
}

/** The commit message's Approval line. */
export async function approvalLine(stores: ReadStores, request: RollbackRequest): Promise<string> {
  return approvalLineOf(stores, stores.reviews, request);
}

export { executionLease } from './approval';

/**
 * Executes an approved (or failed, on retry) request. The caller holds its execution lease
 * (`executionLease`), so the repair pass never reconciles a request that is being executed.
 */
export async function runExecution(
  backend: Backend,
  actor: Actor | null,
  request: RollbackRequest,
  /** When the caller has just loaded it (a request executing as it is made). */
  loaded?: TenantEnvironment,
): Promise<RollbackRequest> {
  const executing = await backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'EXECUTING', now, { attempts: request.attempts + 1, error: null, errorCode: null });
    await recordAudit(stores, auditOf(row, actor, 'rollback.executing', now, { attempt: row.attempts }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
  const tenantEnvironment = loaded?.id === executing.tenantEnvironmentId ? loaded : await loadTenantEnvironment(backend, executing.tenantEnvironmentId);
  const requester = actor?.kind === 'user' && actor.user.id === executing.requestedById ? actor.user : (await backend.stores.users.byId(executing.requestedById))!;
  try {
    // A retry after an earlier attempt whose commit landed completes with that commit, never writes a second one.
    const landed = await landedCommit(backend, tenantEnvironment, executing);
    if (landed) return await complete(backend, actor, executing, tenantEnvironment, landed);
    await backend.faults?.pause('before-rollback-commit');
    let completed!: RollbackRequest;
    await executeRollback(
      backend,
      {
        tenantEnvironment,
        scope: scopeOf(executing),
        targetSha: executing.targetSha,
        expectedPreviewHash: executing.previewHash,
        baseRevision: executing.baseSha,
        approvedChanges: executing.mode === 'FULL' ? await backend.stores.requests.previewChanges(executing.id) : null,
        requestId: executing.id,
        justification: executing.justification,
        author: { name: requester.name, email: requester.email },
        approval: await approvalLine(backend.stores, executing),
      },
      {
        afterCommit: async () => backend.faults?.pause('after-rollback-commit'),
        // The request completes in the transaction that records its commit: both or neither.
        record: async (tx, { sha, deployment }) => {
          completed = await completeIn(backend, tx, actor, executing, tenantEnvironment, sha, deployment.id);
        },
      },
    );
    return completed;
  } catch (error) {
    // The commit may have landed before the failure (e.g. while recording it): then it is not a failure.
    const landed = await landedCommit(backend, tenantEnvironment, executing).catch(() => null);
    // Once the commit is on main the request never becomes FAILED (a retry could never complete it): if
    // completing it cannot be stored now, it stays EXECUTING and the repair pass completes it.
    if (landed) {
      return complete(backend, actor, executing, tenantEnvironment, landed).catch((completing: unknown) => {
        if (!isStorageFull(completing)) throw completing;
        throw new StorageFullError(
          `storage is full: the rollback commit ${landed} landed on main, but completing the request failed; it completes automatically once space is freed (do not request it again)`,
          { requestId: executing.id, revision: landed, committed: true },
        );
      });
    }
    return fail(backend, actor, executing, error).catch((failing: unknown) => {
      if (!isStorageFull(failing)) throw failing;
      throw new StorageFullError('storage is full: the rollback was not committed and the request could not be marked failed; it is marked once space is freed', {
        requestId: executing.id,
        committed: false,
      });
    });
  }
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
  await ensureIndexed(backend, tenantEnvironment, [request.targetSha, await parentOf(backend, tenantEnvironment, sha)]);
  return backend.transact(async (tx) => {
    const deployment = await tx.stores.deployments.byRevision(request.tenantEnvironmentId, sha);
    return completeIn(backend, tx, actor, request, tenantEnvironment, sha, deployment?.id ?? null);
  });
}

/** COMPLETED with the commit, the deployments it reverted marked ROLLED_BACK, audited. */
async function completeIn(
  backend: Backend,
  { stores, emit }: Transaction,
  actor: Actor | null,
  request: RollbackRequest,
  tenantEnvironment: TenantEnvironment,
  sha: string,
  rollbackDeploymentId: string | null,
): Promise<RollbackRequest> {
  const reverted = await revertedDeployments(backend, stores, request, tenantEnvironment, sha);
  const now = backend.now();
  const row = await transition(stores, request, 'COMPLETED', now, { resultSha: sha });
  if (request.mode === 'FULL') await stores.requests.deletePreviewChanges(request.id);
  // A deployment the agent reported DEGRADED (FAILED) that is rolled back is ROLLED_BACK too.
  await stores.deployments.setStatus(reverted, ['SUCCESS', 'FAILED'], 'ROLLED_BACK', rollbackDeploymentId);
  await stores.reversions.insert(await reversionsOf(stores, reverted, request, now));
  await recordAudit(stores, auditOf(row, actor, 'rollback.completed', now, { resultSha: sha, rolledBackDeployments: reverted.length }));
  emit(requestEvent(row, 'STATE_CHANGED', now));
  return row;
}

/** Which services of each reverted deployment the rollback undid: all it changed (FULL), or the rolled-back service. */
async function reversionsOf(stores: Stores, ids: string[], request: RollbackRequest, now: Date): Promise<DeploymentReversion[]> {
  // A FIELD rollback undoes fields of its one service, never a whole deployment: what else each one changed does not matter.
  if (request.mode === 'FIELD') return ids.map((deploymentId) => ({ deploymentId, rollbackRequestId: request.id, services: [request.service!], whole: false, createdAt: now }));
  const deployments = await stores.deployments.byIds(ids);
  return deployments.flatMap((deployment) => {
    if (!deployment) return [];
    const services = [...new Set(deployment.changedPaths.map(serviceOfPath).filter((s): s is string => s !== null))].sort();
    if (request.mode === 'FULL') return [{ deploymentId: deployment.id, rollbackRequestId: request.id, services, whole: true, createdAt: now }];
    const onlyThisService = deployment.changedPaths.every((path) => serviceOfPath(path) === request.service);
    return [{ deploymentId: deployment.id, rollbackRequestId: request.id, services: [request.service!], whole: request.mode === 'SERVICE' && onlyThisService, createdAt: now }];
  });
}

async function fail(backend: Backend, actor: Actor | null, request: RollbackRequest, error: unknown): Promise<RollbackRequest> {
  let code = error instanceof DomainError ? error.code : 'EXECUTION_FAILED';
  let message = error instanceof DomainError ? error.message : `rollback execution failed: ${(error as Error).message}`;
  // Approved on a plan that main has overtaken: nothing is left to roll back. Final, not retryable.
  if (STALE_PLAN_CODES.includes(code)) ({ code, message } = stalePlanFailure('ROLLBACK', request.baseSha, message));
  return backend.transact(async ({ stores, emit }) => {
    const now = backend.now();
    const row = await transition(stores, request, 'FAILED', now, { error: message, errorCode: code });
    await recordAudit(stores, auditOf(row, actor, 'rollback.failed', now, { error: message, code }));
    emit(requestEvent(row, 'STATE_CHANGED', now));
    return row;
  });
}

/**
 * Deployments between the target and the rollback that touched the rolled-back scope, from the index
 * (up to the rollback commit's parent, indexed before the rollback commit is recorded).
 */
async function revertedDeployments(backend: Backend, stores: Stores, request: RollbackRequest, tenantEnvironment: TenantEnvironment, sha: string): Promise<string[]> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  const history = await IndexedHistory.between(stores, git, tenantEnvironment, request.targetSha, await parentOf(backend, tenantEnvironment, sha));
  return stores.deployments.idsAtRevisions(request.tenantEnvironmentId, await revertedRevisions(history, scopeOf(request), sha));
}

/** A rollback commit always has a parent: it comes after its target. */
async function parentOf(backend: Backend, tenantEnvironment: TenantEnvironment, sha: string): Promise<string> {
  const git = await backend.repositories.forProject(tenantEnvironment.project.slug);
  return (await git.commitInfo(sha)).parents[0]!;
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
 * No request stays APPROVED or EXECUTING once nobody is executing it (the process that was died, or
 * storing its outcome failed): if its commit is on main it completed, otherwise it failed and can be
 * retried. An APPROVED request whose execution never started fails the same way (APPROVED → EXECUTING
 * → FAILED), so that a person decides whether to retry it rather than a repair running it unattended.
 * Requests whose execution lease is held are being executed right now and are left alone. Runs at
 * every start and periodically (the repair pass); a request that cannot be repaired yet (storage
 * still full) is reported and tried again next time.
 */
export async function reconcileInterruptedExecutions(
  backend: Backend,
  onError?: (requestId: string, error: unknown) => void,
): Promise<Array<{ id: string; state: string }>> {
  const stuck = await backend.stores.requests.inStates(['APPROVED', 'EXECUTING']);
  const outcomes: Array<{ id: string; state: string }> = [];
  for (const found of stuck) {
    const attempt = await backend.locks.tryRun(executionLease(found.id), async () => {
      const current = await backend.stores.requests.byId(found.id);
      if (!current || (current.state !== 'APPROVED' && current.state !== 'EXECUTING')) return null;
      const tenantEnvironment = await loadTenantEnvironment(backend, current.tenantEnvironmentId);
      const request = current.state === 'APPROVED' ? await markExecuting(backend, current) : current;
      await indexHistory(backend, tenantEnvironment.project);
      const commit = await landedCommit(backend, tenantEnvironment, request);
      return commit
        ? complete(backend, null, request, tenantEnvironment, commit)
        : fail(
            backend,
            null,
            request,
            new DomainError(
              'EXECUTION_INTERRUPTED',
              current.state === 'APPROVED'
                ? 'execution was interrupted by a server restart before it started; retry'
                : 'execution was interrupted by a server restart before the rollback commit was written; retry',
              500,
            ),
          );
    }).catch((error: unknown) => {
      if (!onError) throw error;
      onError(found.id, error);
      return { ran: false as const };
    });
    if (attempt.ran && attempt.value) outcomes.push({ id: attempt.value.id, state: attempt.value.state });
  }
  return outcomes;
}

/** Records what was committed but not recorded, and settles requests nobody executes any more. */
export async function repairPass(backend: Backend): Promise<{ reconciled: Array<{ id: string; state: string }>; errors: Array<{ what: string; error: unknown }> }> {
  const errors: Array<{ what: string; error: unknown }> = [];
  for (const project of await backend.stores.projects.all()) {
    await indexHistory(backend, project).catch((error: unknown) => errors.push({ what: `history of project ${project.slug}`, error }));
  }
  const reconciled = await reconcileInterruptedExecutions(backend, (id, error) => errors.push({ what: `rollback request ${id}`, error })).catch(
    (error: unknown) => {
      errors.push({ what: 'interrupted executions', error });
      return [];
    },
  );
  const changes = await reconcileInterruptedChanges(backend, (id, error) => errors.push({ what: `approval request ${id}`, error })).catch((error: unknown) => {
    errors.push({ what: 'interrupted release and promotion executions', error });
    return [];
  });
  return { reconciled: [...reconciled, ...changes], errors };
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
