/** GraphQL documents of onboarding: the workspace's structure, services, members, tokens and archive marks. */
import { graphql } from '../../gql';

export const WorkspaceOverviewDocument = graphql(`
  query WorkspaceOverview($slug: String!, $includeArchived: Boolean) {
    organizations(includeArchived: $includeArchived) {
      slug
      plan
      featureFlags
      archivedAt
    }
    projects(includeArchived: $includeArchived) {
      slug
      archivedAt
    }
    project(slug: $slug) {
      slug
      name
      archivedAt
      tenants(includeArchived: $includeArchived) {
        slug
        name
        archivedAt
      }
      environments(includeArchived: $includeArchived) {
        slug
        archivedAt
        approvalPolicy {
          ...ApprovalPolicyFields
        }
      }
      tenantEnvironments(includeArchived: $includeArchived) {
        tenant
        environment
        archivedAt
        services(includeArchived: $includeArchived)
      }
    }
  }
`);

export const ProjectMembersDocument = graphql(`
  query ProjectMembers($slug: String!) {
    project(slug: $slug) {
      members {
        role
        user {
          email
          name
        }
      }
    }
  }
`);

export const CreateTenantDocument = graphql(`
  mutation CreateTenant($input: CreateTenantInput!) {
    createTenant(input: $input) {
      id
      slug
      name
      archivedAt
    }
  }
`);

export const ArchiveTenantDocument = graphql(`
  mutation ArchiveTenant($input: ArchiveTenantInput!) {
    archiveTenant(input: $input) {
      slug
      archivedAt
    }
  }
`);

export const CreateEnvironmentDocument = graphql(`
  mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) {
      id
      slug
      archivedAt
      approvalPolicy {
        ...ApprovalPolicyFields
      }
    }
  }
`);

export const ArchiveEnvironmentDocument = graphql(`
  mutation ArchiveEnvironment($input: ArchiveEnvironmentInput!) {
    archiveEnvironment(input: $input) {
      slug
      archivedAt
    }
  }
`);

export const CreateTenantEnvironmentDocument = graphql(`
  mutation CreateTenantEnvironment($input: CreateTenantEnvironmentInput!) {
    createTenantEnvironment(input: $input) {
      id
      tenant
      environment
      headRevision
      services
      archivedAt
    }
  }
`);

export const ArchiveTenantEnvironmentDocument = graphql(`
  mutation ArchiveTenantEnvironment($input: ArchiveTenantEnvironmentInput!) {
    archiveTenantEnvironment(input: $input) {
      id
      archivedAt
    }
  }
`);

export const CreateServiceDocument = graphql(`
  mutation CreateService($input: CreateServiceInput!) {
    createService(input: $input) {
      id
      revision
      source
      changes
      changedFiles
      author {
        email
      }
    }
  }
`);

export const ArchiveServiceDocument = graphql(`
  mutation ArchiveService($input: ArchiveServiceInput!) {
    archiveService(input: $input) {
      id
      services
      all: services(includeArchived: true)
    }
  }
`);

export const ArchiveProjectDocument = graphql(`
  mutation ArchiveProject($input: ArchiveProjectInput!) {
    archiveProject(input: $input) {
      slug
      archivedAt
    }
  }
`);

export const SetProjectMemberDocument = graphql(`
  mutation SetProjectMember($input: SetProjectMemberInput!) {
    setProjectMember(input: $input) {
      role
      user {
        id
        email
        name
      }
    }
  }
`);

export const RemoveProjectMemberDocument = graphql(`
  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {
    removeProjectMember(input: $input) {
      role
      user {
        email
      }
    }
  }
`);

export const ViewerTokensDocument = graphql(`
  query ViewerTokens {
    viewer {
      email
      tokens {
        id
        name
        createdAt
        expiresAt
        revokedAt
        active
      }
    }
  }
`);

export const RevokeTokenDocument = graphql(`
  mutation RevokeToken($id: ID!) {
    revokeToken(id: $id) {
      id
      active
      revokedAt
    }
  }
`);
