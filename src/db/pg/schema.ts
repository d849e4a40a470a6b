/**
 * PostgreSQL tables (drizzle): the single source for the migrations in drizzle/pg/. The same table
 * names, columns and row shapes as src/db/sqlite/schema.ts (test/stores/schema-parity.test.ts checks),
 * in native types: timestamptz (ms precision, as JavaScript dates), jsonb, boolean; bigint where the
 * domain compares with Number.MAX_SAFE_INTEGER (positions, serial ids), read back as numbers.
 */
import { bigint, boolean, customType, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import {
  CHANGE_LEVELS,
  CHANGE_REQUEST_KINDS,
  DEPLOYMENT_SOURCES,
  DEPLOYMENT_STATUSES,
  HEALTH_STATES,
  NOTIFICATION_DELIVERY_STATES,
  NOTIFICATION_EVENT_KINDS,
  NOTIFICATION_TARGET_KINDS,
  PLANS,
  REQUEST_STATES,
  REVIEW_DECISIONS,
  ROLES,
  ROLLBACK_MODES,
  SYNC_STATES,
  type DiffCounts,
  type FeatureFlag,
  type LiveServiceValues,
  type NotificationEventKind,
  type PromotionPayload,
  type RecordedChanges,
  type ReleasePayload,
  type SelectedField,
} from '../../domain/model';

/** Milliseconds, as JavaScript dates carry. */
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
const createdAt = () => instant('created_at').notNull().defaultNow();
/**
 * jsonb cannot hold U+0000, which SQLite's JSON text can (a summary quoting a binary file): it is
 * stored as U+FFFD, the replacement character, rather than refusing the row.
 */
const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'jsonb',
  // An escaped NUL, not an escaped backslash followed by the text "u0000".
  toDriver: (value) => JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd'),
  fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
});
const json = <T>(name: string) => jsonText(name).$type<T>();
/** Set while archived: hidden from lists, refusing new writes; history and audit stay readable. */
const archivedAt = () => instant('archived_at');

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  plan: text('plan', { enum: PLANS }).notNull(),
  featureFlags: json<FeatureFlag[]>('feature_flags').notNull(),
  createdAt: createdAt(),
  archivedAt: archivedAt(),
});

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** Last commit of main whose deployments are recorded; history indexing resumes from here. */
  indexedSha: text('indexed_sha'),
  createdAt: createdAt(),
  archivedAt: archivedAt(),
});

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    archivedAt: archivedAt(),
  },
  (t) => [uniqueIndex('tenants_project_slug').on(t.projectId, t.slug)],
);

export const environments = pgTable(
  'environments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    slug: text('slug').notNull(),
    approvalRequired: boolean('approval_required').notNull().default(false),
    quorum: integer('quorum').notNull().default(1),
    blockSelfApproval: boolean('block_self_approval').notNull().default(true),
    archivedAt: archivedAt(),
  },
  (t) => [uniqueIndex('environments_project_slug').on(t.projectId, t.slug)],
);

export const tenantEnvironments = pgTable(
  'tenant_environments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id),
    archivedAt: archivedAt(),
  },
  (t) => [uniqueIndex('tenant_environments_pair').on(t.tenantId, t.environmentId)],
);

/** Services archived in a tenant-environment: their files stay in Git, Backtrack refuses to change them. */
export const archivedServices = pgTable(
  'archived_services',
  {
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    service: text('service').notNull(),
    archivedAt: instant('archived_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantEnvironmentId, t.service] })],
);

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    role: text('role', { enum: ROLES }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.projectId] })],
);

export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  projectId: text('project_id')
    .notNull()
    .references(() => projects.id),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const agentScopes = pgTable(
  'agent_scopes',
  {
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.tenantEnvironmentId] })],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    /** sha256 of the token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    /** Exactly one of user_id, agent_id and project_id is set; project_id marks a repository read token. */
    userId: text('user_id').references(() => users.id),
    agentId: text('agent_id').references(() => agents.id),
    projectId: text('project_id').references(() => projects.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at'),
    lastUsedAt: instant('last_used_at'),
    revokedAt: instant('revoked_at'),
  },
  (t) => [index('api_tokens_user').on(t.userId), index('api_tokens_project').on(t.projectId)],
);

export const rollbackRequests = pgTable(
  'rollback_requests',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    mode: text('mode', { enum: ROLLBACK_MODES }).notNull(),
    targetSha: text('target_sha').notNull(),
    service: text('service'),
    selectedFields: json<SelectedField[]>('selected_fields').notNull(),
    affectedServices: json<string[]>('affected_services').notNull(),
    justification: text('justification').notNull(),
    baseSha: text('base_sha').notNull(),
    previewHash: text('preview_hash').notNull(),
    /** The impact counts of that preview; null on requests made before they were kept. */
    previewImpact: json<DiffCounts>('preview_impact'),
    state: text('state', { enum: REQUEST_STATES }).notNull(),
    requestedById: text('requested_by_id')
      .notNull()
      .references(() => users.id),
    breakGlassSessionId: text('break_glass_session_id').references(() => breakGlassSessions.id),
    /** Quorum the environment required when the request was made. */
    requiredApprovals: integer('required_approvals').notNull(),
    approvalRequired: boolean('approval_required').notNull(),
    resultSha: text('result_sha'),
    error: text('error'),
    errorCode: text('error_code'),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull(),
    approvedAt: instant('approved_at'),
    rejectedAt: instant('rejected_at'),
    executingAt: instant('executing_at'),
    completedAt: instant('completed_at'),
    failedAt: instant('failed_at'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    index('rollback_requests_te_state').on(t.tenantEnvironmentId, t.state),
    index('rollback_requests_project').on(t.projectId, t.createdAt),
  ],
);

export const rollbackReviews = pgTable(
  'rollback_reviews',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => rollbackRequests.id),
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => users.id),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rollback_reviews_once').on(t.requestId, t.reviewerId)],
);

/** A FULL request's deployment record from its preview, until the request completes (RollbackRequestStore.previewChanges). */
export const rollbackRequestPreviews = pgTable('rollback_request_previews', {
  requestId: text('request_id')
    .primaryKey()
    .references(() => rollbackRequests.id),
  changes: json<RecordedChanges>('changes').notNull(),
});

export const rollbackNotes = pgTable(
  'rollback_notes',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => rollbackRequests.id),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    note: text('note').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('rollback_notes_request').on(t.requestId)],
);

export const breakGlassSessions = pgTable(
  'break_glass_sessions',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    justification: text('justification').notNull(),
    openedAt: instant('opened_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    closedAt: instant('closed_at'),
  },
  (t) => [index('break_glass_sessions_user').on(t.projectId, t.userId)],
);

export const deployments = pgTable(
  'deployments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    revision: text('revision').notNull(),
    /** Position of the commit in main's history (oldest = 1); the stable order and cursor of the history. */
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    committedAt: instant('committed_at').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    authorId: text('author_id').references(() => users.id),
    changesSummary: json<string[]>('changes_summary').notNull(),
    /** Files of the tenant-environment this commit changed, relative to its directory. */
    changedPaths: json<string[]>('changed_paths').notNull(),
    source: text('source', { enum: DEPLOYMENT_SOURCES }).notNull(),
    status: text('status', { enum: DEPLOYMENT_STATUSES }).notNull(),
    rollbackRequestId: text('rollback_request_id').references(() => rollbackRequests.id),
    /** Set when a later rollback reverted this deployment. */
    rolledBackById: text('rolled_back_by_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deployments_te_revision').on(t.tenantEnvironmentId, t.revision),
    index('deployments_te_sequence').on(t.tenantEnvironmentId, t.sequence),
    index('deployments_request').on(t.rollbackRequestId),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    projectId: text('project_id').references(() => projects.id),
    actorUserId: text('actor_user_id').references(() => users.id),
    actorAgentId: text('actor_agent_id').references(() => agents.id),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    tenantEnvironmentId: text('tenant_environment_id').references(() => tenantEnvironments.id),
    details: json<Record<string, unknown>>('details').notNull(),
    breakGlassSessionId: text('break_glass_session_id').references(() => breakGlassSessions.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_project').on(t.projectId, t.id),
    index('audit_events_break_glass').on(t.breakGlassSessionId),
  ],
);

export const syncReports = pgTable(
  'sync_statuses',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    revision: text('revision').notNull(),
    syncState: text('sync_state', { enum: SYNC_STATES }).notNull(),
    health: text('health', { enum: HEALTH_STATES }).notNull(),
    liveValues: json<LiveServiceValues[]>('live_values').notNull(),
    reportedAt: instant('reported_at').notNull(),
  },
  (t) => [index('sync_statuses_te').on(t.tenantEnvironmentId, t.id)],
);

/** Every commit of main the history has indexed, with its position (oldest = 1): the sequence its deployments carry. */
export const indexedCommits = pgTable(
  'indexed_commits',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    sha: text('sha').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    merge: boolean('merge').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.sha] }),
    uniqueIndex('indexed_commits_sequence').on(t.projectId, t.sequence),
    // Whether a merge lies after a rollback's target: a seek, not a scan of the positions since.
    index('indexed_commits_merges').on(t.projectId, t.merge, t.sequence),
  ],
);

/**
 * What each deployment changed: a row per changed file, and per YAML path whose value changed
 * (`leaf`) or had a value below it change (`branch`); `unparsed` where a side is not valid YAML.
 * Later-change warnings and "rolled back" marking are range scans over it instead of walks through Git.
 */
export const deploymentChanges = pgTable(
  'deployment_changes',
  {
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    file: text('file').notNull(),
    level: text('level', { enum: CHANGE_LEVELS }).notNull(),
    path: text('path').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deploymentId, t.file, t.level, t.path] }),
    // Covering the range reads of a file's changes (the later-change warnings, the rolled-back marking).
    index('deployment_changes_by_file').on(t.tenantEnvironmentId, t.file, t.sequence, t.level, t.path, t.deploymentId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Approvals for every protected action (issue 17): release and promotion requests with their
// reviews, post-incident notes on deployments, and which services a rollback reverted.

/**
 * Release and promotion requests. Their own table rather than rows of rollback_requests: their
 * payload (the edits to commit) shares nothing with a rollback's plan columns, which stay NOT NULL.
 */
export const changeRequests = pgTable(
  'change_requests',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    tenantEnvironmentId: text('tenant_environment_id')
      .notNull()
      .references(() => tenantEnvironments.id),
    kind: text('kind', { enum: CHANGE_REQUEST_KINDS }).notNull(),
    description: text('description'),
    payload: json<ReleasePayload | PromotionPayload>('payload').notNull(),
    affectedServices: json<string[]>('affected_services').notNull(),
    environmentWide: boolean('environment_wide').notNull(),
    baseSha: text('base_sha'),
    state: text('state', { enum: REQUEST_STATES }).notNull(),
    requestedById: text('requested_by_id')
      .notNull()
      .references(() => users.id),
    breakGlassSessionId: text('break_glass_session_id').references(() => breakGlassSessions.id),
    requiredApprovals: integer('required_approvals').notNull(),
    approvalRequired: boolean('approval_required').notNull(),
    resultSha: text('result_sha'),
    error: text('error'),
    errorCode: text('error_code'),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull(),
    approvedAt: instant('approved_at'),
    rejectedAt: instant('rejected_at'),
    executingAt: instant('executing_at'),
    completedAt: instant('completed_at'),
    failedAt: instant('failed_at'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('change_requests_te_state').on(t.tenantEnvironmentId, t.state), index('change_requests_project_state').on(t.projectId, t.state)],
);

export const changeReviews = pgTable(
  'change_reviews',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => changeRequests.id),
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => users.id),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('change_reviews_once').on(t.requestId, t.reviewerId)],
);

export const deploymentNotes = pgTable(
  'deployment_notes',
  {
    id: text('id').primaryKey(),
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    note: text('note').notNull(),
    rootCause: text('root_cause'),
    correctiveActions: json<string[]>('corrective_actions').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('deployment_notes_deployment').on(t.deploymentId)],
);

export const deploymentReversions = pgTable(
  'deployment_reversions',
  {
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id),
    rollbackRequestId: text('rollback_request_id')
      .notNull()
      .references(() => rollbackRequests.id),
    services: json<string[]>('services').notNull(),
    whole: boolean('whole').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.rollbackRequestId] })],
);

/** Where a project's notifications go (a webhook, Slack, Argo CD); the secret is never read back out through the API. */
export const notificationTargets = pgTable(
  'notification_targets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: NOTIFICATION_TARGET_KINDS }).notNull(),
    url: text('url').notNull(),
    secret: text('secret'),
    /** Empty: every kind the target type takes. */
    eventKinds: json<NotificationEventKind[]>('event_kinds').notNull(),
    /** Empty: every tenant-environment. */
    tenantEnvironmentIds: json<string[]>('tenant_environment_ids').notNull(),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [uniqueIndex('notification_targets_project_name').on(t.projectId, t.name)],
);

/** The outbox (see src/db/sqlite/schema.ts); claimed with FOR UPDATE SKIP LOCKED here. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    targetId: text('target_id')
      .notNull()
      .references(() => notificationTargets.id, { onDelete: 'cascade' }),
    /** The event's id, sent as its idempotency key on every attempt. */
    eventId: text('event_id').notNull(),
    eventKind: text('event_kind', { enum: NOTIFICATION_EVENT_KINDS }).notNull(),
    tenantEnvironmentId: text('tenant_environment_id'),
    payload: json<Record<string, unknown>>('payload').notNull(),
    state: text('state', { enum: NOTIFICATION_DELIVERY_STATES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: instant('lease_expires_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    lastAttemptAt: instant('last_attempt_at'),
    deliveredAt: instant('delivered_at'),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('notification_deliveries_target_event').on(t.targetId, t.eventId),
    index('notification_deliveries_pending').on(t.state, t.targetId, t.id),
    index('notification_deliveries_project').on(t.projectId, t.id),
  ],
);
