/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The protected actions an environment approval policy governs. */
export type ApprovalAction =
  | 'PROMOTION'
  | 'RELEASE'
  | 'ROLLBACK';

export type BreakGlassInput = {
  /** Defaults to 60; capped by BREAK_GLASS_MAX_MINUTES. */
  durationMinutes?: number | null | undefined;
  justification: string;
  project: string;
};

export type ChangeKind =
  | 'ADDED'
  | 'MODIFIED'
  | 'REMOVED';

export type DeploymentSource =
  | 'PROMOTION'
  | 'RELEASE'
  | 'ROLLBACK';

export type DeploymentStatus =
  | 'FAILED'
  | 'ROLLED_BACK'
  | 'SUCCESS';

export type Health =
  | 'DEGRADED'
  | 'HEALTHY'
  | 'MISSING'
  | 'PROGRESSING';

export type RequestRollbackInput = {
  /** Required: why the rollback is needed. */
  justification?: string | null | undefined;
  /** From previewRollback: refuse if the plan has changed since. */
  previewHash?: string | null | undefined;
  rollback: RollbackInput;
};

export type ReviewDecision =
  | 'APPROVE'
  | 'REJECT';

export type ReviewInput = {
  comment?: string | null | undefined;
  decision: ReviewDecision;
  id: string | number;
};

export type Role =
  | 'ADMIN'
  | 'APPROVER'
  | 'DEPLOYER'
  | 'VIEWER';

export type RollbackInput = {
  environment: string;
  /** FIELD mode: the fields to revert. */
  fields?: Array<SelectedFieldInput> | null | undefined;
  mode: RollbackMode;
  project: string;
  /** Required for SERVICE and FIELD modes. */
  service?: string | null | undefined;
  /** The revision to roll back to (full or abbreviated SHA). */
  targetSha?: string | null | undefined;
  tenant: string;
};

export type RollbackMode =
  | 'FIELD'
  | 'FULL'
  | 'SERVICE';

export type RollbackRequestChange =
  | 'CREATED'
  | 'NOTE_ADDED'
  | 'REVIEWED'
  | 'STATE_CHANGED';

export type RollbackRequestState =
  | 'APPROVED'
  | 'COMPLETED'
  | 'EXECUTING'
  | 'FAILED'
  | 'PENDING'
  | 'REJECTED';

export type SelectedFieldInput = {
  /** `values.yaml`, `bindings.yaml` (the service's own) or `variables.yaml` (its `services.<name>` keys). */
  file?: string | null | undefined;
  /** YAML path, e.g. `image.tag`. */
  path: string;
};

export type IncidentViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type IncidentViewerQuery = { viewer: { id: string, name: string, email: string, projectRoles: Array<{ role: Role, project: { id: string, slug: string, name: string, tenantEnvironments: Array<{ id: string, tenant: string, environment: string }> } }> } };

export type IncidentSyncStatusFragment = { id: string, agentReachable: boolean, lastSeenAt: string | null, health: Health | null, headRevision: string | null, syncedRevision: string | null, syncedHead: boolean, pendingSyncRollbacks: Array<string>, message: string };

export type IncidentDeploymentRowFragment = { id: string, revision: string, shortRevision: string, timestamp: string, changes: Array<string>, source: DeploymentSource, status: DeploymentStatus, author: { name: string, email: string } };

export type IncidentRunningNowQueryVariables = Exact<{
  project: string;
  tenant: string;
  environment: string;
}>;


export type IncidentRunningNowQuery = { tenantEnvironment: { id: string, tenant: string, environment: string, headRevision: string | null, services: Array<string>, project: { id: string, slug: string, viewerRole: Role | null }, approvalPolicy: { approvalRequired: boolean, blockSelfApproval: boolean, quorum: number }, syncStatus: { id: string, agentReachable: boolean, lastSeenAt: string | null, health: Health | null, headRevision: string | null, syncedRevision: string | null, syncedHead: boolean, pendingSyncRollbacks: Array<string>, message: string }, drift: Array<{ service: string, field: string, desired: unknown, live: unknown }> } | null };

export type IncidentHistoryQueryVariables = Exact<{
  project: string;
  tenant: string;
  environment: string;
  first: number;
}>;


export type IncidentHistoryQuery = { tenantEnvironment: { id: string, deployments: { edges: Array<{ node: { id: string, revision: string, shortRevision: string, timestamp: string, changes: Array<string>, source: DeploymentSource, status: DeploymentStatus, author: { name: string, email: string } } }> } } | null };

export type IncidentCompareQueryVariables = Exact<{
  project: string;
  tenant: string;
  environment: string;
  revision: string;
}>;


export type IncidentCompareQuery = { tenantEnvironment: { id: string, compareWithCurrent: { base: string, head: string, counts: { services: number, files: number, bindings: number, variables: number }, services: Array<{ service: string, kind: ChangeKind, fields: Array<{ file: string, path: string, kind: ChangeKind, before: unknown, after: unknown }>, files: Array<{ path: string, kind: ChangeKind, linesAdded: number, linesRemoved: number, unifiedDiff: string }> }>, environmentFields: Array<{ file: string, path: string, kind: ChangeKind, before: unknown, after: unknown }>, files: Array<{ path: string, service: string | null, kind: ChangeKind, linesAdded: number, linesRemoved: number, unifiedDiff: string }> } } | null };

export type IncidentRollbackModesQueryVariables = Exact<{
  project: string;
  tenant: string;
  environment: string;
}>;


export type IncidentRollbackModesQuery = { tenantEnvironment: { id: string, services: Array<string>, rollbackModes: Array<{ mode: RollbackMode, allowed: boolean, blastRadius: string, reason: string | null }> } | null };

export type IncidentPreviewRollbackMutationVariables = Exact<{
  input: RollbackInput;
}>;


export type IncidentPreviewRollbackMutation = { previewRollback: { mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, previewHash: string, affectedServices: Array<string>, suggestion: string | null, impact: { services: number, files: number, bindings: number, variables: number }, services: Array<{ service: string, kind: ChangeKind, fields: Array<{ file: string, path: string, kind: ChangeKind, currentValue: unknown, targetValue: unknown, liveValue: unknown, laterRevisions: Array<string> }> }>, environmentFields: Array<{ file: string, path: string, kind: ChangeKind, currentValue: unknown, targetValue: unknown, liveValue: unknown, laterRevisions: Array<string> }>, warnings: Array<{ file: string, path: string, laterRevisions: Array<string> }> } };

type IncidentApprovalParts_PromotionRequest_Fragment = { requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

type IncidentApprovalParts_ReleaseRequest_Fragment = { requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

type IncidentApprovalParts_RollbackRequest_Fragment = { requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

export type IncidentApprovalPartsFragment =
  | IncidentApprovalParts_PromotionRequest_Fragment
  | IncidentApprovalParts_ReleaseRequest_Fragment
  | IncidentApprovalParts_RollbackRequest_Fragment
;

export type IncidentRequestFragment = { id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

type IncidentChangeRequest_PromotionRequest_Fragment = { __typename: 'PromotionRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, fromEnvironment: string, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

type IncidentChangeRequest_ReleaseRequest_Fragment = { __typename: 'ReleaseRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

type IncidentChangeRequest_RollbackRequest_Fragment = { __typename: 'RollbackRequest', id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } };

export type IncidentChangeRequestFragment =
  | IncidentChangeRequest_PromotionRequest_Fragment
  | IncidentChangeRequest_ReleaseRequest_Fragment
  | IncidentChangeRequest_RollbackRequest_Fragment
;

export type IncidentRequestsQueryVariables = Exact<{
  project: string;
}>;


export type IncidentRequestsQuery = { project: { id: string, tenantEnvironments: Array<{ id: string, rollbackRequests: Array<{ id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }>, approvalRequests: Array<
        | { __typename: 'PromotionRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, fromEnvironment: string, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
        | { __typename: 'ReleaseRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
        | { __typename: 'RollbackRequest', id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
      > }> } | null };

export type IncidentRequestRollbackMutationVariables = Exact<{
  input: RequestRollbackInput;
}>;


export type IncidentRequestRollbackMutation = { requestRollback: { id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } } };

export type IncidentReviewMutationVariables = Exact<{
  input: ReviewInput;
}>;


export type IncidentReviewMutation = { reviewRollbackRequest: { id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } } };

export type IncidentReviewChangeMutationVariables = Exact<{
  input: ReviewInput;
}>;


export type IncidentReviewChangeMutation = { reviewApprovalRequest:
    | { __typename: 'PromotionRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, fromEnvironment: string, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
    | { __typename: 'ReleaseRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
    | { __typename: 'RollbackRequest', id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
   };

export type IncidentAddNoteMutationVariables = Exact<{
  id: string | number;
  note: string;
}>;


export type IncidentAddNoteMutation = { addRollbackNote: { id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } } };

export type IncidentBreakGlassQueryVariables = Exact<{
  project: string;
}>;


export type IncidentBreakGlassQuery = { project: { id: string, breakGlassSessions: Array<{ id: string, active: boolean, justification: string, openedAt: string, expiresAt: string, closedAt: string | null, user: { id: string, name: string, email: string }, actions: Array<{ id: string, action: string, createdAt: string, targetId: string }> }> } | null };

export type IncidentOpenBreakGlassMutationVariables = Exact<{
  input: BreakGlassInput;
}>;


export type IncidentOpenBreakGlassMutation = { openBreakGlassSession: { id: string } };

export type IncidentCloseBreakGlassMutationVariables = Exact<{
  id: string | number;
}>;


export type IncidentCloseBreakGlassMutation = { closeBreakGlassSession: { id: string } };

export type IncidentDeploymentRecordedSubscriptionVariables = Exact<{
  tenantEnvironmentId: string | number;
}>;


export type IncidentDeploymentRecordedSubscription = { deploymentRecorded: { id: string, revision: string, shortRevision: string, timestamp: string, changes: Array<string>, source: DeploymentSource, status: DeploymentStatus, author: { name: string, email: string } } };

export type IncidentSyncStatusChangedSubscriptionVariables = Exact<{
  tenantEnvironmentId: string | number;
}>;


export type IncidentSyncStatusChangedSubscription = { syncStatusChanged: { id: string, agentReachable: boolean, lastSeenAt: string | null, health: Health | null, headRevision: string | null, syncedRevision: string | null, syncedHead: boolean, pendingSyncRollbacks: Array<string>, message: string } };

export type IncidentRequestUpdatedSubscriptionVariables = Exact<{
  projectId: string | number;
}>;


export type IncidentRequestUpdatedSubscription = { rollbackRequestUpdated: { change: RollbackRequestChange, at: string, request: { id: string, state: RollbackRequestState, mode: RollbackMode, service: string | null, targetRevision: string, baseRevision: string, affectedServices: Array<string>, justification: string, approvalRequired: boolean, requiredApprovals: number, approvals: number, attempts: number, resultRevision: string | null, error: string | null, errorCode: string | null, createdAt: string, updatedAt: string, approvedAt: string | null, rejectedAt: string | null, executingAt: string | null, completedAt: string | null, failedAt: string | null, selectedFields: Array<{ file: string, path: string }>, notes: Array<{ id: string, note: string, createdAt: string, author: { id: string, name: string } }>, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } } } };

export type IncidentChangeRequestUpdatedSubscriptionVariables = Exact<{
  projectId: string | number;
}>;


export type IncidentChangeRequestUpdatedSubscription = { approvalRequestUpdated: { kind: ApprovalAction, request:
      | { __typename: 'PromotionRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, fromEnvironment: string, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
      | { __typename: 'ReleaseRequest', description: string | null, rejectedAt: string | null, executingAt: string | null, id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
      | { __typename: 'RollbackRequest', id: string, kind: ApprovalAction, state: RollbackRequestState, affectedServices: Array<string>, approvalRequired: boolean, requiredApprovals: number, approvals: number, resultRevision: string | null, error: string | null, createdAt: string, approvedAt: string | null, completedAt: string | null, failedAt: string | null, requestedBy: { id: string, name: string, email: string }, reviews: Array<{ id: string, decision: ReviewDecision, comment: string | null, createdAt: string, reviewer: { id: string, name: string, email: string } }>, breakGlassSession: { id: string } | null, tenantEnvironment: { id: string, tenant: string, environment: string } }
     } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const IncidentSyncStatusFragmentDoc = new TypedDocumentString(`
    fragment IncidentSyncStatus on SyncStatus {
  id
  agentReachable
  lastSeenAt
  health
  headRevision
  syncedRevision
  syncedHead
  pendingSyncRollbacks
  message
}
    `, {"fragmentName":"IncidentSyncStatus"}) as unknown as TypedDocumentString<IncidentSyncStatusFragment, unknown>;
export const IncidentDeploymentRowFragmentDoc = new TypedDocumentString(`
    fragment IncidentDeploymentRow on Deployment {
  id
  revision
  shortRevision
  timestamp
  author {
    name
    email
  }
  changes
  source
  status
}
    `, {"fragmentName":"IncidentDeploymentRow"}) as unknown as TypedDocumentString<IncidentDeploymentRowFragment, unknown>;
export const IncidentApprovalPartsFragmentDoc = new TypedDocumentString(`
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
    `, {"fragmentName":"IncidentApprovalParts"}) as unknown as TypedDocumentString<IncidentApprovalPartsFragment, unknown>;
export const IncidentRequestFragmentDoc = new TypedDocumentString(`
    fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}`, {"fragmentName":"IncidentRequest"}) as unknown as TypedDocumentString<IncidentRequestFragment, unknown>;
export const IncidentChangeRequestFragmentDoc = new TypedDocumentString(`
    fragment IncidentChangeRequest on ApprovalRequest {
  __typename
  id
  kind
  state
  affectedServices
  approvalRequired
  requiredApprovals
  approvals
  resultRevision
  error
  createdAt
  approvedAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  ... on ReleaseRequest {
    description
    rejectedAt
    executingAt
  }
  ... on PromotionRequest {
    description
    rejectedAt
    executingAt
    fromEnvironment
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}`, {"fragmentName":"IncidentChangeRequest"}) as unknown as TypedDocumentString<IncidentChangeRequestFragment, unknown>;
export const IncidentViewerDocument = new TypedDocumentString(`
    query IncidentViewer {
  viewer {
    id
    name
    email
    projectRoles {
      role
      project {
        id
        slug
        name
        tenantEnvironments {
          id
          tenant
          environment
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<IncidentViewerQuery, IncidentViewerQueryVariables>;
export const IncidentRunningNowDocument = new TypedDocumentString(`
    query IncidentRunningNow($project: String!, $tenant: String!, $environment: String!) {
  tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
    id
    tenant
    environment
    headRevision
    services
    project {
      id
      slug
      viewerRole
    }
    approvalPolicy {
      approvalRequired
      blockSelfApproval
      quorum
    }
    syncStatus {
      ...IncidentSyncStatus
    }
    drift {
      service
      field
      desired
      live
    }
  }
}
    fragment IncidentSyncStatus on SyncStatus {
  id
  agentReachable
  lastSeenAt
  health
  headRevision
  syncedRevision
  syncedHead
  pendingSyncRollbacks
  message
}`) as unknown as TypedDocumentString<IncidentRunningNowQuery, IncidentRunningNowQueryVariables>;
export const IncidentHistoryDocument = new TypedDocumentString(`
    query IncidentHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
  tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
    id
    deployments(first: $first) {
      edges {
        node {
          ...IncidentDeploymentRow
        }
      }
    }
  }
}
    fragment IncidentDeploymentRow on Deployment {
  id
  revision
  shortRevision
  timestamp
  author {
    name
    email
  }
  changes
  source
  status
}`) as unknown as TypedDocumentString<IncidentHistoryQuery, IncidentHistoryQueryVariables>;
export const IncidentCompareDocument = new TypedDocumentString(`
    query IncidentCompare($project: String!, $tenant: String!, $environment: String!, $revision: String!) {
  tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
    id
    compareWithCurrent(revision: $revision) {
      base
      head
      counts {
        services
        files
        bindings
        variables
      }
      services {
        service
        kind
        fields {
          file
          path
          kind
          before
          after
        }
        files {
          path
          kind
          linesAdded
          linesRemoved
          unifiedDiff
        }
      }
      environmentFields {
        file
        path
        kind
        before
        after
      }
      files {
        path
        service
        kind
        linesAdded
        linesRemoved
        unifiedDiff
      }
    }
  }
}
    `) as unknown as TypedDocumentString<IncidentCompareQuery, IncidentCompareQueryVariables>;
export const IncidentRollbackModesDocument = new TypedDocumentString(`
    query IncidentRollbackModes($project: String!, $tenant: String!, $environment: String!) {
  tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
    id
    services
    rollbackModes {
      mode
      allowed
      blastRadius
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<IncidentRollbackModesQuery, IncidentRollbackModesQueryVariables>;
export const IncidentPreviewRollbackDocument = new TypedDocumentString(`
    mutation IncidentPreviewRollback($input: RollbackInput!) {
  previewRollback(input: $input) {
    mode
    service
    targetRevision
    baseRevision
    previewHash
    affectedServices
    suggestion
    impact {
      services
      files
      bindings
      variables
    }
    services {
      service
      kind
      fields {
        file
        path
        kind
        currentValue
        targetValue
        liveValue
        laterRevisions
      }
    }
    environmentFields {
      file
      path
      kind
      currentValue
      targetValue
      liveValue
      laterRevisions
    }
    warnings {
      file
      path
      laterRevisions
    }
  }
}
    `) as unknown as TypedDocumentString<IncidentPreviewRollbackMutation, IncidentPreviewRollbackMutationVariables>;
export const IncidentRequestsDocument = new TypedDocumentString(`
    query IncidentRequests($project: String!) {
  project(slug: $project) {
    id
    tenantEnvironments {
      id
      rollbackRequests {
        ...IncidentRequest
      }
      approvalRequests(kinds: [RELEASE, PROMOTION]) {
        ...IncidentChangeRequest
      }
    }
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}
fragment IncidentChangeRequest on ApprovalRequest {
  __typename
  id
  kind
  state
  affectedServices
  approvalRequired
  requiredApprovals
  approvals
  resultRevision
  error
  createdAt
  approvedAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  ... on ReleaseRequest {
    description
    rejectedAt
    executingAt
  }
  ... on PromotionRequest {
    description
    rejectedAt
    executingAt
    fromEnvironment
  }
}`) as unknown as TypedDocumentString<IncidentRequestsQuery, IncidentRequestsQueryVariables>;
export const IncidentRequestRollbackDocument = new TypedDocumentString(`
    mutation IncidentRequestRollback($input: RequestRollbackInput!) {
  requestRollback(input: $input) {
    ...IncidentRequest
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<IncidentRequestRollbackMutation, IncidentRequestRollbackMutationVariables>;
export const IncidentReviewDocument = new TypedDocumentString(`
    mutation IncidentReview($input: ReviewInput!) {
  reviewRollbackRequest(input: $input) {
    ...IncidentRequest
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<IncidentReviewMutation, IncidentReviewMutationVariables>;
export const IncidentReviewChangeDocument = new TypedDocumentString(`
    mutation IncidentReviewChange($input: ReviewInput!) {
  reviewApprovalRequest(input: $input) {
    ...IncidentChangeRequest
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentChangeRequest on ApprovalRequest {
  __typename
  id
  kind
  state
  affectedServices
  approvalRequired
  requiredApprovals
  approvals
  resultRevision
  error
  createdAt
  approvedAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  ... on ReleaseRequest {
    description
    rejectedAt
    executingAt
  }
  ... on PromotionRequest {
    description
    rejectedAt
    executingAt
    fromEnvironment
  }
}`) as unknown as TypedDocumentString<IncidentReviewChangeMutation, IncidentReviewChangeMutationVariables>;
export const IncidentAddNoteDocument = new TypedDocumentString(`
    mutation IncidentAddNote($id: ID!, $note: String!) {
  addRollbackNote(id: $id, note: $note) {
    ...IncidentRequest
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<IncidentAddNoteMutation, IncidentAddNoteMutationVariables>;
export const IncidentBreakGlassDocument = new TypedDocumentString(`
    query IncidentBreakGlass($project: String!) {
  project(slug: $project) {
    id
    breakGlassSessions(activeOnly: false) {
      id
      active
      justification
      openedAt
      expiresAt
      closedAt
      user {
        id
        name
        email
      }
      actions {
        id
        action
        createdAt
        targetId
      }
    }
  }
}
    `) as unknown as TypedDocumentString<IncidentBreakGlassQuery, IncidentBreakGlassQueryVariables>;
export const IncidentOpenBreakGlassDocument = new TypedDocumentString(`
    mutation IncidentOpenBreakGlass($input: BreakGlassInput!) {
  openBreakGlassSession(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<IncidentOpenBreakGlassMutation, IncidentOpenBreakGlassMutationVariables>;
export const IncidentCloseBreakGlassDocument = new TypedDocumentString(`
    mutation IncidentCloseBreakGlass($id: ID!) {
  closeBreakGlassSession(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<IncidentCloseBreakGlassMutation, IncidentCloseBreakGlassMutationVariables>;
export const IncidentDeploymentRecordedDocument = new TypedDocumentString(`
    subscription IncidentDeploymentRecorded($tenantEnvironmentId: ID!) {
  deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {
    ...IncidentDeploymentRow
  }
}
    fragment IncidentDeploymentRow on Deployment {
  id
  revision
  shortRevision
  timestamp
  author {
    name
    email
  }
  changes
  source
  status
}`) as unknown as TypedDocumentString<IncidentDeploymentRecordedSubscription, IncidentDeploymentRecordedSubscriptionVariables>;
export const IncidentSyncStatusChangedDocument = new TypedDocumentString(`
    subscription IncidentSyncStatusChanged($tenantEnvironmentId: ID!) {
  syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {
    ...IncidentSyncStatus
  }
}
    fragment IncidentSyncStatus on SyncStatus {
  id
  agentReachable
  lastSeenAt
  health
  headRevision
  syncedRevision
  syncedHead
  pendingSyncRollbacks
  message
}`) as unknown as TypedDocumentString<IncidentSyncStatusChangedSubscription, IncidentSyncStatusChangedSubscriptionVariables>;
export const IncidentRequestUpdatedDocument = new TypedDocumentString(`
    subscription IncidentRequestUpdated($projectId: ID!) {
  rollbackRequestUpdated(projectId: $projectId) {
    change
    at
    request {
      ...IncidentRequest
    }
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentRequest on RollbackRequest {
  id
  state
  mode
  service
  targetRevision
  baseRevision
  selectedFields {
    file
    path
  }
  affectedServices
  justification
  approvalRequired
  requiredApprovals
  approvals
  attempts
  resultRevision
  error
  errorCode
  createdAt
  updatedAt
  approvedAt
  rejectedAt
  executingAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  notes {
    id
    note
    createdAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<IncidentRequestUpdatedSubscription, IncidentRequestUpdatedSubscriptionVariables>;
export const IncidentChangeRequestUpdatedDocument = new TypedDocumentString(`
    subscription IncidentChangeRequestUpdated($projectId: ID!) {
  approvalRequestUpdated(projectId: $projectId) {
    kind
    request {
      ...IncidentChangeRequest
    }
  }
}
    fragment IncidentApprovalParts on ApprovalRequest {
  requestedBy {
    id
    name
    email
  }
  reviews {
    id
    decision
    comment
    createdAt
    reviewer {
      id
      name
      email
    }
  }
  breakGlassSession {
    id
  }
  tenantEnvironment {
    id
    tenant
    environment
  }
}
fragment IncidentChangeRequest on ApprovalRequest {
  __typename
  id
  kind
  state
  affectedServices
  approvalRequired
  requiredApprovals
  approvals
  resultRevision
  error
  createdAt
  approvedAt
  completedAt
  failedAt
  ...IncidentApprovalParts
  ... on ReleaseRequest {
    description
    rejectedAt
    executingAt
  }
  ... on PromotionRequest {
    description
    rejectedAt
    executingAt
    fromEnvironment
  }
}`) as unknown as TypedDocumentString<IncidentChangeRequestUpdatedSubscription, IncidentChangeRequestUpdatedSubscriptionVariables>;