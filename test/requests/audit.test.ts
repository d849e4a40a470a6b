/** The audit trail: a row per action in the same transaction as the change, filters and pagination. */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { recordAudit } from '../../src/domain/audit';
import { createTestApp, type TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { countRows, failWhen, heal } from '../kit/db';
import { AuditEventsDocument, CloseBreakGlassDocument, OpenBreakGlassDocument, SetApprovalPolicyDocument } from '../kit/documents/governance';
import { AddNoteDocument, RequestRollbackDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { ProjectDocument, ViewerDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import {
  API_GATEWAY_VALUES,
  EMAIL,
  STAGING,
  auditRows,
  counts,
  deploymentsOf,
  pushWithGitCli,
  requestTagRollback,
  review,
  shopProjectId,
  stagingTagTarget,
  tagRollback,
} from './helpers';

type AuditVars = { first?: number; after?: string; action?: string; actorId?: string; tenantEnvironmentId?: string; breakGlassOnly?: boolean };
const eventsOf = async (t: TestApp, vars: AuditVars = {}) =>
  ok(await t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', first: 100, ...vars })).project!.auditEvents;
const nodes = async (t: TestApp, vars: AuditVars = {}) => (await eventsOf(t, vars)).edges.map((e) => e.node);

describe('a row for each action', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let prodId: string;
  let stagingId: string;
  let rejectedId: string;
  let completedId: string;
  let failedId: string;
  let sessionId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ids = {};
    for (const role of ['DEPLOYER', 'APPROVER', 'APPROVER2', 'ADMIN'] as const) ids[role] = ok(await t.gql(role, ViewerDocument)).viewer.id;
    prodId = (await deploymentsOf(t)).id;
    stagingId = (await deploymentsOf(t, STAGING)).id;

    ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 1 } }));
    rejectedId = (await requestTagRollback(t)).id;
    ok(await review(t, 'APPROVER', rejectedId, 'REJECT', 'not yet'));
    failedId = (await requestTagRollback(t)).id;
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
    expectError(await review(t, 'APPROVER2', failedId, 'APPROVE'), { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500 });
    sessionId = ok(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'sev1' } })).openBreakGlassSession.id;
    completedId = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING))).requestRollback.id;
    ok(await t.gql('DEPLOYER', CloseBreakGlassDocument, { id: sessionId }));
    ok(await t.gql('DEPLOYER', AddNoteDocument, { id: completedId, note: 'root cause: untested tag' }));
  });
  afterAll(() => t.close());

  it('records every action with its actor, target, tenant-environment and time', async () => {
    const rows = await auditRows(t);
    const of = (action: string, targetId: string) => rows.filter((r) => r.action === action && r.targetId === targetId);
    const expectOne = (action: string, targetId: string, actor: string, tenantEnvironmentId: string | null) => {
      const found = of(action, targetId);
      expect(found, `${action} ${targetId}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ actorUserId: actor, tenantEnvironmentId });
      expect(found[0]!.createdAt).toBeInstanceOf(Date);
    };
    const environmentId = rows.find((r) => r.action === 'approval_policy.updated')!.targetId;
    expectOne('approval_policy.updated', environmentId, ids.ADMIN!, null);
    expectOne('rollback.requested', rejectedId, ids.DEPLOYER!, prodId);
    expectOne('rollback.reviewed', rejectedId, ids.APPROVER!, prodId);
    expectOne('rollback.rejected', rejectedId, ids.APPROVER!, prodId);
    expectOne('rollback.requested', failedId, ids.DEPLOYER!, prodId);
    expectOne('rollback.reviewed', failedId, ids.APPROVER2!, prodId);
    expectOne('rollback.approved', failedId, ids.APPROVER2!, prodId);
    expectOne('rollback.executing', failedId, ids.APPROVER2!, prodId);
    expectOne('rollback.failed', failedId, ids.APPROVER2!, prodId);
    expectOne('break_glass.opened', sessionId, ids.DEPLOYER!, null);
    expectOne('rollback.requested', completedId, ids.DEPLOYER!, stagingId);
    expectOne('rollback.executing', completedId, ids.DEPLOYER!, stagingId);
    expectOne('rollback.completed', completedId, ids.DEPLOYER!, stagingId);
    expectOne('break_glass.closed', sessionId, ids.DEPLOYER!, null);
    expectOne('rollback.note_added', completedId, ids.DEPLOYER!, stagingId);

    expect(of('rollback.reviewed', rejectedId)[0]!.details).toMatchObject({ decision: 'REJECT', comment: 'not yet' });
    expect(of('rollback.failed', failedId)[0]!.details).toMatchObject({ code: 'ROLLBACK_CONFLICT' });
    expect(of('rollback.note_added', completedId)[0]!.details).toMatchObject({ note: 'root cause: untested tag' });
    expect(of('rollback.requested', completedId)[0]!.details).toMatchObject({ justification: 'Bad image tag v2.1.1-rc0 causing 500 errors' });
    // Only what happened under the session is flagged.
    expect(rows.filter((r) => r.breakGlassSessionId === sessionId).map((r) => r.action)).toEqual([
      'break_glass.opened',
      'rollback.requested',
      'rollback.executing',
      'rollback.completed',
      'break_glass.closed',
    ]);
  });

  it('filters by action, actor, tenant-environment and break-glass only', async () => {
    const all = await nodes(t);
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect((await nodes(t, { action: 'rollback.requested' })).map((e) => e.targetId).sort()).toEqual([rejectedId, failedId, completedId].sort());
    const byApprover2 = await nodes(t, { actorId: ids.APPROVER2 });
    expect(byApprover2.map((e) => e.action)).toEqual(['rollback.failed', 'rollback.executing', 'rollback.approved', 'rollback.reviewed']);
    expect(byApprover2.every((e) => e.actor!.email === EMAIL.APPROVER2)).toBe(true);
    const staging = await nodes(t, { tenantEnvironmentId: stagingId });
    // The demo seed's releases are audited too (release.deployed); this test is about the rollback.
    expect(staging.map((e) => e.action).filter((a) => a.startsWith('rollback.'))).toEqual([
      'rollback.note_added',
      'rollback.completed',
      'rollback.executing',
      'rollback.requested',
    ]);
    expect(staging.some((e) => e.action === 'release.deployed')).toBe(true);
    const flagged = await nodes(t, { breakGlassOnly: true });
    expect(flagged).toHaveLength(5);
    expect(flagged.every((e) => e.breakGlass && e.breakGlassSessionId === sessionId)).toBe(true);
    expect(await nodes(t, { breakGlassOnly: true, actorId: ids.APPROVER })).toEqual([]);
    expect((await nodes(t, { action: 'rollback.requested', tenantEnvironmentId: prodId, actorId: ids.DEPLOYER })).map((e) => e.targetId).sort()).toEqual(
      [rejectedId, failedId].sort(),
    );
    expect(await nodes(t, { action: 'no.such.action' })).toEqual([]);
  });

  it('pages newest first with opaque cursors, without gaps or repeats', async () => {
    const all = await nodes(t);
    const ids = all.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await eventsOf(t, { first: 4, after });
      pages += 1;
      expect(page.edges.length).toBeLessThanOrEqual(4);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges).toHaveLength(4);
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    expect(pages).toBe(Math.ceil(all.length / 4));

    // Filters and pagination together.
    const first = await eventsOf(t, { first: 1, action: 'rollback.requested' });
    const rest = await eventsOf(t, { first: 10, action: 'rollback.requested', after: first.edges[0]!.cursor });
    expect([...first.edges, ...rest.edges].map((e) => e.node.targetId)).toEqual((await nodes(t, { action: 'rollback.requested' })).map((e) => e.targetId));
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a bad cursor and an oversized page', async () => {
    expectError(await t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', after: 'bm9wZQ' }), { code: 'INVALID_CURSOR', status: 400 });
    expectError(await t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', first: 101 }), { code: 'INVALID_PAGE_SIZE', status: 400 });
  });
});

describe('nothing remains of a transaction that rolled back', () => {
  it('a failed review attempt leaves neither the review nor its audit rows', async ({ t }) => {
    const request = await requestTagRollback(t);
    const before = await counts(t);
    // The review and its audit row are written, then the state change fails: all of it rolls back.
    await failWhen(t, 'no_reject', 'rollback_requests', 'UPDATE', "NEW.state = 'REJECTED'");
    expectError(await review(t, 'APPROVER', request.id, 'REJECT', 'bad target'), { code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expect(await counts(t)).toEqual(before);
    expect((await auditRows(t, request.id)).map((r) => r.action)).toEqual(['rollback.requested']);
    await heal(t, 'no_reject');

    // The approver can still review: the rolled-back review does not count as "already reviewed".
    const stored = ok(await t.gql('APPROVER', RollbackRequestDocument, { id: request.id })).rollbackRequest!;
    expect(stored.state).toBe('PENDING');
    expect(stored.reviews).toEqual([]);
    expect(ok(await review(t, 'APPROVER', request.id, 'REJECT')).reviewRollbackRequest.state).toBe('REJECTED');
  });

  it('a change whose audit row cannot be written is not made (policy, break-glass, note)', async ({ t }) => {
    await failWhen(t, 'no_audit', 'audit_events', 'INSERT', '1');
    const before = await counts(t);

    expectError(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'staging', approvalRequired: true, quorum: 4 } }), {
      code: 'INTERNAL_SERVER_ERROR',
      status: 500,
    });
    expectError(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'sev1' } }), {
      code: 'INTERNAL_SERVER_ERROR',
      status: 500,
    });
    const request = await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING));
    expectError(request, { code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expect(await counts(t)).toEqual(before);
    expect(await countRows(t, 'break_glass_sessions')).toBe(0);
    const staging = ok(await t.gql('ADMIN', ProjectDocument, { slug: 'shop' })).project!.approvalPolicies.find((p) => p.environment === 'staging');
    expect(staging).toEqual({ environment: 'staging', approvalRequired: false, quorum: 1, blockSelfApproval: true });
    await heal(t, 'no_audit');

    const completed = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING))).requestRollback;
    await failWhen(t, 'no_note_audit', 'audit_events', 'INSERT', "NEW.action = 'rollback.note_added'");
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: completed.id, note: 'root cause' }), { code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expect(await countRows(t, 'rollback_notes')).toBe(0);
  });

  it('recordAudit inside a transaction that throws leaves no row (domain)', async ({ t }) => {
    const projectId = await shopProjectId(t);
    const before = await countRows(t, 'audit_events');
    await expect(
      t.app.backend.transact(async ({ stores }) => {
        await recordAudit(stores, { projectId, actor: null, action: 'test.action', targetType: 'Test', targetId: 'x', now: new Date() });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await countRows(t, 'audit_events')).toBe(before);
  });
});
