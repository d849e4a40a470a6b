/** GraphQL documents of governance: break-glass, approval policies, the audit trail, rollback modes, insights. */
import { graphql } from '../../gql';

export const BreakGlassSessionFieldsFragment = graphql(`
  fragment BreakGlassSessionFields on BreakGlassSession {
    id
    active
    justification
    openedAt
    expiresAt
    closedAt
    user {
      email
    }
  }
`);

export const ApprovalPolicyFieldsFragment = graphql(`
  fragment ApprovalPolicyFields on ApprovalPolicy {
    environment
    approvalRequired
    quorum
    blockSelfApproval
  }
`);

export const OpenBreakGlassDocument = graphql(`
  mutation OpenBreakGlass($input: BreakGlassInput!) {
    openBreakGlassSession(input: $input) {
      ...BreakGlassSessionFields
    }
  }
`);

export const CloseBreakGlassDocument = graphql(`
  mutation CloseBreakGlass($id: ID!) {
    closeBreakGlassSession(id: $id) {
      id
      active
      closedAt
    }
  }
`);

export const BreakGlassSessionsDocument = graphql(`
  query BreakGlassSessions($slug: String!, $activeOnly: Boolean) {
    project(slug: $slug) {
      breakGlassSessions(activeOnly: $activeOnly) {
        ...BreakGlassSessionFields
        actions {
          action
          targetId
          breakGlassSessionId
        }
      }
    }
  }
`);

export const SetApprovalPolicyDocument = graphql(`
  mutation SetApprovalPolicy($input: ApprovalPolicyInput!) {
    setApprovalPolicy(input: $input) {
      ...ApprovalPolicyFields
    }
  }
`);

export const AuditEventsDocument = graphql(`
  query AuditEvents(
    $slug: String!
    $first: Int
    $after: String
    $last: Int
    $before: String
    $action: String
    $actorId: ID
    $tenantEnvironmentId: ID
    $breakGlassOnly: Boolean
  ) {
    project(slug: $slug) {
      auditEvents(
        first: $first
        after: $after
        last: $last
        before: $before
        action: $action
        actorId: $actorId
        tenantEnvironmentId: $tenantEnvironmentId
        breakGlassOnly: $breakGlassOnly
      ) {
        edges {
          cursor
          node {
            id
            action
            actor {
              id
              email
            }
            targetType
            targetId
            tenantEnvironmentId
            details
            breakGlass
            breakGlassSessionId
            createdAt
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

export const RollbackModesDocument = graphql(`
  query RollbackModes($project: String!, $tenant: String!, $environment: String!) {
    project(slug: $project) {
      rollbackModes {
        mode
        allowed
        reason
        blastRadius
      }
    }
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackModes {
        mode
        allowed
        reason
        blastRadius
      }
    }
  }
`);

export const RollbackInsightsDocument = graphql(`
  query RollbackInsights($project: String!, $tenant: String!, $environment: String!) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackInsights {
        revision
        rollbacks
        windowDays
        message
      }
    }
  }
`);
