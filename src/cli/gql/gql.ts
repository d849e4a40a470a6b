/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OncallViewer {\n    viewer {\n      id\n      email\n      name\n      projectRoles {\n        role\n        project {\n          slug\n        }\n      }\n    }\n  }\n": typeof types.OncallViewerDocument,
    "\n  query OncallHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      deployments(first: $first) {\n        edges {\n          node {\n            revision\n            shortRevision\n            timestamp\n            source\n            status\n            changes\n            author {\n              email\n            }\n            rollbackRequest {\n              id\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n": typeof types.OncallHistoryDocument,
    "\n  fragment OncallFileDiff on FileDiff {\n    path\n    kind\n    service\n    linesAdded\n    linesRemoved\n    unifiedDiff\n  }\n": typeof types.OncallFileDiffFragmentDoc,
    "\n  fragment OncallRevisionDiff on RevisionDiff {\n    base\n    head\n    counts {\n      services\n      bindings\n      variables\n      files\n    }\n    files {\n      ...OncallFileDiff\n    }\n  }\n": typeof types.OncallRevisionDiffFragmentDoc,
    "\n  query OncallCompareWithCurrent($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareWithCurrent(revision: $revision) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n": typeof types.OncallCompareWithCurrentDocument,
    "\n  query OncallCompareRevisions($project: String!, $tenant: String!, $environment: String!, $base: String!, $head: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareRevisions(base: $base, head: $head) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n": typeof types.OncallCompareRevisionsDocument,
    "\n  mutation OncallPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      baseRevision\n      targetRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        bindings\n        variables\n        files\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n      files {\n        ...OncallFileDiff\n      }\n    }\n  }\n": typeof types.OncallPreviewRollbackDocument,
    "\n  fragment OncallRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    selectedFields {\n      file\n      path\n    }\n    targetRevision\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    errorCode\n    createdAt\n    requestedBy {\n      id\n      email\n    }\n    reviews {\n      decision\n      comment\n      reviewer {\n        id\n        email\n      }\n    }\n    tenantEnvironment {\n      tenant\n      environment\n      project {\n        slug\n      }\n    }\n  }\n": typeof types.OncallRequestFragmentDoc,
    "\n  mutation OncallRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...OncallRequest\n    }\n  }\n": typeof types.OncallRequestRollbackDocument,
    "\n  mutation OncallReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...OncallRequest\n    }\n  }\n": typeof types.OncallReviewDocument,
    "\n  query OncallWaitingRequests {\n    viewer {\n      id\n      projectRoles {\n        role\n        project {\n          slug\n          tenantEnvironments {\n            approvalPolicy {\n              blockSelfApproval\n            }\n            rollbackRequests(states: [PENDING]) {\n              ...OncallRequest\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.OncallWaitingRequestsDocument,
    "\n  fragment OncallBreakGlass on BreakGlassSession {\n    id\n    active\n    justification\n    openedAt\n    expiresAt\n    closedAt\n    user {\n      id\n      email\n    }\n  }\n": typeof types.OncallBreakGlassFragmentDoc,
    "\n  mutation OncallOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      ...OncallBreakGlass\n    }\n  }\n": typeof types.OncallOpenBreakGlassDocument,
    "\n  mutation OncallCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      ...OncallBreakGlass\n    }\n  }\n": typeof types.OncallCloseBreakGlassDocument,
    "\n  query OncallActiveBreakGlass($project: String!) {\n    viewer {\n      id\n    }\n    project(slug: $project) {\n      breakGlassSessions(activeOnly: true) {\n        ...OncallBreakGlass\n      }\n    }\n  }\n": typeof types.OncallActiveBreakGlassDocument,
    "\n  query OncallStatus($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      headRevision\n      services\n      syncStatus {\n        reported\n        agentReachable\n        syncState\n        health\n        syncedRevision\n        syncedHead\n        lastSeenAt\n        secondsSinceLastSeen\n        message\n        pendingSyncRollbacks\n        liveServices {\n          service\n          imageTag\n          replicas\n        }\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n": typeof types.OncallStatusDocument,
};
const documents: Documents = {
    "\n  query OncallViewer {\n    viewer {\n      id\n      email\n      name\n      projectRoles {\n        role\n        project {\n          slug\n        }\n      }\n    }\n  }\n": types.OncallViewerDocument,
    "\n  query OncallHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      deployments(first: $first) {\n        edges {\n          node {\n            revision\n            shortRevision\n            timestamp\n            source\n            status\n            changes\n            author {\n              email\n            }\n            rollbackRequest {\n              id\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n": types.OncallHistoryDocument,
    "\n  fragment OncallFileDiff on FileDiff {\n    path\n    kind\n    service\n    linesAdded\n    linesRemoved\n    unifiedDiff\n  }\n": types.OncallFileDiffFragmentDoc,
    "\n  fragment OncallRevisionDiff on RevisionDiff {\n    base\n    head\n    counts {\n      services\n      bindings\n      variables\n      files\n    }\n    files {\n      ...OncallFileDiff\n    }\n  }\n": types.OncallRevisionDiffFragmentDoc,
    "\n  query OncallCompareWithCurrent($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareWithCurrent(revision: $revision) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n": types.OncallCompareWithCurrentDocument,
    "\n  query OncallCompareRevisions($project: String!, $tenant: String!, $environment: String!, $base: String!, $head: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareRevisions(base: $base, head: $head) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n": types.OncallCompareRevisionsDocument,
    "\n  mutation OncallPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      baseRevision\n      targetRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        bindings\n        variables\n        files\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n      files {\n        ...OncallFileDiff\n      }\n    }\n  }\n": types.OncallPreviewRollbackDocument,
    "\n  fragment OncallRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    selectedFields {\n      file\n      path\n    }\n    targetRevision\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    errorCode\n    createdAt\n    requestedBy {\n      id\n      email\n    }\n    reviews {\n      decision\n      comment\n      reviewer {\n        id\n        email\n      }\n    }\n    tenantEnvironment {\n      tenant\n      environment\n      project {\n        slug\n      }\n    }\n  }\n": types.OncallRequestFragmentDoc,
    "\n  mutation OncallRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...OncallRequest\n    }\n  }\n": types.OncallRequestRollbackDocument,
    "\n  mutation OncallReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...OncallRequest\n    }\n  }\n": types.OncallReviewDocument,
    "\n  query OncallWaitingRequests {\n    viewer {\n      id\n      projectRoles {\n        role\n        project {\n          slug\n          tenantEnvironments {\n            approvalPolicy {\n              blockSelfApproval\n            }\n            rollbackRequests(states: [PENDING]) {\n              ...OncallRequest\n            }\n          }\n        }\n      }\n    }\n  }\n": types.OncallWaitingRequestsDocument,
    "\n  fragment OncallBreakGlass on BreakGlassSession {\n    id\n    active\n    justification\n    openedAt\n    expiresAt\n    closedAt\n    user {\n      id\n      email\n    }\n  }\n": types.OncallBreakGlassFragmentDoc,
    "\n  mutation OncallOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      ...OncallBreakGlass\n    }\n  }\n": types.OncallOpenBreakGlassDocument,
    "\n  mutation OncallCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      ...OncallBreakGlass\n    }\n  }\n": types.OncallCloseBreakGlassDocument,
    "\n  query OncallActiveBreakGlass($project: String!) {\n    viewer {\n      id\n    }\n    project(slug: $project) {\n      breakGlassSessions(activeOnly: true) {\n        ...OncallBreakGlass\n      }\n    }\n  }\n": types.OncallActiveBreakGlassDocument,
    "\n  query OncallStatus($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      headRevision\n      services\n      syncStatus {\n        reported\n        agentReachable\n        syncState\n        health\n        syncedRevision\n        syncedHead\n        lastSeenAt\n        secondsSinceLastSeen\n        message\n        pendingSyncRollbacks\n        liveServices {\n          service\n          imageTag\n          replicas\n        }\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n": types.OncallStatusDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallViewer {\n    viewer {\n      id\n      email\n      name\n      projectRoles {\n        role\n        project {\n          slug\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallViewer {\n    viewer {\n      id\n      email\n      name\n      projectRoles {\n        role\n        project {\n          slug\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      deployments(first: $first) {\n        edges {\n          node {\n            revision\n            shortRevision\n            timestamp\n            source\n            status\n            changes\n            author {\n              email\n            }\n            rollbackRequest {\n              id\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      deployments(first: $first) {\n        edges {\n          node {\n            revision\n            shortRevision\n            timestamp\n            source\n            status\n            changes\n            author {\n              email\n            }\n            rollbackRequest {\n              id\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OncallFileDiff on FileDiff {\n    path\n    kind\n    service\n    linesAdded\n    linesRemoved\n    unifiedDiff\n  }\n"): (typeof documents)["\n  fragment OncallFileDiff on FileDiff {\n    path\n    kind\n    service\n    linesAdded\n    linesRemoved\n    unifiedDiff\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OncallRevisionDiff on RevisionDiff {\n    base\n    head\n    counts {\n      services\n      bindings\n      variables\n      files\n    }\n    files {\n      ...OncallFileDiff\n    }\n  }\n"): (typeof documents)["\n  fragment OncallRevisionDiff on RevisionDiff {\n    base\n    head\n    counts {\n      services\n      bindings\n      variables\n      files\n    }\n    files {\n      ...OncallFileDiff\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallCompareWithCurrent($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareWithCurrent(revision: $revision) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallCompareWithCurrent($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareWithCurrent(revision: $revision) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallCompareRevisions($project: String!, $tenant: String!, $environment: String!, $base: String!, $head: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareRevisions(base: $base, head: $head) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallCompareRevisions($project: String!, $tenant: String!, $environment: String!, $base: String!, $head: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      compareRevisions(base: $base, head: $head) {\n        ...OncallRevisionDiff\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OncallPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      baseRevision\n      targetRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        bindings\n        variables\n        files\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n      files {\n        ...OncallFileDiff\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation OncallPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      baseRevision\n      targetRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        bindings\n        variables\n        files\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n      files {\n        ...OncallFileDiff\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OncallRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    selectedFields {\n      file\n      path\n    }\n    targetRevision\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    errorCode\n    createdAt\n    requestedBy {\n      id\n      email\n    }\n    reviews {\n      decision\n      comment\n      reviewer {\n        id\n        email\n      }\n    }\n    tenantEnvironment {\n      tenant\n      environment\n      project {\n        slug\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment OncallRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    selectedFields {\n      file\n      path\n    }\n    targetRevision\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    errorCode\n    createdAt\n    requestedBy {\n      id\n      email\n    }\n    reviews {\n      decision\n      comment\n      reviewer {\n        id\n        email\n      }\n    }\n    tenantEnvironment {\n      tenant\n      environment\n      project {\n        slug\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OncallRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...OncallRequest\n    }\n  }\n"): (typeof documents)["\n  mutation OncallRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...OncallRequest\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OncallReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...OncallRequest\n    }\n  }\n"): (typeof documents)["\n  mutation OncallReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...OncallRequest\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallWaitingRequests {\n    viewer {\n      id\n      projectRoles {\n        role\n        project {\n          slug\n          tenantEnvironments {\n            approvalPolicy {\n              blockSelfApproval\n            }\n            rollbackRequests(states: [PENDING]) {\n              ...OncallRequest\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallWaitingRequests {\n    viewer {\n      id\n      projectRoles {\n        role\n        project {\n          slug\n          tenantEnvironments {\n            approvalPolicy {\n              blockSelfApproval\n            }\n            rollbackRequests(states: [PENDING]) {\n              ...OncallRequest\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OncallBreakGlass on BreakGlassSession {\n    id\n    active\n    justification\n    openedAt\n    expiresAt\n    closedAt\n    user {\n      id\n      email\n    }\n  }\n"): (typeof documents)["\n  fragment OncallBreakGlass on BreakGlassSession {\n    id\n    active\n    justification\n    openedAt\n    expiresAt\n    closedAt\n    user {\n      id\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OncallOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      ...OncallBreakGlass\n    }\n  }\n"): (typeof documents)["\n  mutation OncallOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      ...OncallBreakGlass\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OncallCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      ...OncallBreakGlass\n    }\n  }\n"): (typeof documents)["\n  mutation OncallCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      ...OncallBreakGlass\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallActiveBreakGlass($project: String!) {\n    viewer {\n      id\n    }\n    project(slug: $project) {\n      breakGlassSessions(activeOnly: true) {\n        ...OncallBreakGlass\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallActiveBreakGlass($project: String!) {\n    viewer {\n      id\n    }\n    project(slug: $project) {\n      breakGlassSessions(activeOnly: true) {\n        ...OncallBreakGlass\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OncallStatus($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      headRevision\n      services\n      syncStatus {\n        reported\n        agentReachable\n        syncState\n        health\n        syncedRevision\n        syncedHead\n        lastSeenAt\n        secondsSinceLastSeen\n        message\n        pendingSyncRollbacks\n        liveServices {\n          service\n          imageTag\n          replicas\n        }\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n"): (typeof documents)["\n  query OncallStatus($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      headRevision\n      services\n      syncStatus {\n        reported\n        agentReachable\n        syncState\n        health\n        syncedRevision\n        syncedHead\n        lastSeenAt\n        secondsSinceLastSeen\n        message\n        pendingSyncRollbacks\n        liveServices {\n          service\n          imageTag\n          replicas\n        }\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;