/** GraphQL documents of the live layer: sync reports and status, and the three subscriptions. */
import { graphql } from '../../gql';

export const SyncStatusFieldsFragment = graphql(`
  fragment SyncStatusFields on SyncStatus {
    id
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

export const SyncStatusDocument = graphql(`
  query SyncStatus($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      syncStatus {
        ...SyncStatusFields
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

export const ReportSyncStatusDocument = graphql(`
  mutation ReportSyncStatus($input: SyncReportInput!) {
    reportSyncStatus(input: $input) {
      ...SyncStatusFields
    }
  }
`);

export const RollbackRequestUpdatedDocument = graphql(`
  subscription RollbackRequestUpdated($projectId: ID, $tenantEnvironmentId: ID, $requestId: ID) {
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

export const SyncStatusChangedDocument = graphql(`
  subscription SyncStatusChanged($tenantEnvironmentId: ID!) {
    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {
      ...SyncStatusFields
    }
  }
`);

export const DeploymentRecordedDocument = graphql(`
  subscription DeploymentRecorded($tenantEnvironmentId: ID!) {
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
