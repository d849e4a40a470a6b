/**
 * One approval framework for every protected action (issue 17): releases and promotions to a
 * protected environment wait for approval like rollbacks, break-glass covers all three, the policy
 * fails closed, one request is in flight per scope, and a stale approval fails with its own code.
 */
import { describe, expect } from 'vitest';
import { repairPass } from '../../src/domain/requests/run-execution';
import type { TestApp } from '../kit/app';
import { call, expectError, ok } from '../kit/client';
import { failWhen, heal } from '../kit/db';
import {
  ApprovalRequestDocument,
  ExecuteOwnRequestDocument,
  PendingApprovalsDocument,
  RequestPromotionDocument,
  RequestReleaseDocument,
  RetryApprovalRequestDocument,
  ReviewApprovalRequestDocument,
} from '../kit/documents/approvals';
import { AuditEventsDocument, BreakGlassSessionsDocument, OpenBreakGlassDocument, SetApprovalPolicyDocument } from '../kit/documents/governance';
import { DeployReleaseDocument, PromoteDocument } from '../kit/documents/history';
import { RequestRollbackDocument, RetryDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import {
  API_GATEWAY_VALUES,
  EMAIL,
  PROD,
  STAGING,
  auditRows,
  commitMessage,
  fileAt,
  previousRevision,
  pushWithGitCli,
  requestOf,
  requestTagRollback,
  review,
  rollbackCommitsFor,
  setOrganization,
  tagRollback,
} from './helpers';

const tagRelease = (where: { project: string; tenant: string; environment: string }, service: string, tag: string, description = `${service} ${tag}`) => ({
  input: { ...where, description, services: [{ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: tag }] }] },
});
const head = (t: TestApp) => git(t.repoDir, ['rev-parse', 'refs/heads/main']);
const trailers = (t: TestApp, sha: string) => commitMessage(t, sha).trim().split('\n\n').at(-1)!.split('\n');
const reviewRequest = (t: TestApp, caller: 'APPROVER' | 'APPROVER2' | 'ADMIN' | 'DEPLOYER', id: string, decision: 'APPROVE' | 'REJECT', comment?: string) =>
  call(t, caller, ReviewApprovalRequestDocument, { input: { id, decision, comment } });
const openBreakGlass = async (t: TestApp, role: 'DEPLOYER' | 'ADMIN' = 'DEPLOYER') =>
  ok(await t.gql(role, OpenBreakGlassDocument, { input: { project: 'shop', justification: 'SEV1: checkout down, approvers asleep' } })).openBreakGlassSession;
const PROMOTE_CATALOG = { input: { project: 'shop', tenant: 'acme', fromEnvironment: 'staging', toEnvironment: 'production', service: 'catalog' } };

describe('a release to a protected environment', () => {
  it('is refused by deployRelease with a code naming requestRelease; nothing is written', async ({ t }) => {
    const before = head(t);
    const error = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1')), {
      code: 'APPROVAL_REQUIRED',
      status: 403,
      message: 'env/production requires approval for a release: submit it with requestRelease (or open a break-glass session in an emergency)',
    });
    expect(error.extensions).toMatchObject({ mutation: 'requestRelease', environment: 'production', quorum: 1 });
    expect(head(t)).toBe(before);
  });

  it('waits for approval and commits on approval, with the same commit-metadata discipline', async ({ t }) => {
    const before = head(t);
    const pending = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1', 'payments 1.5.1: retry fix'))).requestRelease;
    expect(pending).toMatchObject({
      __typename: 'ReleaseRequest',
      kind: 'RELEASE',
      state: 'PENDING',
      approvalRequired: true,
      requiredApprovals: 1,
      approvals: 0,
      affectedServices: ['payments'],
      baseRevision: before,
      description: 'payments 1.5.1: retry fix',
      services: [{ service: 'payments', fields: ['values.yaml image.tag'] }],
      requestedBy: { email: EMAIL.DEPLOYER },
      deployment: null,
      resultRevision: null,
    });
    // Everyone who may approve, never the requester.
    expect(pending.eligibleReviewers.map((u) => u.email)).toEqual([EMAIL.ADMIN, EMAIL.APPROVER, EMAIL.APPROVER2].sort());
    expect(head(t)).toBe(before);

    const done = ok(await reviewRequest(t, 'APPROVER', pending.id, 'APPROVE', 'ship it')).reviewApprovalRequest;
    expect(done).toMatchObject({ state: 'COMPLETED', approvals: 1, attempts: 1, error: null, reviews: [{ decision: 'APPROVE', comment: 'ship it', reviewer: { email: EMAIL.APPROVER } }] });
    expect(done.resultRevision).toBe(head(t));
    expect(git(t.repoDir, ['rev-parse', `${done.resultRevision}^`])).toBe(before);
    if (done.__typename !== 'ReleaseRequest') throw new Error('a release request');
    expect(done.deployment).toMatchObject({ revision: done.resultRevision, source: 'RELEASE', status: 'SUCCESS' });

    const message = commitMessage(t, done.resultRevision!);
    expect(message).toMatch(/^Release: tenant\/acme env\/production\n\npayments 1\.5\.1: retry fix\n/);
    expect(trailers(t, done.resultRevision!)).toEqual([
      'Backtrack-Source: RELEASE',
      `Author: ${EMAIL.DEPLOYER}`,
      `Approval: Approved by ${EMAIL.APPROVER} (quorum: 1/1)`,
      `Approval Request ID: ${pending.id}`,
    ]);
    // Authored by the requester, as a rollback commit is.
    expect(git(t.repoDir, ['log', '-1', '--format=%ae', done.resultRevision!])).toBe(EMAIL.DEPLOYER);
    expect(fileAt(t, done.resultRevision!, 'tenants/acme/production/services/payments/values.yaml')).toContain('tag: v1.5.1');

    expect((await auditRows(t, pending.id)).map((r) => r.action)).toEqual([
      'release.requested',
      'release.reviewed',
      'release.approved',
      'release.executing',
      'release.completed',
    ]);
    const deployed = (await auditRows(t)).filter((r) => r.action === 'release.deployed' && r.details.requestId === pending.id);
    expect(deployed).toHaveLength(1);
    expect(deployed[0]!.details).toMatchObject({ revision: done.resultRevision, approval: `Approved by ${EMAIL.APPROVER} (quorum: 1/1)` });
  });

  it('refuses self-approval with the spec\'s 403 naming the release, and keeps the spec\'s other rules', async ({ t }) => {
    ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 2 } }));
    const pending = ok(await t.gql('ADMIN', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease;
    expect(pending.requiredApprovals).toBe(2);
    expect(pending.eligibleReviewers.map((u) => u.email)).toEqual([EMAIL.APPROVER, EMAIL.APPROVER2].sort());
    expectError(await reviewRequest(t, 'ADMIN', pending.id, 'APPROVE'), { code: 'SELF_REVIEW_FORBIDDEN', status: 403, message: 'cannot approve/reject your own release request' });
    expectError(await reviewRequest(t, 'DEPLOYER', pending.id, 'APPROVE'), { code: 'INSUFFICIENT_ROLE', status: 403 });

    expect(ok(await reviewRequest(t, 'APPROVER', pending.id, 'APPROVE')).reviewApprovalRequest).toMatchObject({ state: 'PENDING', approvals: 1 });
    expectError(await reviewRequest(t, 'APPROVER', pending.id, 'APPROVE'), { code: 'ALREADY_REVIEWED', status: 409, message: 'you have already reviewed this release request' });
    const rejected = ok(await reviewRequest(t, 'APPROVER2', pending.id, 'REJECT', 'not during the freeze')).reviewApprovalRequest;
    expect(rejected.state).toBe('REJECTED');
    expectError(await reviewRequest(t, 'APPROVER2', pending.id, 'APPROVE'), { code: 'REQUEST_NOT_PENDING', status: 400, message: 'release request is not pending approval' });
    expect(git(t.repoDir, ['log', '--format=%H', '--fixed-strings', `--grep=Approval Request ID: ${pending.id}`, 'refs/heads/main'])).toBe('');
  });

  it('on an environment that needs no approval, deployRelease works as before and requestRelease commits at once', async ({ t }) => {
    const plain = ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'payments', 'v1.5.1'))).deployRelease;
    expect(plain).toMatchObject({ source: 'RELEASE', status: 'SUCCESS' });
    expect(trailers(t, plain.revision)).toEqual(['Backtrack-Source: RELEASE', `Author: ${EMAIL.DEPLOYER}`]);

    const request = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(STAGING, 'payments', 'v1.5.2'))).requestRelease;
    expect(request).toMatchObject({ state: 'COMPLETED', approvalRequired: false, requiredApprovals: 0 });
    expect(trailers(t, request.resultRevision!)).toContain('Approval: Not required by the environment policy');
  });
});

describe('a promotion into a protected environment', () => {
  it('is refused by promote, waits as a request and commits the promotion on approval', async ({ t }) => {
    const before = head(t);
    expectError(await t.gql('DEPLOYER', PromoteDocument, PROMOTE_CATALOG), {
      code: 'APPROVAL_REQUIRED',
      status: 403,
      message: 'env/production requires approval for a promotion: submit it with requestPromotion (or open a break-glass session in an emergency)',
    });
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'catalog', 'v5.2.0')));
    const pending = ok(await t.gql('DEPLOYER', RequestPromotionDocument, PROMOTE_CATALOG)).requestPromotion;
    expect(pending).toMatchObject({ __typename: 'PromotionRequest', kind: 'PROMOTION', state: 'PENDING', fromEnvironment: 'staging', affectedServices: ['catalog'] });
    expectError(await reviewRequest(t, 'DEPLOYER', pending.id, 'APPROVE'), { code: 'INSUFFICIENT_ROLE', status: 403 });

    const done = ok(await reviewRequest(t, 'APPROVER', pending.id, 'APPROVE')).reviewApprovalRequest;
    expect(done.state).toBe('COMPLETED');
    expect(head(t)).not.toBe(before);
    expect(fileAt(t, done.resultRevision!, 'tenants/acme/production/services/catalog/values.yaml')).toBe(
      fileAt(t, done.resultRevision!, 'tenants/acme/staging/services/catalog/values.yaml'),
    );
    expect(trailers(t, done.resultRevision!)).toEqual([
      'From: tenant/acme env/staging',
      'Services: catalog',
      'Backtrack-Source: PROMOTION',
      `Author: ${EMAIL.DEPLOYER}`,
      `Approval: Approved by ${EMAIL.APPROVER} (quorum: 1/1)`,
      `Approval Request ID: ${pending.id}`,
    ]);
    if (done.__typename !== 'PromotionRequest') throw new Error('a promotion request');
    expect(done.deployment).toMatchObject({ source: 'PROMOTION', revision: done.resultRevision });
    expect((await auditRows(t, pending.id)).map((r) => r.action)).toEqual([
      'promotion.requested',
      'promotion.reviewed',
      'promotion.approved',
      'promotion.executing',
      'promotion.completed',
    ]);
  });
});

describe('break-glass for every protected action', () => {
  it('lets deployRelease and promote commit at once, flagged in the audit trail and listed under the session', async ({ t }) => {
    const session = await openBreakGlass(t);
    const released = ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.0', 'revert the bad tag'))).deployRelease;
    expect(released.revision).toBe(head(t));
    const approval = `Approval: Bypassed by break-glass session ${session.id} (${EMAIL.DEPLOYER}: SEV1: checkout down, approvers asleep)`;
    expect(trailers(t, released.revision)).toEqual(['Backtrack-Source: RELEASE', `Author: ${EMAIL.DEPLOYER}`, approval]);
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'catalog', 'v5.2.0')));
    const promoted = ok(await t.gql('DEPLOYER', PromoteDocument, PROMOTE_CATALOG)).promote;
    expect(trailers(t, promoted.revision)).toContain(approval);

    const flagged = ok(await t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', breakGlassOnly: true })).project!.auditEvents.edges.map((e) => e.node);
    // Every action under the session is flagged: the staging release too.
    expect(flagged.filter((e) => e.targetId === released.id || e.targetId === promoted.id).map((e) => e.action).sort()).toEqual(['promotion.deployed', 'release.deployed']);
    const [listed] = ok(await t.gql('APPROVER', BreakGlassSessionsDocument, { slug: 'shop', activeOnly: true })).project!.breakGlassSessions;
    expect(listed!.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['break_glass.opened', 'release.deployed', 'promotion.deployed']));
  });

  it('executes requestRelease at once, flagged with the session', async ({ t }) => {
    const session = await openBreakGlass(t);
    const request = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease;
    expect(request).toMatchObject({ state: 'COMPLETED', approvalRequired: true, approvals: 0, breakGlassSession: { id: session.id } });
    expect(trailers(t, request.resultRevision!)).toContain(`Approval Request ID: ${request.id}`);
    const [requested] = (await auditRows(t, request.id)).filter((r) => r.action === 'release.requested');
    expect(requested!.breakGlassSessionId).toBe(session.id);
    expect(requested!.details).toMatchObject({ approval: 'bypassed by break-glass' });
  });

  it('lets the requester execute their own PENDING release or rollback under a session opened later', async ({ t }) => {
    const release = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease;
    const rollback = await requestTagRollback(t);
    expect([release.state, rollback.state]).toEqual(['PENDING', 'PENDING']);
    expectError(await call(t, 'DEPLOYER', ExecuteOwnRequestDocument, { id: release.id }), {
      code: 'BREAK_GLASS_NOT_ACTIVE',
      status: 400,
      message: 'no break-glass session is open for you in this project: open one first',
    });
    // Someone else's request is not theirs to push through.
    await openBreakGlass(t, 'ADMIN');
    expectError(await call(t, 'ADMIN', ExecuteOwnRequestDocument, { id: release.id }), { code: 'NOT_YOUR_REQUEST', status: 400 });

    const session = await openBreakGlass(t);
    const released = ok(await call(t, 'DEPLOYER', ExecuteOwnRequestDocument, { id: release.id })).executeOwnRequestUnderBreakGlass;
    expect(released).toMatchObject({ state: 'COMPLETED', breakGlassSession: { id: session.id } });
    expect(trailers(t, released.resultRevision!)).toContain(`Approval: Bypassed by break-glass session ${session.id} (${EMAIL.DEPLOYER}: SEV1: checkout down, approvers asleep)`);
    const rolledBack = ok(await call(t, 'DEPLOYER', ExecuteOwnRequestDocument, { id: rollback.id })).executeOwnRequestUnderBreakGlass;
    expect(rolledBack).toMatchObject({ __typename: 'RollbackRequest', kind: 'ROLLBACK', state: 'COMPLETED', breakGlassSession: { id: session.id } });
    expect(rollbackCommitsFor(t, rollback.id)).toEqual([rolledBack.resultRevision]);

    for (const id of [release.id, rollback.id]) {
      const approved = (await auditRows(t, id)).find((r) => r.action.endsWith('.approved'))!;
      expect(approved.breakGlassSessionId).toBe(session.id);
      expect(approved.details).toMatchObject({ approval: 'bypassed by break-glass' });
    }
    expectError(await call(t, 'DEPLOYER', ExecuteOwnRequestDocument, { id: release.id }), { code: 'REQUEST_NOT_PENDING', status: 400, message: 'release request is not pending approval' });
  });
});

describe('fail closed', () => {
  it('without rollback_approval, an environment that requires approval still holds rollbacks and releases for approval', async ({ t }) => {
    await setOrganization(t, 'ENTERPRISE', ['basic_rollback', 'rollback', 'selective_rollback']);
    const policy = ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, PROD)).tenantEnvironment!.approvalPolicy;
    expect(policy).toMatchObject({ approvalRequired: true, quorum: 1, blockSelfApproval: true });
    const rollback = await requestTagRollback(t);
    expect(rollback).toMatchObject({ state: 'PENDING', approvalRequired: true });
    expect(rollbackCommitsFor(t, rollback.id)).toEqual([]);
    expect(ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease.state).toBe('PENDING');
    // The approvers can still decide.
    expect(ok(await review(t, 'APPROVER', rollback.id, 'APPROVE')).reviewRollbackRequest.state).toBe('COMPLETED');
  });
});

describe('one request in flight per scope', () => {
  it('refuses an overlapping request naming the one in flight, of any kind; other scopes and finished requests do not count', async ({ t }) => {
    const first = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.0'))).requestRelease;
    const conflict = expectError(await t.gql('ADMIN', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.2')), {
      code: 'REQUEST_IN_FLIGHT',
      status: 409,
      message: `release request ${first.id} (pending) already covers this scope of the tenant-environment; review, finish or reject it first`,
    });
    expect(conflict.extensions).toMatchObject({ existingRequestId: first.id, existingKind: 'RELEASE', existingState: 'PENDING' });
    // A rollback of the same service overlaps too.
    const rollback = expectError(await call(t, 'DEPLOYER', RequestRollbackDocument, tagRollback(await previousRevision(t))), { code: 'REQUEST_IN_FLIGHT', status: 409 });
    expect(rollback.extensions.existingRequestId).toBe(first.id);
    // Another service, or another tenant-environment, is another scope.
    expect(ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease.state).toBe('PENDING');
    expect(ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease({ ...PROD, tenant: 'globex' }, 'api-gateway', 'v2.1.0'))).requestRelease.state).toBe('PENDING');
    // Environment fields cover the whole tenant-environment.
    expectError(await t.gql('DEPLOYER', RequestReleaseDocument, { input: { ...PROD, environmentFields: [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'json' }] } }), {
      code: 'REQUEST_IN_FLIGHT',
      status: 409,
    });
    ok(await reviewRequest(t, 'APPROVER', first.id, 'REJECT'));
    expect(ok(await t.gql('ADMIN', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.2'))).requestRelease.state).toBe('PENDING');
  });
});

describe('a stale approval', () => {
  it('ends FAILED with PLAN_NO_LONGER_APPLIES (not a 500 NOTHING_TO_ROLL_BACK), saying what changed, and cannot be retried', async ({ t }) => {
    const rollback = await requestTagRollback(t);
    // Another tool fixes the tag by hand before anyone approves.
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.0'));
    const error = expectError(await review(t, 'APPROVER', rollback.id, 'APPROVE'), { code: 'PLAN_NO_LONGER_APPLIES', status: 409 });
    expect(error.message).toMatch(/^the approved rollback no longer applies: later commits on main \(requested on [0-9a-f]{7}\) already brought the tenant-environment to this state/);
    expect(error.extensions).toMatchObject({ requestId: rollback.id, state: 'FAILED', kind: 'ROLLBACK', causeCode: 'PLAN_NO_LONGER_APPLIES' });
    expect(await requestOf(t, rollback.id)).toMatchObject({ state: 'FAILED', errorCode: 'PLAN_NO_LONGER_APPLIES' });
    expectError(await t.gql('DEPLOYER', RetryDocument, { id: rollback.id }), { code: 'PLAN_NO_LONGER_APPLIES', status: 409 });
    expect(rollbackCommitsFor(t, rollback.id)).toEqual([]);
    // FAILED is not in flight: a new request of the same scope is allowed.
    ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.2')));
  });

  it('a release whose edits main already has fails the same way', async ({ t }) => {
    const release = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.0'))).requestRelease;
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.0'));
    expectError(await reviewRequest(t, 'APPROVER', release.id, 'APPROVE'), { code: 'PLAN_NO_LONGER_APPLIES', status: 409 });
    expect(ok(await t.gql('DEPLOYER', ApprovalRequestDocument, { id: release.id })).approvalRequest).toMatchObject({ state: 'FAILED', errorCode: 'PLAN_NO_LONGER_APPLIES' });
    expectError(await t.gql('DEPLOYER', RetryApprovalRequestDocument, { id: release.id }), { code: 'PLAN_NO_LONGER_APPLIES', status: 409 });
  });
});

describe('crash recovery of release and promotion requests', () => {
  const releaseCommitsFor = (t: TestApp, id: string) =>
    git(t.repoDir, ['log', '--format=%H', '--fixed-strings', `--grep=Approval Request ID: ${id}`, 'refs/heads/main']).split('\n').filter(Boolean);

  it('a release left EXECUTING whose commit landed completes with it; one whose commit never landed fails EXECUTION_INTERRUPTED and retries', async ({ t }) => {
    // Landed: completing it could not be stored (the process died right after the commit).
    const landed = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'payments', 'v1.5.1'))).requestRelease;
    await failWhen(t, 'no_complete', 'change_requests', 'UPDATE', "NEW.state = 'COMPLETED'");
    expectError(await reviewRequest(t, 'APPROVER', landed.id, 'APPROVE'), { code: 'INTERNAL_SERVER_ERROR', status: 500 });
    await heal(t, 'no_complete');
    const commits = releaseCommitsFor(t, landed.id);
    expect(commits).toHaveLength(1);
    expect(ok(await t.gql('DEPLOYER', ApprovalRequestDocument, { id: landed.id })).approvalRequest).toMatchObject({ state: 'EXECUTING', failedAt: null });

    // Never landed: left APPROVED, as by a restart between the approval and the execution.
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, tagRelease(STAGING, 'catalog', 'v5.2.0')));
    const interrupted = ok(await t.gql('DEPLOYER', RequestPromotionDocument, PROMOTE_CATALOG)).requestPromotion;
    await t.app.backend.transact(({ stores }) => stores.changeRequests.transition(interrupted.id, 'PENDING', { state: 'APPROVED', approvedAt: new Date() }));

    const { reconciled, errors } = await repairPass(t.app.backend);
    expect(errors).toEqual([]);
    expect(reconciled).toEqual(expect.arrayContaining([{ id: landed.id, state: 'COMPLETED' }, { id: interrupted.id, state: 'FAILED' }]));
    expect(ok(await t.gql('DEPLOYER', ApprovalRequestDocument, { id: landed.id })).approvalRequest).toMatchObject({ state: 'COMPLETED', resultRevision: commits[0] });
    expect(releaseCommitsFor(t, landed.id)).toEqual(commits);
    expect(ok(await t.gql('DEPLOYER', ApprovalRequestDocument, { id: interrupted.id })).approvalRequest).toMatchObject({
      state: 'FAILED',
      errorCode: 'EXECUTION_INTERRUPTED',
      resultRevision: null,
    });
    expect(releaseCommitsFor(t, interrupted.id)).toEqual([]);

    const retried = ok(await t.gql('DEPLOYER', RetryApprovalRequestDocument, { id: interrupted.id })).retryApprovalRequestExecution;
    expect(retried).toMatchObject({ state: 'COMPLETED', attempts: 1 });
    expect(releaseCommitsFor(t, interrupted.id)).toEqual([retried.resultRevision]);
    expect((await auditRows(t, interrupted.id)).map((r) => r.action)).toEqual([
      'promotion.requested',
      'promotion.executing',
      'promotion.failed',
      'promotion.executing',
      'promotion.completed',
    ]);
  });
});

describe('one shape for execution failures', () => {
  it('a release request naming a field that does not exist is refused when it is made, before anyone approves it; nothing is filed', async ({ t }) => {
    const input = { ...PROD, services: [{ service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.nosuchfield', value: 'x' }] }] };
    const before = head(t);
    expectError(await t.gql('DEPLOYER', RequestReleaseDocument, { input }), { code: 'FIELD_NOT_FOUND', status: 400 });
    const noService = { ...PROD, services: [{ service: 'nosuchservice', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'x' }] }] };
    expectError(await t.gql('DEPLOYER', RequestReleaseDocument, { input: noService }), { code: 'NOT_FOUND', status: 404 });
    expectError(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.1-rc0')), { code: 'NOTHING_TO_CHANGE', status: 400 });
    expect(ok(await t.gql('APPROVER', PendingApprovalsDocument, { slug: 'shop' })).project!.pendingApprovals).toEqual([]);
    expect(head(t)).toBe(before);
  });

  it('a request that needed no approval and fails to execute: REQUEST_EXECUTION_FAILED with the request id, state and cause code, never "approval saved"', async ({ t }) => {
    // Valid when made; the file it replaces is not YAML, which only writing the commit finds.
    const input = { ...STAGING, services: [{ service: 'payments', replaceFiles: [{ file: 'values.yaml', content: 'image: [unclosed\n' }] }] };
    const error = expectError(await t.gql('DEPLOYER', RequestReleaseDocument, { input }), { code: 'REQUEST_EXECUTION_FAILED', status: 500 });
    expect(error.message).toMatch(/^release execution failed: /);
    expect(error.extensions).toMatchObject({ state: 'FAILED', kind: 'RELEASE' });
    const causeCode = error.extensions.causeCode;
    expect(typeof causeCode).toBe('string');
    const id = String(error.extensions.requestId);
    expect(ok(await t.gql('DEPLOYER', ApprovalRequestDocument, { id })).approvalRequest).toMatchObject({ state: 'FAILED', errorCode: causeCode, approvalRequired: false });
    // Its retry fails the same way, in the same shape.
    const again = expectError(await t.gql('DEPLOYER', RetryApprovalRequestDocument, { id }), { code: 'REQUEST_EXECUTION_FAILED', status: 500 });
    expect(again.extensions).toMatchObject({ requestId: id, state: 'FAILED', kind: 'RELEASE', causeCode });
  });

  it('an approval that makes a release execute and fail: 500 approval saved but release execution failed, same extensions', async ({ t }) => {
    const pending = ok(await t.gql('DEPLOYER', RequestReleaseDocument, tagRelease(PROD, 'api-gateway', 'v2.1.5'))).requestRelease;
    // Another tool replaces the tag by a digest before the approval: the field the release edits is gone.
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'digest: sha256:0f0f'));
    const error = expectError(await reviewRequest(t, 'APPROVER', pending.id, 'APPROVE'), {
      code: 'APPROVAL_SAVED_EXECUTION_FAILED',
      status: 500,
      message: 'approval saved but release execution failed',
    });
    expect(error.extensions).toMatchObject({ requestId: pending.id, state: 'FAILED', kind: 'RELEASE', causeCode: 'FIELD_NOT_FOUND' });
  });
});
