/** GraphQL documents for the hardening tests (limits, recovery, shutdown, observability). */
import { graphql } from '../gql';

export const HardeningViewerDocument = graphql(`
  query HardeningViewer {
    viewer {
      id
      email
    }
  }
`);

export const HardeningHeadRevisionDocument = graphql(`
  query HardeningHeadRevision($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
    }
  }
`);

export const HardeningDeploymentsDocument = graphql(`
  query HardeningDeployments($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      deployments(first: 10) {
        edges {
          node {
            revision
            source
            status
          }
        }
      }
    }
  }
`);

export const HardeningRequestFieldsFragment = graphql(`
  fragment HardeningRequestFields on RollbackRequest {
    id
    state
    mode
    attempts
    error
    errorCode
    resultRevision
    targetRevision
    baseRevision
  }
`);

export const HardeningRequestRollbackDocument = graphql(`
  mutation HardeningRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      ...HardeningRequestFields
    }
  }
`);

export const HardeningRetryDocument = graphql(`
  mutation HardeningRetry($id: ID!) {
    retryRollbackExecution(id: $id) {
      ...HardeningRequestFields
    }
  }
`);

export const HardeningRollbackRequestDocument = graphql(`
  query HardeningRollbackRequest($id: ID!) {
    rollbackRequest(id: $id) {
      ...HardeningRequestFields
    }
  }
`);

export const HardeningRequestUpdatedDocument = graphql(`
  subscription HardeningRequestUpdated($requestId: ID) {
    rollbackRequestUpdated(requestId: $requestId) {
      change
      request {
        id
        state
      }
    }
  }
`);
