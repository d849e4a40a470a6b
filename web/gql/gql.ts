/* eslint-disable */
import * as types from './graphql';



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
    "\n  query IncidentViewer {\n    viewer {\n      id\n      name\n      email\n      projectRoles {\n        role\n        project {\n          id\n          slug\n          name\n          tenantEnvironments {\n            id\n            tenant\n            environment\n          }\n        }\n      }\n    }\n  }\n": typeof types.IncidentViewerDocument,
    "\n  fragment IncidentSyncStatus on SyncStatus {\n    id\n    agentReachable\n    lastSeenAt\n    health\n    headRevision\n    syncedRevision\n    syncedHead\n    pendingSyncRollbacks\n    message\n  }\n": typeof types.IncidentSyncStatusFragmentDoc,
    "\n  fragment IncidentDeploymentRow on Deployment {\n    id\n    revision\n    shortRevision\n    timestamp\n    author {\n      name\n      email\n    }\n    changes\n    source\n    status\n  }\n": typeof types.IncidentDeploymentRowFragmentDoc,
    "\n  query IncidentRunningNow($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      tenant\n      environment\n      headRevision\n      services\n      project {\n        id\n        slug\n        viewerRole\n      }\n      approvalPolicy {\n        approvalRequired\n        blockSelfApproval\n        quorum\n      }\n      syncStatus {\n        ...IncidentSyncStatus\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n": typeof types.IncidentRunningNowDocument,
    "\n  query IncidentHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      deployments(first: $first) {\n        edges {\n          node {\n            ...IncidentDeploymentRow\n          }\n        }\n      }\n    }\n  }\n": typeof types.IncidentHistoryDocument,
    "\n  query IncidentCompare($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      compareWithCurrent(revision: $revision) {\n        base\n        head\n        counts {\n          services\n          files\n          bindings\n          variables\n        }\n        services {\n          service\n          kind\n          fields {\n            file\n            path\n            kind\n            before\n            after\n          }\n          files {\n            path\n            kind\n            linesAdded\n            linesRemoved\n            unifiedDiff\n          }\n        }\n        environmentFields {\n          file\n          path\n          kind\n          before\n          after\n        }\n        files {\n          path\n          service\n          kind\n          linesAdded\n          linesRemoved\n          unifiedDiff\n        }\n      }\n    }\n  }\n": typeof types.IncidentCompareDocument,
    "\n  query IncidentRollbackModes($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      services\n      rollbackModes {\n        mode\n        allowed\n        blastRadius\n        reason\n      }\n    }\n  }\n": typeof types.IncidentRollbackModesDocument,
    "\n  mutation IncidentPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      targetRevision\n      baseRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        files\n        bindings\n        variables\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n          laterRevisions\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n        laterRevisions\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n    }\n  }\n": typeof types.IncidentPreviewRollbackDocument,
    "\n  fragment IncidentApprovalParts on ApprovalRequest {\n    requestedBy {\n      id\n      name\n      email\n    }\n    reviews {\n      id\n      decision\n      comment\n      createdAt\n      reviewer {\n        id\n        name\n        email\n      }\n    }\n    breakGlassSession {\n      id\n    }\n    tenantEnvironment {\n      id\n      tenant\n      environment\n    }\n  }\n": typeof types.IncidentApprovalPartsFragmentDoc,
    "\n  fragment IncidentRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    targetRevision\n    baseRevision\n    selectedFields {\n      file\n      path\n    }\n    affectedServices\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    attempts\n    resultRevision\n    error\n    errorCode\n    createdAt\n    updatedAt\n    approvedAt\n    rejectedAt\n    executingAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    notes {\n      id\n      note\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": typeof types.IncidentRequestFragmentDoc,
    "\n  fragment IncidentChangeRequest on ApprovalRequest {\n    __typename\n    id\n    kind\n    state\n    affectedServices\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    createdAt\n    approvedAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    ... on ReleaseRequest {\n      description\n      rejectedAt\n      executingAt\n    }\n    ... on PromotionRequest {\n      description\n      rejectedAt\n      executingAt\n      fromEnvironment\n    }\n  }\n": typeof types.IncidentChangeRequestFragmentDoc,
    "\n  query IncidentRequests($project: String!) {\n    project(slug: $project) {\n      id\n      tenantEnvironments {\n        id\n        rollbackRequests {\n          ...IncidentRequest\n        }\n        approvalRequests(kinds: [RELEASE, PROMOTION]) {\n          ...IncidentChangeRequest\n        }\n      }\n    }\n  }\n": typeof types.IncidentRequestsDocument,
    "\n  mutation IncidentRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...IncidentRequest\n    }\n  }\n": typeof types.IncidentRequestRollbackDocument,
    "\n  mutation IncidentReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...IncidentRequest\n    }\n  }\n": typeof types.IncidentReviewDocument,
    "\n  mutation IncidentReviewChange($input: ReviewInput!) {\n    reviewApprovalRequest(input: $input) {\n      ...IncidentChangeRequest\n    }\n  }\n": typeof types.IncidentReviewChangeDocument,
    "\n  mutation IncidentAddNote($id: ID!, $note: String!) {\n    addRollbackNote(id: $id, note: $note) {\n      ...IncidentRequest\n    }\n  }\n": typeof types.IncidentAddNoteDocument,
    "\n  query IncidentBreakGlass($project: String!) {\n    project(slug: $project) {\n      id\n      breakGlassSessions(activeOnly: false) {\n        id\n        active\n        justification\n        openedAt\n        expiresAt\n        closedAt\n        user {\n          id\n          name\n          email\n        }\n        actions {\n          id\n          action\n          createdAt\n          targetId\n        }\n      }\n    }\n  }\n": typeof types.IncidentBreakGlassDocument,
    "\n  mutation IncidentOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      id\n    }\n  }\n": typeof types.IncidentOpenBreakGlassDocument,
    "\n  mutation IncidentCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      id\n    }\n  }\n": typeof types.IncidentCloseBreakGlassDocument,
    "\n  subscription IncidentDeploymentRecorded($tenantEnvironmentId: ID!) {\n    deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentDeploymentRow\n    }\n  }\n": typeof types.IncidentDeploymentRecordedDocument,
    "\n  subscription IncidentSyncStatusChanged($tenantEnvironmentId: ID!) {\n    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentSyncStatus\n    }\n  }\n": typeof types.IncidentSyncStatusChangedDocument,
    "\n  subscription IncidentRequestUpdated($projectId: ID!) {\n    rollbackRequestUpdated(projectId: $projectId) {\n      change\n      at\n      request {\n        ...IncidentRequest\n      }\n    }\n  }\n": typeof types.IncidentRequestUpdatedDocument,
    "\n  subscription IncidentChangeRequestUpdated($projectId: ID!) {\n    approvalRequestUpdated(projectId: $projectId) {\n      kind\n      request {\n        ...IncidentChangeRequest\n      }\n    }\n  }\n": typeof types.IncidentChangeRequestUpdatedDocument,
};
const documents: Documents = {
    "\n  query IncidentViewer {\n    viewer {\n      id\n      name\n      email\n      projectRoles {\n        role\n        project {\n          id\n          slug\n          name\n          tenantEnvironments {\n            id\n            tenant\n            environment\n          }\n        }\n      }\n    }\n  }\n": types.IncidentViewerDocument,
    "\n  fragment IncidentSyncStatus on SyncStatus {\n    id\n    agentReachable\n    lastSeenAt\n    health\n    headRevision\n    syncedRevision\n    syncedHead\n    pendingSyncRollbacks\n    message\n  }\n": types.IncidentSyncStatusFragmentDoc,
    "\n  fragment IncidentDeploymentRow on Deployment {\n    id\n    revision\n    shortRevision\n    timestamp\n    author {\n      name\n      email\n    }\n    changes\n    source\n    status\n  }\n": types.IncidentDeploymentRowFragmentDoc,
    "\n  query IncidentRunningNow($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      tenant\n      environment\n      headRevision\n      services\n      project {\n        id\n        slug\n        viewerRole\n      }\n      approvalPolicy {\n        approvalRequired\n        blockSelfApproval\n        quorum\n      }\n      syncStatus {\n        ...IncidentSyncStatus\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n": types.IncidentRunningNowDocument,
    "\n  query IncidentHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      deployments(first: $first) {\n        edges {\n          node {\n            ...IncidentDeploymentRow\n          }\n        }\n      }\n    }\n  }\n": types.IncidentHistoryDocument,
    "\n  query IncidentCompare($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      compareWithCurrent(revision: $revision) {\n        base\n        head\n        counts {\n          services\n          files\n          bindings\n          variables\n        }\n        services {\n          service\n          kind\n          fields {\n            file\n            path\n            kind\n            before\n            after\n          }\n          files {\n            path\n            kind\n            linesAdded\n            linesRemoved\n            unifiedDiff\n          }\n        }\n        environmentFields {\n          file\n          path\n          kind\n          before\n          after\n        }\n        files {\n          path\n          service\n          kind\n          linesAdded\n          linesRemoved\n          unifiedDiff\n        }\n      }\n    }\n  }\n": types.IncidentCompareDocument,
    "\n  query IncidentRollbackModes($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      services\n      rollbackModes {\n        mode\n        allowed\n        blastRadius\n        reason\n      }\n    }\n  }\n": types.IncidentRollbackModesDocument,
    "\n  mutation IncidentPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      targetRevision\n      baseRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        files\n        bindings\n        variables\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n          laterRevisions\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n        laterRevisions\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n    }\n  }\n": types.IncidentPreviewRollbackDocument,
    "\n  fragment IncidentApprovalParts on ApprovalRequest {\n    requestedBy {\n      id\n      name\n      email\n    }\n    reviews {\n      id\n      decision\n      comment\n      createdAt\n      reviewer {\n        id\n        name\n        email\n      }\n    }\n    breakGlassSession {\n      id\n    }\n    tenantEnvironment {\n      id\n      tenant\n      environment\n    }\n  }\n": types.IncidentApprovalPartsFragmentDoc,
    "\n  fragment IncidentRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    targetRevision\n    baseRevision\n    selectedFields {\n      file\n      path\n    }\n    affectedServices\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    attempts\n    resultRevision\n    error\n    errorCode\n    createdAt\n    updatedAt\n    approvedAt\n    rejectedAt\n    executingAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    notes {\n      id\n      note\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": types.IncidentRequestFragmentDoc,
    "\n  fragment IncidentChangeRequest on ApprovalRequest {\n    __typename\n    id\n    kind\n    state\n    affectedServices\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    createdAt\n    approvedAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    ... on ReleaseRequest {\n      description\n      rejectedAt\n      executingAt\n    }\n    ... on PromotionRequest {\n      description\n      rejectedAt\n      executingAt\n      fromEnvironment\n    }\n  }\n": types.IncidentChangeRequestFragmentDoc,
    "\n  query IncidentRequests($project: String!) {\n    project(slug: $project) {\n      id\n      tenantEnvironments {\n        id\n        rollbackRequests {\n          ...IncidentRequest\n        }\n        approvalRequests(kinds: [RELEASE, PROMOTION]) {\n          ...IncidentChangeRequest\n        }\n      }\n    }\n  }\n": types.IncidentRequestsDocument,
    "\n  mutation IncidentRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...IncidentRequest\n    }\n  }\n": types.IncidentRequestRollbackDocument,
    "\n  mutation IncidentReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...IncidentRequest\n    }\n  }\n": types.IncidentReviewDocument,
    "\n  mutation IncidentReviewChange($input: ReviewInput!) {\n    reviewApprovalRequest(input: $input) {\n      ...IncidentChangeRequest\n    }\n  }\n": types.IncidentReviewChangeDocument,
    "\n  mutation IncidentAddNote($id: ID!, $note: String!) {\n    addRollbackNote(id: $id, note: $note) {\n      ...IncidentRequest\n    }\n  }\n": types.IncidentAddNoteDocument,
    "\n  query IncidentBreakGlass($project: String!) {\n    project(slug: $project) {\n      id\n      breakGlassSessions(activeOnly: false) {\n        id\n        active\n        justification\n        openedAt\n        expiresAt\n        closedAt\n        user {\n          id\n          name\n          email\n        }\n        actions {\n          id\n          action\n          createdAt\n          targetId\n        }\n      }\n    }\n  }\n": types.IncidentBreakGlassDocument,
    "\n  mutation IncidentOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      id\n    }\n  }\n": types.IncidentOpenBreakGlassDocument,
    "\n  mutation IncidentCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      id\n    }\n  }\n": types.IncidentCloseBreakGlassDocument,
    "\n  subscription IncidentDeploymentRecorded($tenantEnvironmentId: ID!) {\n    deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentDeploymentRow\n    }\n  }\n": types.IncidentDeploymentRecordedDocument,
    "\n  subscription IncidentSyncStatusChanged($tenantEnvironmentId: ID!) {\n    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentSyncStatus\n    }\n  }\n": types.IncidentSyncStatusChangedDocument,
    "\n  subscription IncidentRequestUpdated($projectId: ID!) {\n    rollbackRequestUpdated(projectId: $projectId) {\n      change\n      at\n      request {\n        ...IncidentRequest\n      }\n    }\n  }\n": types.IncidentRequestUpdatedDocument,
    "\n  subscription IncidentChangeRequestUpdated($projectId: ID!) {\n    approvalRequestUpdated(projectId: $projectId) {\n      kind\n      request {\n        ...IncidentChangeRequest\n      }\n    }\n  }\n": types.IncidentChangeRequestUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentViewer {\n    viewer {\n      id\n      name\n      email\n      projectRoles {\n        role\n        project {\n          id\n          slug\n          name\n          tenantEnvironments {\n            id\n            tenant\n            environment\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncidentSyncStatus on SyncStatus {\n    id\n    agentReachable\n    lastSeenAt\n    health\n    headRevision\n    syncedRevision\n    syncedHead\n    pendingSyncRollbacks\n    message\n  }\n"): typeof import('./graphql').IncidentSyncStatusFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncidentDeploymentRow on Deployment {\n    id\n    revision\n    shortRevision\n    timestamp\n    author {\n      name\n      email\n    }\n    changes\n    source\n    status\n  }\n"): typeof import('./graphql').IncidentDeploymentRowFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentRunningNow($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      tenant\n      environment\n      headRevision\n      services\n      project {\n        id\n        slug\n        viewerRole\n      }\n      approvalPolicy {\n        approvalRequired\n        blockSelfApproval\n        quorum\n      }\n      syncStatus {\n        ...IncidentSyncStatus\n      }\n      drift {\n        service\n        field\n        desired\n        live\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentRunningNowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentHistory($project: String!, $tenant: String!, $environment: String!, $first: Int!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      deployments(first: $first) {\n        edges {\n          node {\n            ...IncidentDeploymentRow\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentCompare($project: String!, $tenant: String!, $environment: String!, $revision: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      compareWithCurrent(revision: $revision) {\n        base\n        head\n        counts {\n          services\n          files\n          bindings\n          variables\n        }\n        services {\n          service\n          kind\n          fields {\n            file\n            path\n            kind\n            before\n            after\n          }\n          files {\n            path\n            kind\n            linesAdded\n            linesRemoved\n            unifiedDiff\n          }\n        }\n        environmentFields {\n          file\n          path\n          kind\n          before\n          after\n        }\n        files {\n          path\n          service\n          kind\n          linesAdded\n          linesRemoved\n          unifiedDiff\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentCompareDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentRollbackModes($project: String!, $tenant: String!, $environment: String!) {\n    tenantEnvironment(project: $project, tenant: $tenant, environment: $environment) {\n      id\n      services\n      rollbackModes {\n        mode\n        allowed\n        blastRadius\n        reason\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentRollbackModesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentPreviewRollback($input: RollbackInput!) {\n    previewRollback(input: $input) {\n      mode\n      service\n      targetRevision\n      baseRevision\n      previewHash\n      affectedServices\n      suggestion\n      impact {\n        services\n        files\n        bindings\n        variables\n      }\n      services {\n        service\n        kind\n        fields {\n          file\n          path\n          kind\n          currentValue\n          targetValue\n          liveValue\n          laterRevisions\n        }\n      }\n      environmentFields {\n        file\n        path\n        kind\n        currentValue\n        targetValue\n        liveValue\n        laterRevisions\n      }\n      warnings {\n        file\n        path\n        laterRevisions\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentPreviewRollbackDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncidentApprovalParts on ApprovalRequest {\n    requestedBy {\n      id\n      name\n      email\n    }\n    reviews {\n      id\n      decision\n      comment\n      createdAt\n      reviewer {\n        id\n        name\n        email\n      }\n    }\n    breakGlassSession {\n      id\n    }\n    tenantEnvironment {\n      id\n      tenant\n      environment\n    }\n  }\n"): typeof import('./graphql').IncidentApprovalPartsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncidentRequest on RollbackRequest {\n    id\n    state\n    mode\n    service\n    targetRevision\n    baseRevision\n    selectedFields {\n      file\n      path\n    }\n    affectedServices\n    justification\n    approvalRequired\n    requiredApprovals\n    approvals\n    attempts\n    resultRevision\n    error\n    errorCode\n    createdAt\n    updatedAt\n    approvedAt\n    rejectedAt\n    executingAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    notes {\n      id\n      note\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentRequestFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IncidentChangeRequest on ApprovalRequest {\n    __typename\n    id\n    kind\n    state\n    affectedServices\n    approvalRequired\n    requiredApprovals\n    approvals\n    resultRevision\n    error\n    createdAt\n    approvedAt\n    completedAt\n    failedAt\n    ...IncidentApprovalParts\n    ... on ReleaseRequest {\n      description\n      rejectedAt\n      executingAt\n    }\n    ... on PromotionRequest {\n      description\n      rejectedAt\n      executingAt\n      fromEnvironment\n    }\n  }\n"): typeof import('./graphql').IncidentChangeRequestFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentRequests($project: String!) {\n    project(slug: $project) {\n      id\n      tenantEnvironments {\n        id\n        rollbackRequests {\n          ...IncidentRequest\n        }\n        approvalRequests(kinds: [RELEASE, PROMOTION]) {\n          ...IncidentChangeRequest\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentRequestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentRequestRollback($input: RequestRollbackInput!) {\n    requestRollback(input: $input) {\n      ...IncidentRequest\n    }\n  }\n"): typeof import('./graphql').IncidentRequestRollbackDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentReview($input: ReviewInput!) {\n    reviewRollbackRequest(input: $input) {\n      ...IncidentRequest\n    }\n  }\n"): typeof import('./graphql').IncidentReviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentReviewChange($input: ReviewInput!) {\n    reviewApprovalRequest(input: $input) {\n      ...IncidentChangeRequest\n    }\n  }\n"): typeof import('./graphql').IncidentReviewChangeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentAddNote($id: ID!, $note: String!) {\n    addRollbackNote(id: $id, note: $note) {\n      ...IncidentRequest\n    }\n  }\n"): typeof import('./graphql').IncidentAddNoteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IncidentBreakGlass($project: String!) {\n    project(slug: $project) {\n      id\n      breakGlassSessions(activeOnly: false) {\n        id\n        active\n        justification\n        openedAt\n        expiresAt\n        closedAt\n        user {\n          id\n          name\n          email\n        }\n        actions {\n          id\n          action\n          createdAt\n          targetId\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentBreakGlassDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentOpenBreakGlass($input: BreakGlassInput!) {\n    openBreakGlassSession(input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').IncidentOpenBreakGlassDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IncidentCloseBreakGlass($id: ID!) {\n    closeBreakGlassSession(id: $id) {\n      id\n    }\n  }\n"): typeof import('./graphql').IncidentCloseBreakGlassDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription IncidentDeploymentRecorded($tenantEnvironmentId: ID!) {\n    deploymentRecorded(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentDeploymentRow\n    }\n  }\n"): typeof import('./graphql').IncidentDeploymentRecordedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription IncidentSyncStatusChanged($tenantEnvironmentId: ID!) {\n    syncStatusChanged(tenantEnvironmentId: $tenantEnvironmentId) {\n      ...IncidentSyncStatus\n    }\n  }\n"): typeof import('./graphql').IncidentSyncStatusChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription IncidentRequestUpdated($projectId: ID!) {\n    rollbackRequestUpdated(projectId: $projectId) {\n      change\n      at\n      request {\n        ...IncidentRequest\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentRequestUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription IncidentChangeRequestUpdated($projectId: ID!) {\n    approvalRequestUpdated(projectId: $projectId) {\n      kind\n      request {\n        ...IncidentChangeRequest\n      }\n    }\n  }\n"): typeof import('./graphql').IncidentChangeRequestUpdatedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
