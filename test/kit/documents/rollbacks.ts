/** GraphQL documents of rollback requests: preview, request, review, retry, notes, and reading requests back. */
import { graphql } from '../../gql';

/** Everything a request shows; every mutation on a request answers with it. */
export const RollbackRequestFieldsFragment = graphql(`
  fragment RollbackRequestFields on RollbackRequest {
    id
    state
    mode
    targetRevision
    baseRevision
    previewHash
    previewImpact {
      services
      files
      variables
      bindings
    }
    service
    selectedFields {
      file
      path
    }
    affectedServices
    justification
    approvalRequired
    requiredApprovals
    approvals
    attempts
    resultRevision
    error
    errorCode
    createdAt
    updatedAt
    approvedAt
    rejectedAt
    executingAt
    completedAt
    failedAt
    requestedBy {
      email
    }
    reviews {
      decision
      comment
      reviewer {
        email
      }
    }
    notes {
      note
      author {
        email
      }
    }
    breakGlassSession {
      id
      justification
    }
    tenantEnvironment {
      id
      tenant
      environment
    }
    deployment {
      revision
      source
    }
  }
`);

export const RollbackRequestDocument = graphql(`
  query RollbackRequest($id: ID!) {
    rollbackRequest(id: $id) {
      ...RollbackRequestFields
    }
  }
`);

export const RollbackRequestsOfDocument = graphql(`
  query RollbackRequestsOf($project: String!, $tenant: String!, $environment: String!, $states: [RollbackRequestState!]) {
    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {
      rollbackRequests(states: $states) {
        id
        state
      }
    }
  }
`);

export const PreviewRollbackDocument = graphql(`
  mutation PreviewRollback($input: RollbackInput!) {
    previewRollback(input: $input) {
      previewHash
      affectedServices
      suggestion
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

export const RequestRollbackDocument = graphql(`
  mutation RequestRollback($input: RequestRollbackInput!) {
    requestRollback(input: $input) {
      ...RollbackRequestFields
    }
  }
`);

export const ReviewDocument = graphql(`
  mutation Review($input: ReviewInput!) {
    reviewRollbackRequest(input: $input) {
      ...RollbackRequestFields
    }
  }
`);

export const RetryDocument = graphql(`
  mutation Retry($id: ID!) {
    retryRollbackExecution(id: $id) {
      ...RollbackRequestFields
    }
  }
`);

export const AddNoteDocument = graphql(`
  mutation AddNote($id: ID!, $note: String!) {
    addRollbackNote(id: $id, note: $note) {
      ...RollbackRequestFields
    }
  }
`);
