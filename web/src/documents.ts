/**
 * Every operation the incident screen sends: typed documents from the committed schema
 * (`npm run codegen` writes web/gql). The page uses the public API only, as any dashboard would.
 */
import { graphql } from '../gql';

export const ViewerDocument = graphql(`
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
`);

export const SyncStatusFieldsFragment = graphql(`
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
`);

export const DeploymentRowFragment = graphql(`
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
`);

export const RunningNowDocument = graphql(`
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
`);

export const HistoryDocument = graphql(`
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
`);

export const CompareDocument = graphql(`
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
`);

export const RollbackModesDocument = graphql(`
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
`);

export const PreviewRollbackDocument = graphql(`
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
`);

/** What every kind of request shows alike: who asked, who reviewed, break-glass, where. */
export const ApprovalPartsFragment = graphql(`
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
`);

export const RequestFieldsFragment = graphql(`
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
`);

/** A release or promotion request: the other protected actions an approver reviews from this page. */
export const ChangeRequestFragment = graphql(`
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
`);

export const RequestsDocument = graphql(`
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
`);

export const RequestRollbackDocument = graphql(`
  mutation IncidentRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      ...IncidentRequest
    }
  }
`);

export const ReviewDocument = graphql(`
  mutation IncidentReview($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      ...IncidentRequest
    }
  }
`);

export const ReviewChangeDocument = graphql(`
  mutation IncidentReviewChange($input: ReviewInput!) {
    reviewApprovalRequest(input: $input) {
      ...IncidentChangeRequest
    }
  }
`);

export const AddNoteDocument = graphql(`
  mutation IncidentAddNote($id: ID!, $note: String!) {
    addRollbackNote(id: $id, note: $note) {
      ...IncidentRequest
    }
  }
`);

export const BreakGlassDocument = graphql(`
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
`);

export const OpenBreakGlassDocument = graphql(`
  mutation IncidentOpenBreakGlass($input: BreakGlassInput!) {
    openBreakGlassSession(input: $input) {
      id
    }
  }
`);

export const CloseBreakGlassDocument = graphql(`
  mutation IncidentCloseBreakGlass($id: ID!) {
    closeBreakGlassSession(id: $id) {
      id
    }
  }
`);

export const DeploymentRecordedDocument = graphql(`
  subscription IncidentDeploymentRecorded($tenantEnvironmentId: ID!) {
    deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {
      ...IncidentDeploymentRow
    }
  }
`);

export const SyncStatusChangedDocument = graphql(`
  subscription IncidentSyncStatusChanged($tenantEnvironmentId: ID!) {
    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {
      ...IncidentSyncStatus
    }
  }
`);

export const RequestUpdatedDocument = graphql(`
  subscription IncidentRequestUpdated($projectId: ID!) {
    rollbackRequestUpdated(projectId: $projectId) {
      change
      at
      request {
        ...IncidentRequest
      }
    }
  }
`);

export const ChangeRequestUpdatedDocument = graphql(`
  subscription IncidentChangeRequestUpdated($projectId: ID!) {
    approvalRequestUpdated(projectId: $projectId) {
      kind
      request {
        ...IncidentChangeRequest
      }
    }
  }
`);
