/** The approval queue: every request awaiting review in a project, of every kind, oldest first, with who may review it. */
import type { Actor } from '../actor';
import { canReadProjectWide, canReadRecord, requireRole, roleRank } from '../access';
import { recordAudit } from '../audit';
import { BadRequestError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { boundedText } from '../input-limits';
import type { ChangeRequest, DeploymentNote, Project, RequestState, RollbackRequest, TenantEnvironment, User } from '../model';
import type { Backend } from '../ports';

export type AwaitingReview = RollbackRequest | ChangeRequest;

export function isChangeRequest(request: AwaitingReview): request is ChangeRequest {
  return 'kind' in request;
}

export async function pendingApprovalsOf(backend: Backend, actor: Actor | null, project: Project): Promise<AwaitingReview[]> {
  if (!canReadProjectWide(actor, project.id)) return [];
  const rollbacks = await backend.stores.requests.inStates(['PENDING'], project.id);
  const changes = await backend.stores.changeRequests.inStates(['PENDING'], project.id);
  return [...rollbacks, ...changes]
    .filter((request) => canReadRecord(actor, request))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

export type ApprovalKind = 'RELEASE' | 'PROMOTION' | 'ROLLBACK';

/** Every protected action in one tenant-environment, of the given kinds and states, newest first. */
export async function approvalRequestsOf(
  backend: Backend,
  actor: Actor | null,
  tenantEnvironment: TenantEnvironment,
  filter: { states: RequestState[] | null; kinds: ApprovalKind[] | null },
): Promise<AwaitingReview[]> {
  const wants = (kind: ApprovalKind) => filter.kinds === null || filter.kinds.includes(kind);
  const rollbacks = wants('ROLLBACK') ? await backend.stores.requests.ofTenantEnvironment(tenantEnvironment.id, filter.states) : [];
  const changes = wants('RELEASE') || wants('PROMOTION') ? await backend.stores.changeRequests.ofTenantEnvironment(tenantEnvironment.id, filter.states) : [];
  return [...rollbacks, ...changes.filter((request) => wants(request.kind))]
    .filter((request) => canReadRecord(actor, request))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
}

/**
 * Who may still review the request: APPROVERs and ADMINs of the project, except the requester when
 * the environment blocks self-approval, and except those who reviewed it already.
 */
export async function eligibleReviewersOf(backend: Backend, request: AwaitingReview): Promise<User[]> {
  if (request.state !== 'PENDING') return [];
  const tenantEnvironment = (await backend.stores.tenantEnvironments.byIds([request.tenantEnvironmentId]))[0];
  const blockSelf = tenantEnvironment?.environment.blockSelfApproval ?? true;
  const reviews = isChangeRequest(request) ? backend.stores.changeReviews : backend.stores.reviews;
  const [reviewed] = await reviews.ofRequests([request.id]);
  const done = new Set(reviewed!.map((review) => review.reviewerId));
  const members = (await backend.stores.memberships.ofProject(request.projectId)).filter(
    (m) => roleRank(m.role) >= roleRank('APPROVER') && !done.has(m.userId) && !(blockSelf && m.userId === request.requestedById),
  );
  const users = await backend.stores.users.byIds(members.map((m) => m.userId));
  return users.filter((user): user is User => user !== null).sort((a, b) => a.email.localeCompare(b.email));
}

/** A post-incident note on any deployment, with an optional root cause and corrective actions; audited. */
export async function addDeploymentNote(
  backend: Backend,
  actor: Actor | null,
  input: { deploymentId: string; note: string; rootCause?: string | null; correctiveActions?: string[] | null },
): Promise<DeploymentNote> {
  const [deployment] = await backend.stores.deployments.byIds([input.deploymentId]);
  if (!deployment || !canReadRecord(actor, deployment)) throw new NotFoundError(`deployment ${input.deploymentId}`);
  const user = requireRole(actor, deployment.projectId, 'DEPLOYER', 'deployment');
  const note = boundedText(input.note, 'note');
  if (!note) throw new BadRequestError('NOTE_REQUIRED', 'note cannot be empty');
  const rootCause = boundedText(input.rootCause, 'note');
  const correctiveActions = (input.correctiveActions ?? []).map((action) => boundedText(action, 'note')).filter((a): a is string => !!a);
  const row: DeploymentNote = { id: newId('dnote'), deploymentId: deployment.id, authorId: user.user.id, note, rootCause, correctiveActions, createdAt: backend.now() };
  await backend.transact(async ({ stores }) => {
    await stores.deploymentNotes.insert(row);
    await recordAudit(stores, {
      projectId: deployment.projectId,
      actor: user,
      action: 'deployment.note_added',
      targetType: 'Deployment',
      targetId: deployment.id,
      tenantEnvironmentId: deployment.tenantEnvironmentId,
      details: { revision: deployment.revision, note, rootCause, correctiveActions },
      now: row.createdAt,
    });
  });
  return row;
}
