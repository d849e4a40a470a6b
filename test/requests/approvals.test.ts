/** Approval policies and reviews: quorum, one rejection rejects, self-approval blocking, concurrent approvals. */
import { describe, expect } from 'vitest';
import type { TestApp } from '../kit/app';
import { call, expectError, ok } from '../kit/client';
import { SetApprovalPolicyDocument } from '../kit/documents/governance';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { ProjectDocument, TenantEnvironmentDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import {
  EMAIL,
  PROD,
  STAGING,
  auditRows,
  commitMessage,
  counts,
  makeUser,
  requestOf,
  requestTagRollback,
  review,
  rollbackCommitsFor,
  setOrganization,
  stagingTagTarget,
  tagRollback,
} from './helpers';

const setPolicy = (t: TestApp, input: { environment?: string; approvalRequired?: boolean; quorum?: number; blockSelfApproval?: boolean }) =>
  t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, ...input } });

describe('quorum', () => {
  it('with quorum 2, one approval leaves the request pending; the second approves and executes it', async ({ t }) => {
    ok(await setPolicy(t, { quorum: 2 }));
    const request = await requestTagRollback(t);
    expect(request.requiredApprovals).toBe(2);

    const first = ok(await review(t, 'APPROVER', request.id, 'APPROVE', 'looks right')).reviewRollbackRequest;
    expect(first.state).toBe('PENDING');
    expect(first.approvals).toBe(1);
    expect(first.approvedAt).toBeNull();
    expect(rollbackCommitsFor(t, request.id)).toEqual([]);

    const second = ok(await review(t, 'APPROVER2', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(second.state).toBe('COMPLETED');
    expect(second.approvals).toBe(2);
    expect(second.reviews.map((r) => r.reviewer.email).sort()).toEqual([EMAIL.APPROVER, EMAIL.APPROVER2].sort());
    expect(rollbackCommitsFor(t, request.id)).toEqual([second.resultRevision]);
    const approval = commitMessage(t, second.resultRevision!).split('\n').find((l) => l.startsWith('Approval: '));
    expect(approval).toMatch(/^Approval: Approved by \S+, \S+ \(quorum: 2\/2\)$/);
    expect(approval).toContain(EMAIL.APPROVER);
    expect(approval).toContain(EMAIL.APPROVER2);

    const approved = (await auditRows(t, request.id)).filter((r) => r.action === 'rollback.approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]!.details).toMatchObject({ approvals: 2, quorum: 2 });
  });

  it('keeps the quorum a request was made with when the policy changes later', async ({ t }) => {
    ok(await setPolicy(t, { quorum: 2 }));
    const request = await requestTagRollback(t);
    ok(await setPolicy(t, { quorum: 1 }));
    expect(ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('PENDING');
    expect(ok(await review(t, 'ADMIN', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('COMPLETED');
  });

  it('one rejection rejects, even after an approval', async ({ t }) => {
    ok(await setPolicy(t, { quorum: 2 }));
    const request = await requestTagRollback(t);
    ok(await review(t, 'APPROVER', request.id, 'APPROVE'));
    const rejected = ok(await review(t, 'APPROVER2', request.id, 'REJECT', 'the tag is fine, the registry is down')).reviewRollbackRequest;
    expect(rejected.state).toBe('REJECTED');
    expect(rejected.rejectedAt).not.toBeNull();
    expect(rollbackCommitsFor(t, request.id)).toEqual([]);
    expectError(await review(t, 'ADMIN', request.id, 'APPROVE'), { code: 'REQUEST_NOT_PENDING', status: 400, message: 'rollback request is not pending approval' });
    const actions = (await auditRows(t, request.id)).map((r) => r.action);
    expect(actions).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.reviewed', 'rollback.rejected']);
  });

  it('a first rejection rejects at once', async ({ t }) => {
    ok(await setPolicy(t, { quorum: 3 }));
    const request = await requestTagRollback(t);
    expect(ok(await review(t, 'ADMIN', request.id, 'REJECT')).reviewRollbackRequest.state).toBe('REJECTED');
  });
});

describe('self-approval', () => {
  it('is blocked by default', async ({ t }) => {
    const policy = ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, PROD)).tenantEnvironment!.approvalPolicy;
    expect(policy).toEqual({ environment: 'production', approvalRequired: true, quorum: 1, blockSelfApproval: true });
    const request = await requestTagRollback(t, 'APPROVER');
    expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), { code: 'SELF_REVIEW_FORBIDDEN', status: 403 });
  });

  it('is allowed when the policy turns the block off', async ({ t }) => {
    ok(await setPolicy(t, { blockSelfApproval: false }));
    const request = await requestTagRollback(t, 'APPROVER');
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    expect(done.requestedBy.email).toBe(EMAIL.APPROVER);
    expect(commitMessage(t, done.resultRevision!)).toContain(`\nAuthor: ${EMAIL.APPROVER}\nApproval: Approved by ${EMAIL.APPROVER} (quorum: 1/1)\n`);
  });

  it('still counts the requester only once towards the quorum', async ({ t }) => {
    ok(await setPolicy(t, { blockSelfApproval: false, quorum: 2 }));
    const request = await requestTagRollback(t, 'APPROVER');
    expect(ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('PENDING');
    expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), { code: 'ALREADY_REVIEWED', status: 409 });
  });
});

describe('no approval required', () => {
  it('executes a staging request at once; the commit says approval was not required', async ({ t }) => {
    const target = await stagingTagTarget(t);
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(target, STAGING))).requestRollback;
    expect(request.state).toBe('COMPLETED');
    expect(request.approvalRequired).toBe(false);
    expect(request.requiredApprovals).toBe(0);
    expect(request.reviews).toEqual([]);
    expect(commitMessage(t, request.resultRevision!)).toContain('\nApproval: Not required by the environment policy\n');
    expect((await auditRows(t, request.id)).map((r) => r.action)).toEqual(['rollback.requested', 'rollback.executing', 'rollback.completed']);
  });

  it('executes a production request at once after the ADMIN turns approval off', async ({ t }) => {
    ok(await setPolicy(t, { approvalRequired: false }));
    expect((await requestTagRollback(t)).state).toBe('COMPLETED');
  });
});

describe('setApprovalPolicy', () => {
  it('is for ADMINs only', async ({ t }) => {
    const viewer = await makeUser(t, 'VIEWER', 'shop');
    const before = await counts(t);
    for (const role of ['APPROVER', 'DEPLOYER'] as const) {
      expectError(
        await t.gql(role, SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: false } }),
        { code: 'INSUFFICIENT_ROLE', status: 403, message: new RegExp(`requires the ADMIN role in the project \\(you are ${role}\\)`) },
      );
    }
    expectError(
      await call(t, viewer.caller, SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: false } }),
      { code: 'INSUFFICIENT_ROLE', status: 403 },
    );
    expect(await counts(t)).toEqual(before);
  });

  it('stores the policy, shows it on the project and audits before and after', async ({ t }) => {
    const policy = ok(await setPolicy(t, { environment: 'staging', approvalRequired: true, quorum: 3, blockSelfApproval: false })).setApprovalPolicy;
    expect(policy).toEqual({ environment: 'staging', approvalRequired: true, quorum: 3, blockSelfApproval: false });
    const policies = ok(await t.gql('APPROVER', ProjectDocument, { slug: 'shop' })).project!.approvalPolicies;
    expect(policies).toEqual([
      { environment: 'production', approvalRequired: true, quorum: 1, blockSelfApproval: true },
      { environment: 'staging', approvalRequired: true, quorum: 3, blockSelfApproval: false },
    ]);
    const [row] = (await auditRows(t)).filter((r) => r.action === 'approval_policy.updated');
    expect(row!.details).toEqual({
      environment: 'staging',
      before: { approvalRequired: false, quorum: 1, blockSelfApproval: true },
      after: { approvalRequired: true, quorum: 3, blockSelfApproval: false },
    });
    expect(row!.actorUserId).not.toBeNull();
    // A staging request now waits for three approvals.
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING))).requestRollback;
    expect(request.state).toBe('PENDING');
    expect(request.requiredApprovals).toBe(3);
  });

  it.for([0, -1, 11])('refuses quorum %i', async (quorum, { t }) => {
    const before = await counts(t);
    expectError(await setPolicy(t, { quorum }), { code: 'INVALID_QUORUM', status: 400, message: 'quorum must be a whole number from 1 to 10' });
    expect(await counts(t)).toEqual(before);
  });

  it('reports an unknown environment as not found', async ({ t }) => {
    expectError(await setPolicy(t, { environment: 'qa' }), { code: 'NOT_FOUND', status: 404 });
  });

  it('needs the rollback_approval feature flag, checked before anything is written', async ({ t }) => {
    await setOrganization(t, 'ENTERPRISE', ['basic_rollback', 'rollback', 'selective_rollback']);
    const before = await counts(t);
    expectError(await setPolicy(t, { quorum: 2 }), {
      code: 'FEATURE_NOT_ENABLED',
      status: 403,
      message: 'the rollback approval workflow requires the rollback_approval feature flag',
    });
    expect(await counts(t)).toEqual(before);
  });
});

describe('reviewers', () => {
  it('must be APPROVER or above: a DEPLOYER cannot review, an ADMIN can', async ({ t }) => {
    const request = await requestTagRollback(t, 'APPROVER');
    expectError(await review(t, 'DEPLOYER', request.id, 'APPROVE'), {
      code: 'INSUFFICIENT_ROLE',
      status: 403,
      message: 'this operation requires the APPROVER role in the project (you are DEPLOYER)',
    });
    expect((await requestOf(t, request.id)).reviews).toEqual([]);
    expect(ok(await review(t, 'ADMIN', request.id, 'APPROVE')).reviewRollbackRequest.state).toBe('COMPLETED');
  });
});

describe('concurrent double approval', () => {
  it('two approvers approving a quorum-1 request at once execute it exactly once', async ({ t }) => {
    const request = await requestTagRollback(t);
    const headBefore = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const results = await Promise.all([review(t, 'APPROVER', request.id, 'APPROVE'), review(t, 'APPROVER2', request.id, 'APPROVE')]);

    const succeeded = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expectError(refused[0]!, { code: 'REQUEST_NOT_PENDING', status: 400, message: 'rollback request is not pending approval' });
    const done = succeeded[0]!.data!.reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');

    // Exactly one rollback commit, right on top of the head the request was approved on.
    const commits = rollbackCommitsFor(t, request.id);
    expect(commits).toEqual([done.resultRevision]);
    expect(git(t.repoDir, ['rev-list', '--count', `${headBefore}..refs/heads/main`])).toBe('1');

    const stored = await requestOf(t, request.id);
    expect(stored.reviews).toHaveLength(1);
    expect(stored.attempts).toBe(1);
    const actions = (await auditRows(t, request.id)).map((r) => r.action);
    expect(actions.filter((a) => a === 'rollback.executing')).toHaveLength(1);
    expect(actions.filter((a) => a === 'rollback.reviewed')).toHaveLength(1);
  });
});
