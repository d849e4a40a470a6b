/** The request state machine: every allowed transition happens, every other one is impossible (domain and API). */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { REQUEST_STATES, type RequestState, type RollbackRequest } from '../../src/domain/model';
import { ALL_PAIRS, ALLOWED, TIMESTAMP, isAllowed } from '../kit/request-states';
import { DomainError } from '../../src/domain/errors';
import { canTransition, transition, TRANSITIONS } from '../../src/domain/requests/state-machine';
import { createTestApp, type TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { AddNoteDocument, RetryDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import { API_GATEWAY_VALUES, auditRows, pushWithGitCli, requestTagRollback, review, rollbackCommitsFor } from './helpers';

describe('canTransition', () => {
  it.each(ALL_PAIRS)('%s → %s is allowed exactly when the spec allows it', (from, to) => {
    expect(canTransition(from, to)).toBe(isAllowed(from, to));
  });

  it('has terminal states REJECTED and COMPLETED only', () => {
    expect(REQUEST_STATES.filter((s) => TRANSITIONS[s].length === 0).sort()).toEqual(['COMPLETED', 'REJECTED']);
  });
});

describe('transition() against a real stored row', () => {
  let t: TestApp;
  let template: RollbackRequest;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const request = await requestTagRollback(t);
    template = (await t.app.backend.stores.requests.byId(request.id))!;
  });
  afterAll(() => t.close());

  /** A stored request in `state`, copied from a real one. */
  async function rowIn(state: RequestState) {
    return t.app.backend.transact(({ stores }) => stores.requests.insert({ ...template, id: `rbk-sm-${++serial}`, state }));
  }
  const stored = async (id: string) => (await t.app.backend.stores.requests.byId(id))!;

  it.each(ALLOWED)('%s → %s happens, sets its timestamp and applies the patch', async (from, to) => {
    const row = await rowIn(from);
    const now = new Date('2031-01-02T03:04:05.000Z');
    const updated = await t.app.backend.transact(({ stores }) => transition(stores, row, to, now, { error: 'patched' }));
    expect(updated.state).toBe(to);
    expect(updated.updatedAt).toEqual(now);
    expect(updated.error).toBe('patched');
    const field = TIMESTAMP[to]!;
    expect(updated[field]).toEqual(now);
    expect((await stored(row.id)).state).toBe(to);
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isAllowed(from, to)))('%s → %s is refused and the row is unchanged', async (from, to) => {
    const row = await rowIn(from);
    const attempt = t.app.backend.transact(({ stores }) => transition(stores, row, to, new Date()));
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_TRANSITION', status: 400 });
    const after = await stored(row.id);
    expect(after.state).toBe(from);
    expect(after.updatedAt).toEqual(row.updatedAt);
  });

  it('refuses a transition from a stale copy: the row is guarded by the state it is expected to be in', async () => {
    const row = await rowIn('PENDING');
    await t.app.backend.transact(({ stores }) => transition(stores, row, 'REJECTED', new Date()));
    // A second writer still holding the PENDING copy cannot approve it.
    await expect(t.app.backend.transact(({ stores }) => transition(stores, row, 'APPROVED', new Date()))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: 'the rollback request is no longer pending',
    });
    const after = await stored(row.id);
    expect(after.state).toBe('REJECTED');
    expect(after.approvedAt).toBeNull();
  });
});

describe('transitions through the API', () => {
  it('PENDING → APPROVED → EXECUTING → COMPLETED, with a timestamp for each step and the commit SHA', async ({ t }) => {
    const pending = await requestTagRollback(t);
    expect(pending.state).toBe('PENDING');
    expect(pending.approvedAt ?? pending.executingAt ?? pending.completedAt ?? pending.failedAt ?? pending.rejectedAt).toBeNull();

    const done = ok(await review(t, 'APPROVER', pending.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    expect(done.attempts).toBe(1);
    expect(done.approvedAt).not.toBeNull();
    expect(done.executingAt).not.toBeNull();
    expect(done.completedAt).not.toBeNull();
    expect(done.failedAt).toBeNull();
    expect(done.rejectedAt).toBeNull();
    const order = [done.createdAt, done.approvedAt!, done.executingAt!, done.completedAt!].map((d) => Date.parse(d));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(done.resultRevision).toMatch(/^[0-9a-f]{40}$/);
    expect(rollbackCommitsFor(t, done.id)).toEqual([done.resultRevision]);
    expect(done.deployment).toEqual({ revision: done.resultRevision, source: 'ROLLBACK' });

    // The audit trail has one event per transition, in order.
    const actions = (await auditRows(t, done.id)).map((r) => r.action);
    expect(actions).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.approved', 'rollback.executing', 'rollback.completed']);

    // COMPLETED is terminal: no review, no retry.
    expectError(await review(t, 'APPROVER2', done.id, 'APPROVE'), {
      code: 'REQUEST_NOT_PENDING',
      status: 400,
      message: 'rollback request is not pending approval',
    });
    expectError(await t.gql('DEPLOYER', RetryDocument, { id: done.id }), { code: 'REQUEST_NOT_FAILED', status: 400 });
    expect(ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: done.id })).rollbackRequest!.state).toBe('COMPLETED');
  });

  it('PENDING → REJECTED is terminal: no review, no retry, no note, no commit', async ({ t }) => {
    const pending = await requestTagRollback(t);
    const rejected = ok(await review(t, 'APPROVER', pending.id, 'REJECT', 'wrong target')).reviewRollbackRequest;
    expect(rejected.state).toBe('REJECTED');
    expect(rejected.rejectedAt).not.toBeNull();
    expect(rejected.approvedAt).toBeNull();
    expect(rejected.executingAt).toBeNull();
    expect(rejected.resultRevision).toBeNull();
    expect(rejected.reviews).toEqual([{ decision: 'REJECT', comment: 'wrong target', reviewer: { email: 'alex.approver@acme.example.com' } }]);
    expectError(await review(t, 'APPROVER2', pending.id, 'APPROVE'), {
      code: 'REQUEST_NOT_PENDING',
      status: 400,
      message: 'rollback request is not pending approval',
    });
    expectError(await t.gql('DEPLOYER', RetryDocument, { id: pending.id }), { code: 'REQUEST_NOT_FAILED', status: 400 });
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: pending.id, note: 'why' }), { code: 'NOTE_NOT_ALLOWED', status: 400 });
    expect(rollbackCommitsFor(t, pending.id)).toEqual([]);
  });

  it('PENDING cannot be retried (that would skip approval) nor noted', async ({ t }) => {
    const pending = await requestTagRollback(t);
    expectError(await t.gql('DEPLOYER', RetryDocument, { id: pending.id }), { code: 'REQUEST_NOT_FAILED', status: 400 });
    expectError(await t.gql('ADMIN', RetryDocument, { id: pending.id }), { code: 'REQUEST_NOT_FAILED', status: 400 });
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: pending.id, note: 'why' }), { code: 'NOTE_NOT_ALLOWED', status: 400 });
    expect(ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: pending.id })).rollbackRequest!.state).toBe('PENDING');
    expect(rollbackCommitsFor(t, pending.id)).toEqual([]);
    ok(await review(t, 'APPROVER', pending.id, 'REJECT'));
  });

  it('EXECUTING → FAILED, FAILED → EXECUTING → FAILED again, then FAILED → EXECUTING → COMPLETED', async ({ t }) => {
    const pending = await requestTagRollback(t);
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));

    const failed = await review(t, 'APPROVER', pending.id, 'APPROVE');
    expectError(failed, { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500, message: 'approval saved but rollback execution failed' });
    let request = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: pending.id })).rollbackRequest!;
    expect(request.state).toBe('FAILED');
    expect(request.failedAt).not.toBeNull();
    expect(request.executingAt).not.toBeNull();
    expect(request.attempts).toBe(1);
    expect(request.errorCode).toBe('ROLLBACK_CONFLICT');

    // FAILED is not pending: it cannot be reviewed again.
    expectError(await review(t, 'APPROVER2', pending.id, 'APPROVE'), { code: 'REQUEST_NOT_PENDING', status: 400 });

    const retried = expectError(await t.gql('DEPLOYER', RetryDocument, { id: pending.id }), { code: 'REQUEST_EXECUTION_FAILED', status: 500 });
    expect(retried.extensions).toMatchObject({ requestId: pending.id, state: 'FAILED', causeCode: 'ROLLBACK_CONFLICT' });
    const again = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: pending.id })).rollbackRequest!;
    expect(again.state).toBe('FAILED');
    expect(again.attempts).toBe(2);

    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.2', 'tag: v2.1.1-rc0'));
    const completed = ok(await t.gql('DEPLOYER', RetryDocument, { id: pending.id })).retryRollbackExecution;
    expect(completed.state).toBe('COMPLETED');
    expect(completed.attempts).toBe(3);
    expect(completed.error).toBeNull();
    expect(completed.errorCode).toBeNull();
    expect(rollbackCommitsFor(t, pending.id)).toEqual([completed.resultRevision]);
    expect((await auditRows(t, pending.id)).map((r) => r.action)).toEqual([
      'rollback.requested',
      'rollback.reviewed',
      'rollback.approved',
      'rollback.executing',
      'rollback.failed',
      'rollback.executing',
      'rollback.failed',
      'rollback.executing',
      'rollback.completed',
    ]);
  });

  it('two concurrent retries of a failed request execute it exactly once', async ({ t }) => {
    const pending = await requestTagRollback(t);
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
    expectError(await review(t, 'APPROVER', pending.id, 'APPROVE'), { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500 });
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.2', 'tag: v2.1.1-rc0'));

    const results = await Promise.all([t.gql('DEPLOYER', RetryDocument, { id: pending.id }), t.gql('ADMIN', RetryDocument, { id: pending.id })]);
    const succeeded = results.filter((r) => !r.errors);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]!.data!.retryRollbackExecution.state).toBe('COMPLETED');
    expectError(results.find((r) => r.errors)!, { code: 'REQUEST_NOT_FAILED', status: 400, message: 'only a failed rollback request can be retried' });
    expect(rollbackCommitsFor(t, pending.id)).toHaveLength(1);
    const stored = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: pending.id })).rollbackRequest!;
    expect(stored.attempts).toBe(2);
  });

  it('APPROVED and EXECUTING requests (in flight) cannot be reviewed, retried or noted', async ({ t }) => {
    const pending = await requestTagRollback(t);
    const row = (await t.app.backend.stores.requests.byId(pending.id))!;
    let current = await t.app.backend.transact(({ stores }) => transition(stores, row, 'APPROVED', new Date()));
    for (const state of ['APPROVED', 'EXECUTING'] as const) {
      if (state === 'EXECUTING') current = await t.app.backend.transact(({ stores }) => transition(stores, current, 'EXECUTING', new Date()));
      expectError(await review(t, 'APPROVER', pending.id, 'APPROVE'), { code: 'REQUEST_NOT_PENDING', status: 400, message: 'rollback request is not pending approval' });
      expectError(await review(t, 'APPROVER', pending.id, 'REJECT'), { code: 'REQUEST_NOT_PENDING', status: 400 });
      expectError(await t.gql('DEPLOYER', RetryDocument, { id: pending.id }), { code: 'REQUEST_NOT_FAILED', status: 400 });
      expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: pending.id, note: 'n' }), { code: 'NOTE_NOT_ALLOWED', status: 400 });
      expect(ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: pending.id })).rollbackRequest!.state).toBe(state);
    }
    expect(rollbackCommitsFor(t, pending.id)).toEqual([]);
  });
});
