/** GraphQL documents for the rollback request, approval, break-glass, gating and audit tests. */
import { graphql } from '../gql';

export const RequestFieldsFragment = graphql(`
  fragment RequestsRequestFields on RollbackRequest {
    id
    state
    mode
    targetRevision
    baseRevision
    previewHash
    service
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
    notes {
      note
      author {
        email
      }
    }
    breakGlassSession {
      id
      justification
    }
    tenantEnvironment {
      id
      tenant
      environment
    }
    deployment {
      revision
      source
    }
  }
`);

export const TenantEnvironmentDocument = graphql(`
  query RequestsTenantEnvironment($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      deployments(first: 100) {
        edges {
          node {
            revision
            source
            status
            changes
          }
        }
      }
      approvalPolicy {
        environment
        approvalRequired
        quorum
        blockSelfApproval
      }
    }
  }
`);

export const RollbackRequestsOfDocument = graphql(`
  query RequestsRollbackRequestsOf($project: String!, $tenant: String!, $environment: String!, $states: [RollbackRequestState!]) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackRequests(states: $states) {
        id
        state
      }
    }
  }
`);

export const RollbackInsightsDocument = graphql(`
  query RequestsRollbackInsights($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackInsights {
        revision
        rollbacks
        windowDays
        message
      }
    }
  }
`);

export const RollbackModesDocument = graphql(`
  query RequestsRollbackModes($project: String!, $tenant: String!, $environment: String!) {
    project(slug: $project) {
      rollbackModes {
        mode
        allowed
        reason
        blastRadius
      }
    }
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackModes {
        mode
        allowed
        reason
        blastRadius
      }
    }
  }
`);

export const ProjectDocument = graphql(`
  query RequestsProject($slug: String!) {
    project(slug: $slug) {
      id
      slug
      approvalPolicies {
        environment
        approvalRequired
        quorum
        blockSelfApproval
      }
    }
  }
`);

export const AuditEventsDocument = graphql(`
  query RequestsAuditEvents(
    $slug: String!
    $first: Int
    $after: String
    $action: String
    $actorId: ID
    $tenantEnvironmentId: ID
    $breakGlassOnly: Boolean
  ) {
    project(slug: $slug) {
      auditEvents(
        first: $first
        after: $after
        action: $action
        actorId: $actorId
        tenantEnvironmentId: $tenantEnvironmentId
        breakGlassOnly: $breakGlassOnly
      ) {
        edges {
          cursor
          node {
            id
            action
            actor {
              id
              email
            }
            targetType
            targetId
            tenantEnvironmentId
            details
            breakGlass
            breakGlassSessionId
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
    }
  }
`);

export const BreakGlassSessionsDocument = graphql(`
  query RequestsBreakGlassSessions($slug: String!, $activeOnly: Boolean) {
    project(slug: $slug) {
      breakGlassSessions(activeOnly: $activeOnly) {
        id
        active
        justification
        openedAt
        expiresAt
        closedAt
        user {
          email
        }
        actions {
          action
          targetId
          breakGlassSessionId
        }
      }
    }
  }
`);

export const RollbackRequestDocument = graphql(`
  query RequestsRollbackRequest($id: ID!) {
    rollbackRequest(id: $id) {
      ...RequestsRequestFields
    }
  }
`);

export const PreviewRollbackDocument = graphql(`
  mutation RequestsPreviewRollback($input: RollbackInput!) {
    previewRollback(input: $input) {
      previewHash
      affectedServices
      suggestion
    }
  }
`);

export const RequestRollbackDocument = graphql(`
  mutation RequestsRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      ...RequestsRequestFields
    }
  }
`);

export const ReviewDocument = graphql(`
  mutation RequestsReview($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      ...RequestsRequestFields
    }
  }
`);

export const RetryDocument = graphql(`
  mutation RequestsRetry($id: ID!) {
    retryRollbackExecution(id: $id) {
      ...RequestsRequestFields
    }
  }
`);

export const AddNoteDocument = graphql(`
  mutation RequestsAddNote($id: ID!, $note: String!) {
    addRollbackNote(id: $id, note: $note) {
      ...RequestsRequestFields
    }
  }
`);

export const OpenBreakGlassDocument = graphql(`
  mutation RequestsOpenBreakGlass($input: BreakGlassInput!) {
    openBreakGlassSession(input: $input) {
      id
      active
      justification
      openedAt
      expiresAt
      closedAt
      user {
        email
      }
    }
  }
`);

export const CloseBreakGlassDocument = graphql(`
  mutation RequestsCloseBreakGlass($id: ID!) {
    closeBreakGlassSession(id: $id) {
      id
      active
      closedAt
    }
  }
`);

export const SetApprovalPolicyDocument = graphql(`
  mutation RequestsSetApprovalPolicy($input: ApprovalPolicyInput!) {
    setApprovalPolicy(input: $input) {
      environment
      approvalRequired
      quorum
      blockSelfApproval
    }
  }
`);

export const DeployReleaseDocument = graphql(`
  mutation RequestsDeployRelease($input: DeployReleaseInput!) {
    deployRelease(input: $input) {
      revision
    }
  }
`);

export const ViewerIdDocument = graphql(`
  query RequestsViewerId {
    viewer {
      id
      email
    }
  }
`);
