/** GraphQL documents of the approval framework for every protected action: release/promotion requests, reviews, break-glass, the queue, deployment notes. */
import { graphql } from '../../gql';

export const ApprovalRequestFieldsFragment = graphql(`
  fragment ApprovalRequestFields on ApprovalRequest {
    __typename
    id
    kind
    state
    affectedServices
    approvalRequired
    requiredApprovals
    approvals
    attempts
    resultRevision
    error
    errorCode
    createdAt
    approvedAt
    completedAt
    failedAt
    requestedBy {
      email
    }
    reviews {
      decision
      comment
      reviewer {
        email
      }
    }
    eligibleReviewers {
      email
    }
    breakGlassSession {
      id
    }
    tenantEnvironment {
      id
      tenant
      environment
    }
    ... on ReleaseRequest {
      description
      baseRevision
      services {
        service
        fields
      }
      environmentFields
      deployment {
        id
        revision
        source
        status
      }
    }
    ... on PromotionRequest {
      description
      fromEnvironment
      deployment {
        id
        revision
        source
      }
    }
  }
`);

export const RequestReleaseDocument = graphql(`
  mutation RequestRelease($input: DeployReleaseInput!) {
    requestRelease(input: $input) {
      ...ApprovalRequestFields
    }
  }
`);

export const RequestPromotionDocument = graphql(`
  mutation RequestPromotion($input: PromoteInput!) {
    requestPromotion(input: $input) {
      ...ApprovalRequestFields
    }
  }
`);

export const ReviewApprovalRequestDocument = graphql(`
  mutation ReviewApprovalRequest($input: ReviewInput!) {
    reviewApprovalRequest(input: $input) {
      ...ApprovalRequestFields
    }
  }
`);

export const ExecuteOwnRequestDocument = graphql(`
  mutation ExecuteOwnRequestUnderBreakGlass($id: ID!) {
    executeOwnRequestUnderBreakGlass(id: $id) {
      ...ApprovalRequestFields
    }
  }
`);

export const RetryApprovalRequestDocument = graphql(`
  mutation RetryApprovalRequestExecution($id: ID!) {
    retryApprovalRequestExecution(id: $id) {
      ...ApprovalRequestFields
    }
  }
`);

export const ApprovalRequestDocument = graphql(`
  query ApprovalRequest($id: ID!) {
    approvalRequest(id: $id) {
      ...ApprovalRequestFields
    }
  }
`);

export const PendingApprovalsDocument = graphql(`
  query PendingApprovals($slug: String!) {
    project(slug: $slug) {
      pendingApprovals {
        ...ApprovalRequestFields
      }
    }
  }
`);

export const TenantEnvironmentApprovalRequestsDocument = graphql(`
  query TenantEnvironmentApprovalRequests($project: String!, $tenant: String!, $environment: String!, $states: [RollbackRequestState!], $kinds: [ApprovalAction!]) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      approvalRequests(states: $states, kinds: $kinds) {
        ...ApprovalRequestFields
      }
    }
  }
`);

export const ApprovalRequestUpdatedDocument = graphql(`
  subscription ApprovalRequestUpdated($projectId: ID, $tenantEnvironmentId: ID, $requestId: ID) {
    approvalRequestUpdated(projectId: $projectId, tenantEnvironmentId: $tenantEnvironmentId, requestId: $requestId) {
      kind
      change
      state
      request {
        id
        kind
        state
      }
    }
  }
`);

export const AddDeploymentNoteDocument = graphql(`
  mutation AddDeploymentNote($input: DeploymentNoteInput!) {
    addDeploymentNote(input: $input) {
      id
      note
      rootCause
      correctiveActions
      author {
        email
      }
    }
  }
`);

export const DeploymentNotesDocument = graphql(`
  query DeploymentNotes($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      deployments(first: 30) {
        edges {
          node {
            id
            revision
            source
            status
            rolledBackBy {
              revision
            }
            notes {
              note
              rootCause
              correctiveActions
              author {
                email
              }
            }
            reversions {
              services
              whole
              rollbackRequest {
                id
              }
            }
          }
        }
      }
    }
  }
`);

export const PreviewTargetWarningsDocument = graphql(`
  mutation PreviewTargetWarnings($input: RollbackInput!) {
    previewRollback(input: $input) {
      previewHash
      targetWarnings
      impact {
        services
        files
        variables
        bindings
      }
    }
  }
`);
