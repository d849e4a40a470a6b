/** GraphQL documents of object identity: node(id:), nodes(ids:), and the ids of every kind of node in the demo. */
import { graphql } from '../../gql';

export const NodeFieldsFragment = graphql(`
  fragment NodeFields on Node {
    __typename
    id
    ... on Organization {
      slug
    }
    ... on Project {
      slug
    }
    ... on TenantEnvironment {
      tenant
      environment
    }
    ... on SyncStatus {
      agentReachable
      tenantEnvironment {
        id
      }
    }
    ... on ApprovalPolicy {
      environment
      quorum
    }
    ... on Deployment {
      revision
    }
    ... on RollbackRequest {
      state
    }
    ... on RollbackReview {
      decision
    }
    ... on RollbackNote {
      note
    }
    ... on BreakGlassSession {
      justification
    }
    ... on AuditEvent {
      action
    }
    ... on User {
      email
    }
  }
`);

export const NodeDocument = graphql(`
  query Node($id: ID!) {
    node(id: $id) {
      ...NodeFields
    }
  }
`);

export const NodesDocument = graphql(`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      ...NodeFields
    }
  }
`);

/** One id of every kind of node, as ordinary queries return them. */
export const NodeIdsDocument = graphql(`
  query NodeIds {
    viewer {
      id
    }
    project(slug: "shop") {
      id
      organization {
        id
      }
      approvalPolicies {
        id
        environment
      }
      breakGlassSessions {
        id
      }
      auditEvents(first: 3) {
        edges {
          node {
            id
          }
        }
      }
      tenantEnvironments {
        id
        tenant
        environment
        syncStatus {
          id
        }
        approvalPolicy {
          id
        }
        deployments(first: 2) {
          edges {
            node {
              id
            }
          }
        }
        rollbackRequests {
          id
          reviews {
            id
          }
          notes {
            id
          }
        }
      }
    }
  }
`);
