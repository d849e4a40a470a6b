/** GraphQL documents of the deployment history: releases, promotions, paged history, comparisons. */
import { graphql } from '../../gql';

export const DeployReleaseDocument = graphql(`
  mutation DeployRelease($input: DeployReleaseInput!) {
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

export const PromoteDocument = graphql(`
  mutation Promote($input: PromoteInput!) {
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

/** The history of one of shop's tenant-environments, a page at a time. */
export const DeploymentsDocument = graphql(`
  query Deployments($tenant: String!, $environment: String!, $first: Int, $after: String, $last: Int, $before: String) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      id
      headRevision
      services
      deployments(first: $first, after: $after, last: $last, before: $before) {
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

/** The deployment history panel, with each rollback's request and reviews: the query the DataLoader test counts statements of. */
export const HistoryPanelDocument = graphql(`
  query HistoryPanel($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
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
export const HistoryPanelTenantEnvironmentsDocument = graphql(`
  query HistoryPanelTenantEnvironments($project: String!, $tenant: String!, $environment: String!, $first: Int!) {
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

export const RevisionDiffFieldsFragment = graphql(`
  fragment RevisionDiffFields on RevisionDiff {
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

export const CompareWithCurrentDocument = graphql(`
  query CompareWithCurrent($tenant: String!, $environment: String!, $revision: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      compareWithCurrent(revision: $revision) {
        ...RevisionDiffFields
      }
    }
  }
`);

export const CompareRevisionsDocument = graphql(`
  query CompareRevisions($tenant: String!, $environment: String!, $base: String!, $head: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      compareRevisions(base: $base, head: $head) {
        ...RevisionDiffFields
      }
    }
  }
`);

export const DeploymentCompareDocument = graphql(`
  query DeploymentCompare($tenant: String!, $environment: String!) {
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
