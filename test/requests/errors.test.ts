/** The spec's "Error Reference" table, word for word, with extensions.code and extensions.status. */
import { describe, expect } from 'vitest';
import { expectError, ok } from '../kit/client';
import { SetApprovalPolicyDocument } from '../kit/documents/governance';
import { PreviewRollbackDocument, RequestRollbackDocument, RetryDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import {
  API_GATEWAY_VALUES,
  EMAIL,
  PROD,
  STAGING,
  auditRows,
  commitMessage,
  counts,
  fileAt,
  previousRevision,
  pushWithGitCli,
  requestOf,
  requestTagRollback,
  review,
  rollbackCommitsFor,
  stagingTagTarget,
  tagRollback,
} from './helpers';


describe('400 targetSha is required', () => {
  it.for([
    ['omitted', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a request whose target revision is %s, writing nothing', async ([_label, targetSha], { t }) => {
    const before = await counts(t);
    const input = { ...tagRollback('x').input, rollback: { ...tagRollback('x').input.rollback, targetSha } };
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, { input }), {
      code: 'TARGET_SHA_REQUIRED',
      status: 400,
      message: 'targetSha is required',
    });
    expectError(await t.gql('DEPLOYER', PreviewRollbackDocument, { input: input.rollback }), {
      code: 'TARGET_SHA_REQUIRED',
      status: 400,
      message: 'targetSha is required',
    });
    expect(await counts(t)).toEqual(before);
  });
});

describe('400 selected fields cannot be empty for field mode', () => {
  it.for<[string, [] | undefined]>([
    ['an empty list', []],
    ['no list at all', undefined],
  ])('refuses a FIELD request with %s of fields, writing nothing', async ([_label, fields], { t }) => {
    const before = await counts(t);
    const base = tagRollback(await previousRevision(t)).input;
    const input = { ...base, rollback: { ...base.rollback, fields } };
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, { input }), {
      code: 'SELECTED_FIELDS_EMPTY',
      status: 400,
      message: 'selected fields cannot be empty for field mode',
    });
    expectError(await t.gql('DEPLOYER', PreviewRollbackDocument, { input: input.rollback }), {
      code: 'SELECTED_FIELDS_EMPTY',
      status: 400,
      message: 'selected fields cannot be empty for field mode',
    });
    expect(await counts(t)).toEqual(before);
  });
});

describe('justification', () => {
  it.for([
    ['omitted', undefined],
    ['blank', ' \n '],
  ])('is required: a request with the justification %s is refused and nothing is written', async ([_label, justification], { t }) => {
    const before = await counts(t);
    const input = { ...tagRollback(await previousRevision(t)).input, justification };
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, { input }), { code: 'JUSTIFICATION_REQUIRED', status: 400, message: /justification is required/ });
    expect(await counts(t)).toEqual(before);
  });

  it('is stored trimmed and written into the commit message', async ({ t }) => {
    const input = { ...tagRollback(await stagingTagTarget(t), STAGING).input, justification: '  pods crash-looping  ' };
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, { input })).requestRollback;
    expect(request.justification).toBe('pods crash-looping');
    expect(commitMessage(t, request.resultRevision!)).toContain('\nJustification: pods crash-looping\n');
  });
});

describe('400 rollback request is not pending approval', () => {
  it.for(['APPROVE', 'REJECT'] as const)('refuses to %s a request that was already approved and executed', async (decision, { t }) => {
    const request = await requestTagRollback(t);
    ok(await review(t, 'APPROVER', request.id, 'APPROVE'));
    const before = await counts(t);
    expectError(await review(t, 'APPROVER2', request.id, decision), {
      code: 'REQUEST_NOT_PENDING',
      status: 400,
      message: 'rollback request is not pending approval',
    });
    expect(await counts(t)).toEqual(before);
  });

  it('refuses to review a rejected request', async ({ t }) => {
    const request = await requestTagRollback(t);
    ok(await review(t, 'APPROVER', request.id, 'REJECT'));
    expectError(await review(t, 'ADMIN', request.id, 'APPROVE'), {
      code: 'REQUEST_NOT_PENDING',
      status: 400,
      message: 'rollback request is not pending approval',
    });
  });
});

describe('403 cannot approve/reject your own rollback request', () => {
  it.for(['APPROVE', 'REJECT'] as const)('refuses to let the requester %s their own request and keeps nothing of the attempt', async (decision, { t }) => {
    const request = await requestTagRollback(t, 'APPROVER');
    const before = await counts(t);
    expectError(await review(t, 'APPROVER', request.id, decision), {
      code: 'SELF_REVIEW_FORBIDDEN',
      status: 403,
      message: 'cannot approve/reject your own rollback request',
    });
    expect(await counts(t)).toEqual(before);
    expect((await requestOf(t, request.id)).state).toBe('PENDING');
    // Another approver still can.
    expect(ok(await review(t, 'APPROVER2', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('COMPLETED');
  });
});

describe('409 you have already reviewed this rollback request', () => {
  it('refuses a second review by the same approver while the request waits for its quorum', async ({ t }) => {
    ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 2 } }));
    const request = await requestTagRollback(t);
    expect(ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('PENDING');
    const before = await counts(t);
    for (const decision of ['APPROVE', 'REJECT'] as const) {
      expectError(await review(t, 'APPROVER', request.id, decision), {
        code: 'ALREADY_REVIEWED',
        status: 409,
        message: 'you have already reviewed this rollback request',
      });
    }
    expect(await counts(t)).toEqual(before);
    const after = await requestOf(t, request.id);
    expect(after.state).toBe('PENDING');
    expect(after.approvals).toBe(1);
  });
});

describe('500 approval saved but rollback execution failed', () => {
  it('keeps the review, fails the request, and retry runs it again, re-checking for conflicts', async ({ t }) => {
    const request = await requestTagRollback(t);
    // Another tool changes the same field after the request was made.
    const pushed = pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));

    const error = expectError(await review(t, 'APPROVER', request.id, 'APPROVE', 'go'), {
      code: 'APPROVAL_SAVED_EXECUTION_FAILED',
      status: 500,
      message: 'approval saved but rollback execution failed',
    });
    expect(error.extensions).toMatchObject({ requestId: request.id, causeCode: 'ROLLBACK_CONFLICT' });

    let failed = await requestOf(t, request.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.errorCode).toBe('ROLLBACK_CONFLICT');
    expect(failed.error).toMatch(/conflict detected/);
    expect(failed.reviews).toEqual([{ decision: 'APPROVE', comment: 'go', reviewer: { email: EMAIL.APPROVER } }]);
    expect(failed.approvals).toBe(1);
    expect(git(t.repoDir, ['rev-parse', 'refs/heads/main'])).toBe(pushed);
    expect(rollbackCommitsFor(t, request.id)).toEqual([]);

    // Retry re-checks: still conflicting, still nothing written. Reported in the one failure shape (no approval saved now).
    const retryError = expectError(await t.gql('DEPLOYER', RetryDocument, { id: request.id }), { code: 'REQUEST_EXECUTION_FAILED', status: 500 });
    expect(retryError.message).toMatch(/^rollback execution failed: conflict detected/);
    expect(retryError.extensions).toMatchObject({ requestId: request.id, state: 'FAILED', kind: 'ROLLBACK', causeCode: 'ROLLBACK_CONFLICT' });
    failed = await requestOf(t, request.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.errorCode).toBe('ROLLBACK_CONFLICT');
    expect(failed.attempts).toBe(2);
    expect(git(t.repoDir, ['rev-parse', 'refs/heads/main'])).toBe(pushed);

    // The other change is undone; the retry now does exactly what was approved.
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.2', 'tag: v2.1.1-rc0'));
    const completed = ok(await t.gql('DEPLOYER', RetryDocument, { id: request.id })).retryRollbackExecution;
    expect(completed.state).toBe('COMPLETED');
    expect(completed.reviews).toHaveLength(1);
    expect(rollbackCommitsFor(t, request.id)).toEqual([completed.resultRevision]);
    expect(fileAt(t, completed.resultRevision!, API_GATEWAY_VALUES)).toContain('tag: v2.1.0');
    expect(commitMessage(t, completed.resultRevision!)).toContain(`Approval: Approved by ${EMAIL.APPROVER} (quorum: 1/1)`);

    const reviewed = (await auditRows(t, request.id)).filter((r) => r.action === 'rollback.reviewed');
    expect(reviewed).toHaveLength(1);
  });

  it('is not provoked by an unrelated change that landed meanwhile', async ({ t }) => {
    const request = await requestTagRollback(t);
    const checkout = 'tenants/acme/production/services/checkout/values.yaml';
    pushWithGitCli(t, checkout, (s) => s.replace(/^replicas: \d+/m, 'replicas: 9'));
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    expect(fileAt(t, done.resultRevision!, checkout)).toMatch(/^replicas: 9/m);
    expect(fileAt(t, done.resultRevision!, API_GATEWAY_VALUES)).toContain('tag: v2.1.0');
  });
});

describe('base revision and preview hash', () => {
  it('stores the head and the hash of the preview it was made on, and refuses a stale preview', async ({ t }) => {
    const target = await previousRevision(t);
    const preview = ok(await t.gql('DEPLOYER', PreviewRollbackDocument, { input: tagRollback(target).input.rollback })).previewRollback;
    const head = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, { input: { ...tagRollback(target).input, previewHash: preview.previewHash } })).requestRollback;
    expect(request.previewHash).toBe(preview.previewHash);
    expect(request.baseRevision).toBe(head);
    expect(request.targetRevision).toBe(target);
    expect(request.affectedServices).toEqual(['api-gateway']);

    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
    const before = await counts(t);
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, { input: { ...tagRollback(target).input, previewHash: preview.previewHash } }), {
      code: 'ROLLBACK_CONFLICT',
      status: 409,
    });
    expect(await counts(t)).toEqual(before);
  });

  it('accepts an abbreviated target revision and stores it in full', async ({ t }) => {
    const target = await previousRevision(t, PROD);
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(target.slice(0, 8)))).requestRollback;
    expect(request.targetRevision).toBe(target);
  });
});
