import { graphql } from '../gql';

export const HistoryDeployReleaseDocument = graphql(`
  mutation HistoryDeployRelease($input: DeployReleaseInput!) {
    deployRelease(input: $input) {
      id
      revision
      shortRevision
      source
      status
      changes
      changedFiles
      timestamp
      author {
        name
        email
        user {
          email
        }
      }
    }
  }
`);

export const HistoryPromoteDocument = graphql(`
  mutation HistoryPromote($input: PromoteInput!) {
    promote(input: $input) {
      id
      revision
      source
      status
      changes
      changedFiles
      author {
        email
      }
    }
  }
`);

export const HistoryDeploymentsDocument = graphql(`
  query HistoryDeployments($tenant: String!, $environment: String!, $first: Int, $after: String) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      id
      headRevision
      services
      deployments(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            revision
            shortRevision
            timestamp
            source
            status
            changes
            changedFiles
            author {
              name
              email
              user {
                email
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);

export const HistoryRevisionDiffFieldsFragment = graphql(`
  fragment HistoryRevisionDiffFields on RevisionDiff {
    base
    head
    counts {
      files
      services
      bindings
      variables
    }
    environmentFields {
      file
      path
      service
      kind
      before
      after
    }
    services {
      service
      kind
      files {
        path
      }
      fields {
        file
        path
        service
        kind
        before
        after
      }
    }
    files {
      path
      service
      category
      kind
      linesAdded
      linesRemoved
      parseError
      unifiedDiff
      fields {
        file
        path
        service
        kind
        before
        after
      }
    }
  }
`);

export const HistoryCompareWithCurrentDocument = graphql(`
  query HistoryCompareWithCurrent($tenant: String!, $environment: String!, $revision: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      compareWithCurrent(revision: $revision) {
        ...HistoryRevisionDiffFields
      }
    }
  }
`);

export const HistoryCompareRevisionsDocument = graphql(`
  query HistoryCompareRevisions($tenant: String!, $environment: String!, $base: String!, $head: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      compareRevisions(base: $base, head: $head) {
        ...HistoryRevisionDiffFields
      }
    }
  }
`);

export const HistoryDeploymentCompareDocument = graphql(`
  query HistoryDeploymentCompare($tenant: String!, $environment: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      deployments(first: 3) {
        edges {
          node {
            revision
            compareWithCurrent {
              base
              head
              counts {
                files
                services
              }
              files {
                path
              }
            }
          }
        }
      }
    }
  }
`);
