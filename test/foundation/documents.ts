import { graphql } from '../gql';

export const FoundationViewerDocument = graphql(`
  query FoundationViewer {
    viewer {
      email
      projectRoles {
        role
        project {
          slug
        }
      }
    }
  }
`);

export const FoundationWorkspaceDocument = graphql(`
  query FoundationWorkspace {
    project(slug: "shop") {
      slug
      organization {
        slug
        plan
        featureFlags
      }
      approvalPolicies {
        environment
        approvalRequired
        quorum
        blockSelfApproval
      }
      tenantEnvironments {
        tenant
        environment
        services
      }
    }
  }
`);

export const FoundationDemoHistoryDocument = graphql(`
  query FoundationDemoHistory($tenant: String!, $environment: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
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
    }
  }
`);
