/**
 * The domain's vocabulary and the records its stores hold. Plain values: the database adapters
 * map their rows to exactly these shapes (dates as Date, JSON columns parsed, booleans as booleans).
 */
/** How much a diff touches: the impact counts of a preview or a comparison. */
export interface DiffCounts {
  files: number;
  services: number;
  bindings: number;
  variables: number;
}

export const PLANS = ['FREE', 'PRO', 'ENTERPRISE'] as const;
export type Plan = (typeof PLANS)[number];
export const FEATURE_FLAGS = ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];
export const ROLES = ['VIEWER', 'DEPLOYER', 'APPROVER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
export const DEPLOYMENT_SOURCES = ['RELEASE', 'PROMOTION', 'ROLLBACK'] as const;
export type DeploymentSource = (typeof DEPLOYMENT_SOURCES)[number];
export const DEPLOYMENT_STATUSES = ['SUCCESS', 'FAILED', 'ROLLED_BACK'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const ROLLBACK_MODES = ['FULL', 'SERVICE', 'FIELD'] as const;
export type RollbackMode = (typeof ROLLBACK_MODES)[number];
export const REQUEST_STATES = ['PENDING', 'APPROVED', 'REJECTED', 'EXECUTING', 'COMPLETED', 'FAILED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const REVIEW_DECISIONS = ['APPROVE', 'REJECT'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const SYNC_STATES = ['SYNCED', 'OUT_OF_SYNC', 'UNKNOWN'] as const;
export type SyncState = (typeof SYNC_STATES)[number];
export const HEALTH_STATES = ['HEALTHY', 'PROGRESSING', 'DEGRADED', 'MISSING'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface SelectedField {
  file: string;
  path: string;
}

export interface LiveServiceValues {
  service: string;
  imageTag?: string | null;
  replicas?: number | null;
  values?: Record<string, unknown>;
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  plan: Plan;
  featureFlags: FeatureFlag[];
  createdAt: Date;
  /** Set while archived: hidden from lists, refuses new writes; history and audit stay readable. */
  archivedAt: Date | null;
}

export interface Project {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  /** Last commit of main whose deployments are recorded; history indexing resumes from here. */
  indexedSha: string | null;
  createdAt: Date;
  archivedAt: Date | null;
}

export interface Tenant {
  id: string;
  projectId: string;
  slug: string;
  name: string;
  archivedAt: Date | null;
}

/** An environment of a project, with its approval policy. */
export interface Environment {
  id: string;
  projectId: string;
  slug: string;
  approvalRequired: boolean;
  quorum: number;
  blockSelfApproval: boolean;
  archivedAt: Date | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

export interface Membership {
  userId: string;
  projectId: string;
  role: Role;
}

export interface Agent {
  id: string;
  projectId: string;
  name: string;
  createdAt: Date;
}

/** A bearer token of exactly one owner: a user, a cluster agent, or a project (a repository read token). */
export interface ApiToken {
  id: string;
  /** sha256 of the token; the token itself is shown once and never stored. */
  tokenHash: string;
  userId: string | null;
  agentId: string | null;
  /** Set for a repository read token: it reads that project's repository over Git HTTP, nothing else. */
  projectId: string | null;
  name: string;
  createdAt: Date;
  /** Past this instant the token authenticates nothing (null: never expires). */
  expiresAt: Date | null;
  /** Last time it served a Git request (written at most once a minute). */
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface RollbackRequest {
  id: string;
  projectId: string;
  tenantEnvironmentId: string;
  mode: RollbackMode;
  targetSha: string;
  service: string | null;
  selectedFields: SelectedField[];
  affectedServices: string[];
  justification: string;
  /** Head of main when the request was made. */
  baseSha: string;
  previewHash: string;
  /** The impact counts of the preview it was planned on (null on requests older than this field). */
  previewImpact: DiffCounts | null;
  state: RequestState;
  requestedById: string;
  breakGlassSessionId: string | null;
  /** Quorum the environment required when the request was made. */
  requiredApprovals: number;
  approvalRequired: boolean;
  resultSha: string | null;
  error: string | null;
  errorCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  approvedAt: Date | null;
  rejectedAt: Date | null;
  executingAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  attempts: number;
}

export interface RollbackReview {
  id: string;
  requestId: string;
  reviewerId: string;
  decision: ReviewDecision;
  comment: string | null;
  createdAt: Date;
}

export interface RollbackNote {
  id: string;
  requestId: string;
  authorId: string;
  note: string;
  createdAt: Date;
}

export interface BreakGlassSession {
  id: string;
  projectId: string;
  userId: string;
  justification: string;
  openedAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
}

export interface Deployment {
  id: string;
  projectId: string;
  tenantEnvironmentId: string;
  revision: string;
  /** Position of the commit in main's history (oldest = 1); the stable order and cursor of the history. */
  sequence: number;
  committedAt: Date;
  authorName: string;
  authorEmail: string;
  authorId: string | null;
  changesSummary: string[];
  /** Files of the tenant-environment this commit changed, relative to its directory. */
  changedPaths: string[];
  source: DeploymentSource;
  status: DeploymentStatus;
  rollbackRequestId: string | null;
  /** Set when a later rollback reverted this deployment. */
  rolledBackById: string | null;
  createdAt: Date;
}

/**
 * What a deployment changed, as the history index stores it: a row per changed file, and per YAML
 * path of an input file whose value changed. `leaf`: the value at `path` (a leaf of the file's
 * mapping: a scalar, a sequence or an empty mapping) changed; `branch`: a value below `path`
 * changed; `unparsed`: one side of the file is not valid YAML, so its fields are unknown.
 */
export const CHANGE_LEVELS = ['file', 'unparsed', 'leaf', 'branch'] as const;
export type ChangeLevel = (typeof CHANGE_LEVELS)[number];

export interface DeploymentChange {
  deploymentId: string;
  tenantEnvironmentId: string;
  /** The deployment's sequence (its commit's position in main's history). */
  sequence: number;
  /** Relative to the tenant-environment directory. */
  file: string;
  level: ChangeLevel;
  /** The YAML field path for `leaf` and `branch`, '' otherwise. */
  path: string;
}

/** What a deployment's record keeps of its diff: the summary lines, the changed files and the history index's rows. */
export interface RecordedChanges {
  summary: string[];
  paths: string[];
  rows: Array<Pick<DeploymentChange, 'file' | 'level' | 'path'>>;
}

/** A commit of main the history has indexed, with its position (oldest = 1). */
export interface IndexedCommit {
  sha: string;
  sequence: number;
  /** More than one parent: the range after it is not one line of commits. */
  merge: boolean;
}

export interface AuditEvent {
  id: number;
  projectId: string | null;
  actorUserId: string | null;
  actorAgentId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  tenantEnvironmentId: string | null;
  details: Record<string, unknown>;
  breakGlassSessionId: string | null;
  createdAt: Date;
}

export interface SyncReport {
  id: number;
  tenantEnvironmentId: string;
  agentId: string;
  revision: string;
  syncState: SyncState;
  health: HealthState;
  liveValues: LiveServiceValues[];
  reportedAt: Date;
}

export interface TenantEnvironmentRef {
  project: string;
  tenant: string;
  environment: string;
}

/** A tenant-environment with everything around it: the unit of rollback. */
export interface TenantEnvironment {
  id: string;
  project: Project;
  organization: Organization;
  tenant: Tenant;
  environment: Environment;
  ref: TenantEnvironmentRef;
  /** This tenant-environment's own archive mark (its tenant, environment, project or organization may be archived too). */
  archivedAt: Date | null;
}

/** The protected actions an environment's approval policy governs. */
export const APPROVAL_ACTIONS = ['RELEASE', 'PROMOTION', 'ROLLBACK'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export const CHANGE_REQUEST_KINDS = ['RELEASE', 'PROMOTION'] as const;
export type ChangeRequestKind = (typeof CHANGE_REQUEST_KINDS)[number];

/** What a release request will commit once approved: the deployRelease input, minus where. */
export interface ReleasePayload {
  services: Array<{ service: string; setFields?: Array<{ file: string; path: string; value?: unknown }>; replaceFiles?: Array<{ file: string; content: string }> }>;
  environmentFields: Array<{ file: string; path: string; value?: unknown }>;
}

/** What a promotion request will commit once approved. */
export interface PromotionPayload {
  fromEnvironment: string;
  /** The services promoted (resolved when the request was made). */
  services: string[];
}

/**
 * A release or promotion waiting for (or through) the environment's approval: the same states,
 * quorum and break-glass rules as a rollback request, with the change itself kept as its payload.
 */
export interface ChangeRequest {
  id: string;
  projectId: string;
  tenantEnvironmentId: string;
  kind: ChangeRequestKind;
  description: string | null;
  payload: ReleasePayload | PromotionPayload;
  /** Services the change touches. */
  affectedServices: string[];
  /** True when it touches the tenant-environment as a whole (variables.yaml, environment.yaml). */
  environmentWide: boolean;
  /** Head of main when the request was made. */
  baseSha: string | null;
  state: RequestState;
  requestedById: string;
  breakGlassSessionId: string | null;
  requiredApprovals: number;
  approvalRequired: boolean;
  resultSha: string | null;
  error: string | null;
  errorCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  approvedAt: Date | null;
  rejectedAt: Date | null;
  executingAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  attempts: number;
}

/** A post-incident note on a deployment (a release, promotion or rollback). */
export interface DeploymentNote {
  id: string;
  deploymentId: string;
  authorId: string;
  note: string;
  rootCause: string | null;
  correctiveActions: string[];
  createdAt: Date;
}

/** Which services of a deployment a rollback reverted (a SERVICE/FIELD rollback reverts only some). */
export interface DeploymentReversion {
  deploymentId: string;
  rollbackRequestId: string;
  services: string[];
  /** True when the rollback reverted the whole deployment. */
  whole: boolean;
  createdAt: Date;
}

export const NOTIFICATION_TARGET_KINDS = ['WEBHOOK', 'SLACK', 'ARGOCD'] as const;
export type NotificationTargetKind = (typeof NOTIFICATION_TARGET_KINDS)[number];

/** What a notification is about. COMMIT_PUSHED (main moved) is what an Argo CD target takes. */
export const NOTIFICATION_EVENT_KINDS = [
  'REQUEST_CREATED',
  'REQUEST_AWAITING_APPROVAL',
  'REQUEST_APPROVED',
  'REQUEST_REJECTED',
  'REQUEST_COMPLETED',
  'REQUEST_FAILED',
  'BREAK_GLASS_OPENED',
  'DEPLOYMENT_RECORDED',
  'AGENT_UNREACHABLE',
  'DRIFT_DETECTED',
  'COMMIT_PUSHED',
] as const;
export type NotificationEventKind = (typeof NOTIFICATION_EVENT_KINDS)[number];

export const NOTIFICATION_DELIVERY_STATES = ['PENDING', 'DELIVERED', 'DEAD'] as const;
export type NotificationDeliveryState = (typeof NOTIFICATION_DELIVERY_STATES)[number];

export interface NotificationTarget {
  id: string;
  projectId: string;
  name: string;
  kind: NotificationTargetKind;
  url: string;
  /** Write-only: used to sign, never returned by the API. */
  secret: string | null;
  /** Empty: every kind the target type takes. */
  eventKinds: NotificationEventKind[];
  /** Empty: every tenant-environment. */
  tenantEnvironmentIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NotificationDelivery {
  id: number;
  projectId: string;
  targetId: string;
  /** Sent as the idempotency key on every attempt. */
  eventId: string;
  eventKind: NotificationEventKind;
  tenantEnvironmentId: string | null;
  payload: Record<string, unknown>;
  state: NotificationDeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}
