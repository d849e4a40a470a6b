/**
 * The approval rules of reviewRollbackRequest and setApprovalPolicy, on the memory backend: quorum
 * from the environment policy, no self-approval, one review per reviewer, a rejection ends the
 * request, APPROVER or higher only. Requests are stored as requestRollback stores them (its preview
 * needs Git); an approval that meets the quorum hands the request to execution, which needs Git and
 * so fails here: the tests check that the approval was decided and saved before that.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { UserActor } from '../../src/domain/actor';
import type { RollbackRequest } from '../../src/domain/model';
import { MAX_QUORUM, setApprovalPolicy } from '../../src/domain/requests/approval-policy';
import { MESSAGES, reviewRollbackRequest } from '../../src/domain/requests/rollback-requests';
import { createMemoryBackend, seedWorkspace, type MemoryBackend, type Workspace } from '../kit/memory-backend';

let m: MemoryBackend;
let ws: Workspace;
let dana: UserActor;
let alex: UserActor;
let blake: UserActor;

beforeEach(async () => {
  m = createMemoryBackend();
  ws = await seedWorkspace(m);
  dana = await ws.user('dana', 'DEPLOYER');
  alex = await ws.user('alex', 'APPROVER');
  blake = await ws.user('blake', 'APPROVER');
});

const approve = (actor: UserActor, request: RollbackRequest) => reviewRollbackRequest(m.backend, actor, { id: request.id, decision: 'APPROVE' });
const reject = (actor: UserActor, request: RollbackRequest, comment?: string) =>
  reviewRollbackRequest(m.backend, actor, { id: request.id, decision: 'REJECT', comment });
const stored = async (request: RollbackRequest) => (await m.stores.requests.byId(request.id))!;
const reviewsOf = async (request: RollbackRequest) => (await m.stores.reviews.ofRequests([request.id]))[0]!;
const actions = async () => (await m.stores.audit.list(ws.projectId, {}, { limit: 100, beforeId: null })).map((event) => event.action).reverse();

/** The approval that meets the quorum: saved (APPROVED, audited), then handed to execution, which needs Git. */
async function expectQuorumMet(actor: UserActor, request: RollbackRequest, approvals: number) {
  await expect(approve(actor, request)).rejects.toMatchObject({ code: 'APPROVAL_SAVED_EXECUTION_FAILED' });
  const approved = (await m.stores.audit.list(ws.projectId, { action: 'rollback.approved' }, { limit: 10, beforeId: null }))[0];
  expect(approved?.details).toMatchObject({ approvals, quorum: request.requiredApprovals });
  expect((await stored(request)).approvedAt).toEqual(m.clock.now());
  expect(await actions()).toEqual(expect.arrayContaining(['rollback.approved', 'rollback.executing', 'rollback.failed']));
}

describe('quorum', () => {
  it('a quorum of 1: the first approval approves', async () => {
    const request = await ws.pendingRequest(dana);
    expect(request.requiredApprovals).toBe(1);
    await expectQuorumMet(alex, request, 1);
  });

  it('a quorum of N takes N approvals from different reviewers; until then the request stays PENDING', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 3, blockSelfApproval: true });
    const request = await ws.pendingRequest(dana);
    expect(request.requiredApprovals).toBe(3);
    const first = await approve(alex, request);
    expect(first.state).toBe('PENDING');
    expect((await approve(blake, request)).state).toBe('PENDING');
    expect(await reviewsOf(request)).toHaveLength(2);
    expect((await stored(request)).approvedAt).toBeNull();
    await expectQuorumMet(await ws.user('casey', 'ADMIN'), request, 3);
  });

  it('the quorum is the one the request was made under, not the policy set since', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 2, blockSelfApproval: true });
    const request = await ws.pendingRequest(dana);
    await ws.setPolicy({ approvalRequired: true, quorum: 1, blockSelfApproval: true });
    expect((await approve(alex, request)).state).toBe('PENDING');
    await expectQuorumMet(blake, request, 2);
  });

  it('each review is stored, audited and published after its transaction', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 2, blockSelfApproval: true });
    const request = await ws.pendingRequest(dana);
    await reviewRollbackRequest(m.backend, alex, { id: request.id, decision: 'APPROVE', comment: '  looks right ' });
    expect(await reviewsOf(request)).toMatchObject([{ reviewerId: alex.user.id, decision: 'APPROVE', comment: 'looks right' }]);
    expect(await actions()).toEqual(['rollback.reviewed']);
    expect(m.events).toMatchObject([{ type: 'rollbackRequestUpdated', change: 'REVIEWED', requestId: request.id }]);
  });
});

describe('self-approval', () => {
  it('is refused while the policy blocks it, even for an ADMIN, and stores nothing', async () => {
    const ada = await ws.user('ada', 'ADMIN');
    const request = await ws.pendingRequest(ada);
    await expect(approve(ada, request)).rejects.toMatchObject({ code: 'SELF_REVIEW_FORBIDDEN', message: MESSAGES.selfReview });
    await expect(reject(ada, request)).rejects.toMatchObject({ code: 'SELF_REVIEW_FORBIDDEN' });
    expect(await reviewsOf(request)).toEqual([]);
    expect(await actions()).toEqual([]);
    expect(m.events).toEqual([]);
    expect((await stored(request)).state).toBe('PENDING');
  });

  it('counts when the policy allows it', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 1, blockSelfApproval: false });
    const ada = await ws.user('ada', 'ADMIN');
    await expectQuorumMet(ada, await ws.pendingRequest(ada), 1);
  });
});

describe('one review per reviewer', () => {
  it('a reviewer cannot approve twice, nor reject after approving', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 2, blockSelfApproval: true });
    const request = await ws.pendingRequest(dana);
    await approve(alex, request);
    await expect(approve(alex, request)).rejects.toMatchObject({ code: 'ALREADY_REVIEWED', message: MESSAGES.alreadyReviewed });
    await expect(reject(alex, request)).rejects.toMatchObject({ code: 'ALREADY_REVIEWED' });
    expect(await reviewsOf(request)).toHaveLength(1);
    expect((await stored(request)).state).toBe('PENDING');
  });
});

describe('rejection', () => {
  it('one rejection ends the request, whatever the quorum; later reviews are refused', async () => {
    await ws.setPolicy({ approvalRequired: true, quorum: 2, blockSelfApproval: true });
    const request = await ws.pendingRequest(dana);
    await approve(alex, request);
    m.clock.advance(60_000);
    const rejected = await reject(blake, request, 'wrong target');
    expect(rejected).toMatchObject({ state: 'REJECTED', rejectedAt: m.clock.now(), approvedAt: null });
    expect(await actions()).toEqual(['rollback.reviewed', 'rollback.reviewed', 'rollback.rejected']);
    expect(m.events.map((event) => event.type === 'rollbackRequestUpdated' && event.change)).toEqual(['REVIEWED', 'REVIEWED', 'STATE_CHANGED']);
    const casey = await ws.user('casey', 'APPROVER');
    await expect(approve(casey, request)).rejects.toMatchObject({ code: 'REQUEST_NOT_PENDING', message: MESSAGES.notPending, details: { state: 'REJECTED' } });
    expect(await reviewsOf(request)).toHaveLength(2);
  });
});

describe('who may review', () => {
  it('APPROVER or higher: a DEPLOYER or VIEWER is forbidden, a user without a role gets not found', async () => {
    const request = await ws.pendingRequest(dana);
    const other = await ws.user('devon', 'DEPLOYER');
    await expect(approve(other, request)).rejects.toMatchObject({ code: 'INSUFFICIENT_ROLE', details: { requiredRole: 'APPROVER', role: 'DEPLOYER' } });
    await expect(approve(await ws.user('vic', 'VIEWER'), request)).rejects.toMatchObject({ code: 'INSUFFICIENT_ROLE' });
    await expect(approve(await ws.user('stranger', null), request)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(reviewRollbackRequest(m.backend, null, { id: request.id, decision: 'APPROVE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await reviewsOf(request)).toEqual([]);
  });
});

describe('setApprovalPolicy', () => {
  it('an ADMIN sets quorum and self-approval blocking (default on), audited with before and after', async () => {
    const ada = await ws.user('ada', 'ADMIN');
    const updated = await setApprovalPolicy(m.backend, ada, { project: 'shop', environment: 'production', approvalRequired: true, quorum: 2 });
    expect(updated).toMatchObject({ approvalRequired: true, quorum: 2, blockSelfApproval: true });
    const [event] = await m.stores.audit.list(ws.projectId, {}, { limit: 1, beforeId: null });
    expect(event).toMatchObject({ action: 'approval_policy.updated', details: { before: { quorum: 1 }, after: { quorum: 2 } } });
    expect((await ws.pendingRequest(dana)).requiredApprovals).toBe(2);
  });

  it.each([0, MAX_QUORUM + 1, 1.5, -1])('refuses a quorum of %s', async (quorum) => {
    const ada = await ws.user('ada', 'ADMIN');
    await expect(setApprovalPolicy(m.backend, ada, { project: 'shop', environment: 'production', approvalRequired: true, quorum })).rejects.toMatchObject({
      code: 'INVALID_QUORUM',
    });
  });

  it('only an ADMIN; and only with the rollback_approval flag', async () => {
    await expect(setApprovalPolicy(m.backend, alex, { project: 'shop', environment: 'production', approvalRequired: false })).rejects.toMatchObject({
      code: 'INSUFFICIENT_ROLE',
    });
    const other = createMemoryBackend();
    const unflagged = await seedWorkspace(other, { featureFlags: ['basic_rollback', 'rollback'] });
    const admin = await unflagged.user('ada', 'ADMIN');
    await expect(setApprovalPolicy(other.backend, admin, { project: 'shop', environment: 'production', approvalRequired: true })).rejects.toMatchObject({
      code: 'FEATURE_NOT_ENABLED',
    });
  });
});
