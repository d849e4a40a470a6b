/** Post-rollback notes, and the recurring-rollback insight (same revision rolled back to 3+ times in 30 days). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { RollbackInsightsDocument } from '../kit/documents/governance';
import { PreviewTargetWarningsDocument } from '../kit/documents/approvals';
import { AddNoteDocument, RequestRollbackDocument, RollbackRequestDocument, RollbackRequestsOfDocument } from '../kit/documents/rollbacks';
import {
  API_GATEWAY_VALUES,
  EMAIL,
  MINUTE,
  PROD,
  STAGING,
  advanceClock,
  auditRows,
  counts,
  pushWithGitCli,
  release,
  requestTagRollback,
  review,
  stagingTagTarget,
  tagRollback,
} from './helpers';

describe('addRollbackNote', () => {
  let t: TestApp;
  let completed: string;
  let failed: string;
  beforeAll(async () => {
    t = await createTestApp();
    completed = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING))).requestRollback.id;
    failed = (await requestTagRollback(t)).id;
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
    expectError(await review(t, 'APPROVER', failed, 'APPROVE'), { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500 });
  });
  afterAll(() => t.close());

  it('adds post-incident notes to a completed request, in order, with their authors, and audits them', async () => {
    const first = ok(await t.gql('DEPLOYER', AddNoteDocument, { id: completed, note: '  Root cause: v2.1.0 rate limiter misconfigured  ' })).addRollbackNote;
    expect(first.notes).toEqual([{ note: 'Root cause: v2.1.0 rate limiter misconfigured', author: { email: EMAIL.DEPLOYER } }]);
    ok(await t.gql('APPROVER', AddNoteDocument, { id: completed, note: 'Corrective action: canary for gateway releases' }));
    const stored = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: completed })).rollbackRequest!;
    expect(stored.notes.map((n) => [n.note, n.author.email])).toEqual([
      ['Root cause: v2.1.0 rate limiter misconfigured', EMAIL.DEPLOYER],
      ['Corrective action: canary for gateway releases', EMAIL.APPROVER],
    ]);
    expect(stored.state).toBe('COMPLETED');
    const audited = (await auditRows(t, completed)).filter((r) => r.action === 'rollback.note_added');
    expect(audited.map((r) => r.details.note)).toEqual(['Root cause: v2.1.0 rate limiter misconfigured', 'Corrective action: canary for gateway releases']);
  });

  it('adds notes to a failed request', async () => {
    const noted = ok(await t.gql('APPROVER', AddNoteDocument, { id: failed, note: 'Conflicted with a manual hotfix to v2.1.2' })).addRollbackNote;
    expect(noted.state).toBe('FAILED');
    expect(noted.notes).toHaveLength(1);
  });

  it('refuses notes on pending and rejected requests, and empty notes', async () => {
    const pendingId = (await requestTagRollback(t)).id;
    const before = await counts(t);
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: pendingId, note: 'too early' }), {
      code: 'NOTE_NOT_ALLOWED',
      status: 400,
      message: 'post-rollback notes can be added to completed or failed rollback requests',
    });
    ok(await review(t, 'APPROVER', pendingId, 'REJECT'));
    const afterReject = await counts(t);
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: pendingId, note: 'never ran' }), { code: 'NOTE_NOT_ALLOWED', status: 400 });
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: completed, note: '   ' }), { code: 'NOTE_REQUIRED', status: 400 });
    expect(await counts(t)).toEqual(afterReject);
    expect(afterReject.reviews).toBe(before.reviews + 1);
  });
});

describe('rollbackInsights', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const insights = async (where: typeof STAGING | typeof PROD = STAGING) => ok(await t.gql('DEPLOYER', RollbackInsightsDocument, where)).tenantEnvironment!.rollbackInsights;
  const rollBack = async (target: string) => {
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(target, STAGING, 'gateway 500s again'))).requestRollback;
    expect(request.state).toBe('COMPLETED');
    return request;
  };

  it('flags a revision rolled back to three times in 30 days, with releases in between', async () => {
    const target = await stagingTagTarget(t);
    await rollBack(target);
    await release(t, STAGING, 'api-gateway', 'v2.1.0');
    await rollBack(target);
    expect(await insights()).toEqual([]);
    await release(t, STAGING, 'api-gateway', 'v2.1.0');
    await rollBack(target);

    expect(await insights()).toEqual([
      {
        revision: target,
        rollbacks: 3,
        windowDays: 30,
        message: `revision ${target.slice(0, 7)} was rolled back to 3 times in 30 days: look for the root cause instead of rolling back again`,
      },
    ]);
    // The next preview of a rollback to it says so, before anyone requests a fourth.
    await release(t, STAGING, 'api-gateway', 'v2.1.0');
    const preview = ok(await t.gql('DEPLOYER', PreviewTargetWarningsDocument, { input: tagRollback(target, STAGING).input.rollback })).previewRollback;
    expect(preview.targetWarnings).toContain(
      `the target revision ${target.slice(0, 7)} is a recurring rollback target (3 rollbacks to it in 30 days): look for the root cause`,
    );
    // Only that tenant-environment.
    expect(await insights(PROD)).toEqual([]);
    const completed = ok(await t.gql('DEPLOYER', RollbackRequestsOfDocument, { ...STAGING, states: ['COMPLETED'] })).tenantEnvironment!.rollbackRequests;
    expect(completed).toHaveLength(3);
  });

  it('forgets rollbacks older than 30 days', async () => {
    advanceClock(t, 29 * 24 * 60 * MINUTE);
    expect((await insights()).map((i) => i.rollbacks)).toEqual([3]);
    advanceClock(t, 2 * 24 * 60 * MINUTE);
    expect(await insights()).toEqual([]);
  });
});
