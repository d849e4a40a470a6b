/** The on-call CLI's GraphQL operations, typed by `npm run codegen` (src/cli/gql/). */
import { graphql } from './gql';

export const ViewerDocument = graphql(`
  query OncallViewer {
    viewer {
      id
      email
      name
      projectRoles {
        role
        project {
          slug
        }
      }
    }
  }
`);

export const HistoryDocument = graphql(`
  query OncallHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      deployments(first: $first) {
        edges {
          node {
            revision
            shortRevision
            timestamp
            source
            status
            changes
            author {
              email
            }
            rollbackRequest {
              id
            }
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
  }
`);

export const FileDiffFieldsFragment = graphql(`
  fragment OncallFileDiff on FileDiff {
    path
    kind
    service
    linesAdded
    linesRemoved
    unifiedDiff
  }
`);

export const RevisionDiffFieldsFragment = graphql(`
  fragment OncallRevisionDiff on RevisionDiff {
    base
    head
    counts {
      services
      bindings
      variables
      files
    }
    files {
      ...OncallFileDiff
    }
  }
`);

export const CompareWithCurrentDocument = graphql(`
  query OncallCompareWithCurrent($project: String!, $tenant: String!, $environment: String!, $revision: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      compareWithCurrent(revision: $revision) {
        ...OncallRevisionDiff
      }
    }
  }
`);

export const CompareRevisionsDocument = graphql(`
  query OncallCompareRevisions($project: String!, $tenant: String!, $environment: String!, $base: String!, $head: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      compareRevisions(base: $base, head: $head) {
        ...OncallRevisionDiff
      }
    }
  }
`);

export const PreviewRollbackDocument = graphql(`
  mutation OncallPreviewRollback($input: RollbackInput!) {
    previewRollback(input: $input) {
      mode
      service
      baseRevision
      targetRevision
      previewHash
      affectedServices
      suggestion
      impact {
        services
        bindings
        variables
        files
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
        }
      }
      environmentFields {
        file
        path
        kind
        currentValue
        targetValue
        liveValue
      }
      warnings {
        file
        path
        laterRevisions
      }
      files {
        ...OncallFileDiff
      }
    }
  }
`);

export const RequestFieldsFragment = graphql(`
  fragment OncallRequest on RollbackRequest {
    id
    state
    mode
    service
    selectedFields {
      file
      path
    }
    targetRevision
    justification
    approvalRequired
    requiredApprovals
    approvals
    resultRevision
    error
    errorCode
    createdAt
    requestedBy {
      id
      email
    }
    reviews {
      decision
      comment
      reviewer {
        id
        email
      }
    }
    tenantEnvironment {
      tenant
      environment
      project {
        slug
      }
    }
  }
`);

export const RequestRollbackDocument = graphql(`
  mutation OncallRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      ...OncallRequest
    }
  }
`);

export const ReviewDocument = graphql(`
  mutation OncallReview($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      ...OncallRequest
    }
  }
`);

/** Pending requests of every project where the caller reviews (APPROVER or ADMIN), with what decides whether they may. */
export const WaitingRequestsDocument = graphql(`
  query OncallWaitingRequests {
    viewer {
      id
      projectRoles {
        role
        project {
          slug
          tenantEnvironments {
            approvalPolicy {
              blockSelfApproval
            }
            rollbackRequests(states: [PENDING]) {
              ...OncallRequest
            }
          }
        }
      }
    }
  }
`);

export const BreakGlassFieldsFragment = graphql(`
  fragment OncallBreakGlass on BreakGlassSession {
    id
    active
    justification
    openedAt
    expiresAt
    closedAt
    user {
      id
      email
    }
  }
`);

export const OpenBreakGlassDocument = graphql(`
  mutation OncallOpenBreakGlass($input: BreakGlassInput!) {
    openBreakGlassSession(input: $input) {
      ...OncallBreakGlass
    }
  }
`);

export const CloseBreakGlassDocument = graphql(`
  mutation OncallCloseBreakGlass($id: ID!) {
    closeBreakGlassSession(id: $id) {
      ...OncallBreakGlass
    }
  }
`);

export const ActiveBreakGlassDocument = graphql(`
  query OncallActiveBreakGlass($project: String!) {
    viewer {
      id
    }
    project(slug: $project) {
      breakGlassSessions(activeOnly: true) {
        ...OncallBreakGlass
      }
    }
  }
`);

export const StatusDocument = graphql(`
  query OncallStatus($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      headRevision
      services
      syncStatus {
        reported
        agentReachable
        syncState
        health
        syncedRevision
        syncedHead
        lastSeenAt
        secondsSinceLastSeen
        message
        pendingSyncRollbacks
        liveServices {
          service
          imageTag
          replicas
        }
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
