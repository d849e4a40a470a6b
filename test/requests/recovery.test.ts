/** Execution that breaks half-way: a landed commit is never reported as a failure, and nothing stays stuck. */
import { describe, expect } from 'vitest';
import { reconcileInterruptedExecutions } from '../../src/domain/requests/run-execution';
import { transition } from '../../src/domain/requests/state-machine';
import type { TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { failWhen, heal } from '../kit/db';
import { RetryDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import { API_GATEWAY_VALUES, PROD, auditRows, fileAt, requestOf, requestTagRollback, review, rollbackCommitsFor } from './helpers';

const storedRequest = async (t: TestApp, id: string) => (await t.app.backend.stores.requests.byId(id))!;

describe('the commit landed but recording it failed', () => {
  it('completes the request when recording the history fails after the commit', async ({ t }) => {
    const request = await requestTagRollback(t);
    // History indexing (a separate step after the commit) fails.
    await failWhen(t, 'no_history', 'deployments', 'INSERT', '1');
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    await heal(t, 'no_history');
    expect(done.state).toBe('COMPLETED');
    const commits = rollbackCommitsFor(t, request.id);
    expect(commits).toHaveLength(1);
    expect(done.resultRevision).toBe(commits[0]);
    expect(fileAt(t, commits[0]!, API_GATEWAY_VALUES)).toContain('tag: v2.1.0');
    // The history catches up on the next read.
    const history = ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, PROD)).tenantEnvironment!.deployments.edges.map((e) => e.node);
    expect(history[0]).toMatchObject({ revision: commits[0], source: 'ROLLBACK' });
  });

  it('leaves the request EXECUTING (never FAILED) when completion cannot be stored, and reconciliation completes it', async ({ t }) => {
    const request = await requestTagRollback(t);
    await failWhen(t, 'no_complete', 'rollback_requests', 'UPDATE', "NEW.state = 'COMPLETED'");
    expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), { code: 'INTERNAL_SERVER_ERROR', status: 500 });
    await heal(t, 'no_complete');
    const commits = rollbackCommitsFor(t, request.id);
    expect(commits).toHaveLength(1);
    const stuck = await requestOf(t, request.id);
    expect(stuck.state).toBe('EXECUTING');
    expect(stuck.failedAt).toBeNull();

    expect(await reconcileInterruptedExecutions(t.app.backend)).toEqual([{ id: request.id, state: 'COMPLETED' }]);
    const done = await requestOf(t, request.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.resultRevision).toBe(commits[0]);
    expect(rollbackCommitsFor(t, request.id)).toEqual(commits);
  });

  it('a retry of a request whose commit is already on main completes with that commit instead of writing another', async ({ t }) => {
    const request = await requestTagRollback(t);
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    // As left by an execution that failed after its commit landed.
    await t.app.backend.transact(({ stores }) => stores.requests.transition(request.id, 'COMPLETED', { state: 'FAILED', resultSha: null, error: 'lost', errorCode: 'EXECUTION_FAILED' }));
    const head = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const retried = ok(await t.gql('DEPLOYER', RetryDocument, { id: request.id })).retryRollbackExecution;
    expect(retried.state).toBe('COMPLETED');
    expect(retried.resultRevision).toBe(done.resultRevision);
    expect(retried.error).toBeNull();
    expect(git(t.repoDir, ['rev-parse', 'refs/heads/main'])).toBe(head);
    expect(rollbackCommitsFor(t, request.id)).toEqual([done.resultRevision]);
  });
});

describe('restart reconciliation', () => {
  it('fails an EXECUTING request whose commit never landed; it can be retried', async ({ t }) => {
    const request = await requestTagRollback(t);
    const row = await storedRequest(t, request.id);
    // A crash right after approval and the EXECUTING transition, before the commit.
    const approved = await t.app.backend.transact(({ stores }) => transition(stores, row, 'APPROVED', new Date()));
    await t.app.backend.transact(({ stores }) => transition(stores, approved, 'EXECUTING', new Date()));

    expect(await reconcileInterruptedExecutions(t.app.backend)).toEqual([{ id: request.id, state: 'FAILED' }]);
    const failed = await requestOf(t, request.id);
    expect(failed.errorCode).toBe('EXECUTION_INTERRUPTED');
    expect(ok(await t.gql('DEPLOYER', RetryDocument, { id: request.id })).retryRollbackExecution.state).toBe('COMPLETED');
  });

  it('does not leave an APPROVED request stuck: it fails as interrupted, through EXECUTING, and can be retried', async ({ t }) => {
    const request = await requestTagRollback(t);
    const row = await storedRequest(t, request.id);
    // A crash between the approval and the start of execution.
    await t.app.backend.transact(({ stores }) => transition(stores, row, 'APPROVED', new Date()));
    expect(await reconcileInterruptedExecutions(t.app.backend)).toEqual([{ id: request.id, state: 'FAILED' }]);

    const failed = await requestOf(t, request.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.executingAt).not.toBeNull();
    expect(failed.errorCode).toBe('EXECUTION_INTERRUPTED');
    expect(failed.error).toMatch(/before it started; retry$/);
    expect(rollbackCommitsFor(t, request.id)).toEqual([]);
    const actions = (await auditRows(t, request.id)).map((r) => r.action);
    expect(actions.slice(-2)).toEqual(['rollback.executing', 'rollback.failed']);

    const done = ok(await t.gql('DEPLOYER', RetryDocument, { id: request.id })).retryRollbackExecution;
    expect(done.state).toBe('COMPLETED');
    expect(rollbackCommitsFor(t, request.id)).toEqual([done.resultRevision]);
  });

  it('leaves pending, rejected and completed requests alone', async ({ t }) => {
    const pending = await requestTagRollback(t);
    expect(await reconcileInterruptedExecutions(t.app.backend)).toEqual([]);
    expect((await requestOf(t, pending.id)).state).toBe('PENDING');
  });
});
