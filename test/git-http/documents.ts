/** GraphQL documents for the Git-over-HTTP tests: repository tokens, the repository URL, and the writes raced against clones. */
import { graphql } from '../gql';

export const RepositoryTokenFieldsFragment = graphql(`
  fragment GitHttpRepositoryTokenFields on RepositoryToken {
    id
    name
    createdAt
    expiresAt
    lastUsedAt
    revokedAt
    active
  }
`);

export const CreateRepositoryTokenDocument = graphql(`
  mutation GitHttpCreateRepositoryToken($input: CreateRepositoryTokenInput!) {
    createRepositoryToken(input: $input) {
      token
      repositoryToken {
        ...GitHttpRepositoryTokenFields
      }
    }
  }
`);

export const RevokeRepositoryTokenDocument = graphql(`
  mutation GitHttpRevokeRepositoryToken($id: ID!) {
    revokeRepositoryToken(id: $id) {
      ...GitHttpRepositoryTokenFields
    }
  }
`);

export const RepositoryTokensDocument = graphql(`
  query GitHttpRepositoryTokens($project: String!) {
    project(slug: $project) {
      repositoryTokens {
        ...GitHttpRepositoryTokenFields
      }
    }
  }
`);

export const RepositoryUrlDocument = graphql(`
  query GitHttpRepositoryUrl($project: String!) {
    project(slug: $project) {
      slug
      repositoryUrl
    }
  }
`);

export const ViewerEmailDocument = graphql(`
  query GitHttpViewer {
    viewer {
      email
    }
  }
`);

export const HistoryDocument = graphql(`
  query GitHttpHistory($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      headRevision
      deployments(first: 10) {
        edges {
          node {
            revision
            changes
          }
        }
      }
    }
  }
`);

export const DeployReleaseDocument = graphql(`
  mutation GitHttpDeployRelease($input: DeployReleaseInput!) {
    deployRelease(input: $input) {
      revision
    }
  }
`);

export const RequestRollbackDocument = graphql(`
  mutation GitHttpRequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      id
      state
      resultRevision
      error
    }
  }
`);

export const ReviewDocument = graphql(`
  mutation GitHttpReview($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      id
      state
      resultRevision
      error
    }
  }
`);
