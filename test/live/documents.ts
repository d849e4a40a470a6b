/** Typed documents of the live-layer tests: agents, sync status, drift, subscriptions, history batching. */
import { graphql } from '../gql';

export const LiveTenantEnvironmentDocument = graphql(`
  query LiveTenantEnvironment($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      project {
        id
      }
      deployments(first: 20) {
        edges {
          node {
            id
            revision
            source
            status
            changes
          }
        }
      }
    }
  }
`);

export const LiveSyncStatusDocument = graphql(`
  query LiveSyncStatus($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      syncStatus {
        ...LiveSyncStatusFields
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

export const LiveSyncStatusFieldsFragment = graphql(`
  fragment LiveSyncStatusFields on SyncStatus {
    reported
    syncedRevision
    headRevision
    syncedHead
    syncState
    health
    liveServices {
      service
      imageTag
      replicas
      values
    }
    lastSeenAt
    secondsSinceLastSeen
    agentReachable
    pendingSyncRollbacks
    message
  }
`);

export const LiveReportSyncStatusDocument = graphql(`
  mutation LiveReportSyncStatus($input: SyncReportInput!) {
    reportSyncStatus(input: $input) {
      ...LiveSyncStatusFields
    }
  }
`);

export const LiveDeployReleaseDocument = graphql(`
  mutation LiveDeployRelease($input: DeployReleaseInput!) {
    deployRelease(input: $input) {
      id
      revision
      source
      status
    }
  }
`);

export const LiveRequestRollbackDocument = graphql(`
  mutation LiveRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      id
      state
      resultRevision
    }
  }
`);

export const LiveReviewDocument = graphql(`
  mutation LiveReview($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      id
      state
      resultRevision
    }
  }
`);

export const LiveAddNoteDocument = graphql(`
  mutation LiveAddNote($id: ID!, $note: String!) {
    addRollbackNote(id: $id, note: $note) {
      id
      state
    }
  }
`);

export const LiveSetApprovalPolicyDocument = graphql(`
  mutation LiveSetApprovalPolicy($input: ApprovalPolicyInput!) {
    setApprovalPolicy(input: $input) {
      environment
      approvalRequired
      quorum
    }
  }
`);

export const LivePreviewRollbackDocument = graphql(`
  mutation LivePreviewRollback($input: RollbackInput!) {
    previewRollback(input: $input) {
      services {
        service
        fields {
          file
          path
          currentValue
          targetValue
          liveValue
        }
      }
    }
  }
`);

export const LiveDeploymentStatusDocument = graphql(`
  query LiveDeploymentStatus($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      deployments(first: 100) {
        edges {
          node {
            revision
            status
          }
        }
      }
    }
  }
`);

/** The deployment history panel: the query the DataLoader test counts statements of. */
export const LiveHistoryDocument = graphql(`
  query LiveHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      deployments(first: $first) {
        edges {
          node {
            revision
            source
            status
            author {
              name
              user {
                email
              }
            }
            rollbackRequest {
              id
              state
              approvals
              requestedBy {
                email
              }
              reviews {
                decision
                reviewer {
                  email
                }
              }
            }
          }
        }
      }
    }
  }
`);

/** The same history with each deployment's tenant-environment, as a cross-environment view would ask for it. */
export const LiveHistoryWithTenantEnvironmentDocument = graphql(`
  query LiveHistoryWithTenantEnvironment($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      deployments(first: $first) {
        edges {
          node {
            revision
            tenantEnvironment {
              id
              tenant
              environment
            }
          }
        }
      }
    }
  }
`);

export const LiveRollbackRequestUpdatedDocument = graphql(`
  subscription LiveRollbackRequestUpdated($projectId: ID, $tenantEnvironmentId: ID, $requestId: ID) {
    rollbackRequestUpdated(projectId: $projectId, tenantEnvironmentId: $tenantEnvironmentId, requestId: $requestId) {
      change
      state
      at
      request {
        id
        state
        approvals
        reviews {
          decision
          reviewer {
            email
          }
        }
        notes {
          note
        }
        resultRevision
        deployment {
          revision
          source
        }
      }
    }
  }
`);

export const LiveSyncStatusChangedDocument = graphql(`
  subscription LiveSyncStatusChanged($tenantEnvironmentId: ID!) {
    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {
      ...LiveSyncStatusFields
    }
  }
`);

export const LiveDeploymentRecordedDocument = graphql(`
  subscription LiveDeploymentRecorded($tenantEnvironmentId: ID!) {
    deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {
      id
      revision
      source
      status
      changes
      author {
        email
      }
    }
  }
`);
