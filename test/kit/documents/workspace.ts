/** GraphQL documents of the workspace: the viewer, a project, a tenant-environment. */
import { graphql } from '../../gql';

export const ViewerDocument = graphql(`
  query Viewer {
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

export const ProjectDocument = graphql(`
  query Project($slug: String!) {
    project(slug: $slug) {
      id
      slug
      organization {
        slug
        plan
        featureFlags
      }
      approvalPolicies {
        ...ApprovalPolicyFields
      }
      tenantEnvironments {
        tenant
        environment
        services
      }
    }
  }
`);

/** A tenant-environment with its policy and its latest 100 deployments, newest first. */
export const TenantEnvironmentDocument = graphql(`
  query TenantEnvironment($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
      project {
        id
      }
      approvalPolicy {
        ...ApprovalPolicyFields
      }
      deployments(first: 100) {
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

/** Nothing but the head: a damaged branch ref fails exactly this one field (the masking tests count errors). */
export const HeadRevisionDocument = graphql(`
  query HeadRevision($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      id
      headRevision
    }
  }
`);
