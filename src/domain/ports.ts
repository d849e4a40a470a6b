/**
 * The ports the domain owns: stores (persistence), transactions, the project repositories (Git),
 * the event bus, locks, the clock, and compute (compute.ts). Adapters live outside the domain:
 * `src/db/stores` (SQLite, PostgreSQL), `test/kit/memory-stores.ts` (in memory), `src/git` (nodegit),
 * `src/events`, `src/compute` (worker threads).
 */
import type { Compute } from './compute';
import type { DomainEvent } from './events';
import type { Notice } from './notifications/notices';
import type {
  Agent,
  ApiToken,
  AuditEvent,
  BreakGlassSession,
  ChangeLevel,
  ChangeRequest,
  Deployment,
  DeploymentChange,
  DeploymentNote,
  DeploymentReversion,
  DeploymentStatus,
  Environment,
  IndexedCommit,
  Membership,
  NotificationDelivery,
  NotificationDeliveryState,
  NotificationTarget,
  Organization,
  Project,
  RecordedChanges,
  RequestState,
  RollbackNote,
  RollbackRequest,
  RollbackReview,
  SyncReport,
  Tenant,
  TenantEnvironment,
  TenantEnvironmentRef,
  User,
} from './model';

// ---------------------------------------------------------------------------------------------
// Stores. Methods that change data start with one of WRITE_VERBS; outside a transaction only
// the others are available (see ReadStores).

export interface OrganizationStore {
  insert(organization: Omit<Organization, 'createdAt' | 'archivedAt'>): Promise<void>;
  byId(id: string): Promise<Organization | null>;
  bySlug(slug: string): Promise<Organization | null>;
  /** Every organization, by slug (archived ones included). */
  all(): Promise<Organization[]>;
  setDetails(id: string, details: Pick<Organization, 'name' | 'plan' | 'featureFlags'>): Promise<void>;
  /** Archives (a date) or restores (null). */
  setArchivedAt(id: string, at: Date | null): Promise<void>;
}

export interface ProjectStore {
  insert(project: Omit<Project, 'createdAt' | 'indexedSha' | 'archivedAt'>): Promise<Project>;
  byId(id: string): Promise<Project | null>;
  bySlug(slug: string): Promise<Project | null>;
  byIds(ids: readonly string[]): Promise<Project[]>;
  /** Every project, by slug (archived ones included). */
  all(): Promise<Project[]>;
  setIndexedSha(id: string, sha: string): Promise<void>;
  setName(id: string, name: string): Promise<void>;
  setArchivedAt(id: string, at: Date | null): Promise<void>;
}

export interface TenantStore {
  insert(tenant: Omit<Tenant, 'archivedAt'>): Promise<void>;
  bySlug(projectId: string, slug: string): Promise<Tenant | null>;
  /** By slug, archived ones included. */
  ofProject(projectId: string): Promise<Tenant[]>;
  setName(id: string, name: string): Promise<void>;
  setArchivedAt(id: string, at: Date | null): Promise<void>;
}

export interface TenantEnvironmentStore {
  /** The tenant-environment of these slugs, created (with its tenant and environment) when missing; returns its id. */
  ensure(projectId: string, tenantSlug: string, environmentSlug: string, ids: { tenant: string; environment: string; tenantEnvironment: string }): Promise<string>;
  /** A tenant-environment of an existing tenant and environment of the project. */
  insert(row: { id: string; projectId: string; tenantId: string; environmentId: string }): Promise<void>;
  /** With project, organization, tenant and environment; in the order of `ids`, null where unknown. */
  byIds(ids: readonly string[]): Promise<Array<TenantEnvironment | null>>;
  bySlugs(ref: TenantEnvironmentRef): Promise<TenantEnvironment | null>;
  /** Archived ones included. */
  ofProject(projectId: string): Promise<TenantEnvironment[]>;
  setArchivedAt(id: string, at: Date | null): Promise<void>;
  /** The services archived in the tenant-environment, by name. */
  archivedServices(tenantEnvironmentId: string): Promise<string[]>;
  /** Archives (a date) or restores (null) one service of the tenant-environment. */
  setServiceArchivedAt(tenantEnvironmentId: string, service: string, at: Date | null): Promise<void>;
}

export interface ApprovalPolicy {
  approvalRequired: boolean;
  quorum: number;
  blockSelfApproval: boolean;
}

export interface EnvironmentStore {
  insert(environment: Omit<Environment, 'archivedAt'>): Promise<void>;
  bySlug(projectId: string, slug: string): Promise<Environment | null>;
  /** By slug, archived ones included. */
  ofProject(projectId: string): Promise<Environment[]>;
  setPolicy(id: string, policy: ApprovalPolicy): Promise<Environment>;
  setArchivedAt(id: string, at: Date | null): Promise<void>;
  /** In the order of `ids`, null where unknown. */
  byIds(ids: readonly string[]): Promise<Array<Environment | null>>;
}

export interface UserStore {
  /** False when the email is taken. */
  insert(user: Omit<User, 'createdAt'>): Promise<boolean>;
  byId(id: string): Promise<User | null>;
  byIds(ids: readonly string[]): Promise<Array<User | null>>;
  byEmail(email: string): Promise<User | null>;
  /** Every user, by email. */
  all(): Promise<User[]>;
}

export interface MembershipStore {
  upsert(membership: Membership): Promise<void>;
  ofUser(userId: string): Promise<Membership[]>;
  ofProject(projectId: string): Promise<Membership[]>;
  /** False when the user had no role in the project. */
  remove(userId: string, projectId: string): Promise<boolean>;
}

export interface AgentStore {
  insert(agent: Omit<Agent, 'createdAt'>, tenantEnvironmentIds: readonly string[]): Promise<void>;
  byId(id: string): Promise<Agent | null>;
  /** Oldest first. */
  ofProject(projectId: string): Promise<Agent[]>;
  scopesOf(agentId: string): Promise<string[]>;
  setScopes(agentId: string, tenantEnvironmentIds: readonly string[]): Promise<void>;
}

export type NewApiToken = Omit<ApiToken, 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'projectId' | 'expiresAt'> &
  Partial<Pick<ApiToken, 'projectId' | 'expiresAt'>>;

export interface TokenStore {
  /** `projectId` and `expiresAt` default to null (`expiresAt` null: never expires). */
  insert(token: NewApiToken): Promise<void>;
  /**
   * The token with this hash, unless revoked (expiry is the caller's to check, against its clock),
   * with its user (null for an agent's or a repository token, or a user since deleted) and their
   * project roles: one read per authenticated request.
   */
  activeWithUserByHash(tokenHash: string): Promise<{ token: ApiToken; user: User | null; memberships: Membership[] } | null>;
  byId(id: string): Promise<ApiToken | null>;
  /** The project's repository read tokens, revoked ones included, newest first. */
  ofProject(projectId: string): Promise<ApiToken[]>;
  /** The user's tokens, revoked and expired ones included, newest first. */
  ofUser(userId: string): Promise<ApiToken[]>;
  /** Revokes the token if it is not revoked yet; false when it already was (or does not exist). */
  revoke(id: string, now: Date): Promise<boolean>;
  /** Revokes a user's active tokens (only those with this name, when given); returns how many. */
  revokeOfUser(userId: string, name: string | undefined, now: Date): Promise<number>;
  /** Records a use at `now`, unless one was recorded after `unlessAfter` (so busy tokens are written rarely). */
  setLastUsed(id: string, now: Date, unlessAfter: Date): Promise<void>;
}

export type NewDeployment = Omit<Deployment, 'createdAt' | 'rolledBackById'>;

/**
 * More of a page of a list kept newest first by an integer key (deployment sequence, audit id):
 * a lower bound, and from which end of the bounded list the rows are taken (they always come
 * back newest first). What backward paging (`last`/`before`) needs.
 */
export interface KeyWindow {
  /** Only keys above this one (default: no lower bound). */
  above?: number | null;
  /** Take the `limit` rows with the lowest keys instead of the highest. */
  fromOldest?: boolean;
}

export interface DeploymentStore {
  /**
   * Inserts in order. A deployment of a revision the tenant-environment already has keeps its id and
   * row and takes the new row's sequence (history is renumbered when it is indexed again from the root).
   * Returns each row's id and whether it was inserted.
   */
  upsertIndexed(rows: readonly NewDeployment[]): Promise<Array<{ id: string; inserted: boolean }>>;
  byIds(ids: readonly string[]): Promise<Array<Deployment | null>>;
  /** The deployment each rollback request produced, in the order of `requestIds`. */
  byRequestIds(requestIds: readonly string[]): Promise<Array<Deployment | null>>;
  byRevision(tenantEnvironmentId: string, revision: string): Promise<Deployment | null>;
  /** Newest first, with sequence below `beforeSequence` (and within `window`). */
  page(tenantEnvironmentId: string, beforeSequence: number, limit: number, window?: KeyWindow): Promise<Deployment[]>;
  /** Oldest first: the tenant-environment's deployments with a sequence in the range. */
  inRange(tenantEnvironmentId: string, range: SequenceRange): Promise<Array<Pick<Deployment, 'id' | 'revision' | 'sequence'>>>;
  /** Ids of the tenant-environment's deployments of these revisions. */
  idsAtRevisions(tenantEnvironmentId: string, revisions: readonly string[]): Promise<string[]>;
  /** Moves deployments in status `from` (or any of several) to `to`, and records which rollback reverted them. */
  setStatus(ids: readonly string[], from: DeploymentStatus | readonly DeploymentStatus[], to: DeploymentStatus, rolledBackById?: string | null): Promise<void>;
}

/** Sequences after `after`, up to and including `upTo`. */
export interface SequenceRange {
  after: number;
  upTo: number;
}

/** A change row of the tenant-environment asked about, with its deployment's revision (what range reads need, no more). */
export type RecordedChange = Pick<DeploymentChange, 'sequence' | 'file' | 'level' | 'path'> & { revision: string };

/**
 * The history index: every commit of main with its position, and what each deployment changed, so
 * questions about a range of history ("which later commits changed this field") are range scans.
 */
export interface HistoryIndexStore {
  insertCommits(projectId: string, commits: readonly IndexedCommit[]): Promise<void>;
  /** Forgets the project's indexed commits, before its history is indexed again from the root. */
  deleteCommits(projectId: string): Promise<void>;
  /** The highest sequence indexed (0 when none). */
  lastSequence(projectId: string): Promise<number>;
  /**
   * The project's indexed head if that commit is in the index (null when it has none, or a database
   * from before the index); undefined when the project does not exist. One read, for every history read and write.
   */
  indexedHead(projectId: string): Promise<string | null | undefined>;
  /** The sequences of those of `shas` that are indexed. */
  sequencesOf(projectId: string, shas: readonly string[]): Promise<Map<string, number>>;
  /** Whether a merge commit lies in the range. */
  mergeInRange(projectId: string, range: SequenceRange): Promise<boolean>;
  /** Inserts change rows; a row already stored takes the new sequence. */
  upsertChanges(rows: readonly DeploymentChange[]): Promise<void>;
  /**
   * Oldest first: the tenant-environment's change rows of these levels, for one file (only the rows
   * at `paths` when given) or every file below a prefix.
   */
  changesOf(
    tenantEnvironmentId: string,
    where: { file: string; paths?: readonly string[] } | { filePrefix: string },
    levels: readonly ChangeLevel[],
    range: SequenceRange,
  ): Promise<RecordedChange[]>;
}

export type RequestPatch = Partial<Omit<RollbackRequest, 'id' | 'projectId' | 'tenantEnvironmentId' | 'createdAt'>>;

export interface RollbackRequestStore {
  insert(request: RollbackRequest): Promise<RollbackRequest>;
  byId(id: string): Promise<RollbackRequest | null>;
  byIds(ids: readonly string[]): Promise<Array<RollbackRequest | null>>;
  /** Applies `patch` only while the request is still in state `from`; null when it no longer is. */
  transition(id: string, from: RequestState, patch: RequestPatch): Promise<RollbackRequest | null>;
  /** Newest first. */
  ofTenantEnvironment(tenantEnvironmentId: string, states: readonly RequestState[] | null): Promise<RollbackRequest[]>;
  /** Oldest first; of one project when `projectId` is given. */
  inStates(states: readonly RequestState[], projectId?: string | null): Promise<RollbackRequest[]>;
  /** Completed requests, most recently completed first. */
  completedOf(tenantEnvironmentId: string, limit: number): Promise<RollbackRequest[]>;
  /** Target revisions of requests completed since `since`, with how often each was the target. */
  completedTargetsSince(tenantEnvironmentId: string, since: Date): Promise<Array<{ revision: string; rollbacks: number }>>;
  /**
   * A FULL request's deployment record as its preview computed it, kept until the request completes:
   * executed on the directory that preview saw, the rollback records it instead of comparing again.
   */
  insertPreviewChanges(requestId: string, changes: RecordedChanges): Promise<void>;
  previewChanges(requestId: string): Promise<RecordedChanges | null>;
  deletePreviewChanges(requestId: string): Promise<void>;
}

export type ChangeRequestPatch = Partial<Omit<ChangeRequest, 'id' | 'projectId' | 'tenantEnvironmentId' | 'createdAt' | 'kind'>>;

/** Release and promotion requests (their reviews are a RollbackReviewStore over their own table). */
export interface ChangeRequestStore {
  insert(request: ChangeRequest): Promise<ChangeRequest>;
  byId(id: string): Promise<ChangeRequest | null>;
  byIds(ids: readonly string[]): Promise<Array<ChangeRequest | null>>;
  /** Applies `patch` only while the request is still in state `from`; null when it no longer is. */
  transition(id: string, from: RequestState, patch: ChangeRequestPatch): Promise<ChangeRequest | null>;
  /** Newest first. */
  ofTenantEnvironment(tenantEnvironmentId: string, states: readonly RequestState[] | null): Promise<ChangeRequest[]>;
  /** Oldest first. */
  inStates(states: readonly RequestState[], projectId?: string | null): Promise<ChangeRequest[]>;
}

export interface DeploymentNoteStore {
  insert(note: DeploymentNote): Promise<void>;
  /** Oldest first, grouped in the order of `deploymentIds`. */
  ofDeployments(deploymentIds: readonly string[]): Promise<DeploymentNote[][]>;
}

export interface DeploymentReversionStore {
  insert(rows: readonly DeploymentReversion[]): Promise<void>;
  /** Oldest first, grouped in the order of `deploymentIds`. */
  ofDeployments(deploymentIds: readonly string[]): Promise<DeploymentReversion[][]>;
}

export interface RollbackReviewStore {
  insert(review: RollbackReview): Promise<void>;
  /** Oldest first, grouped in the order of `requestIds`. */
  ofRequests(requestIds: readonly string[]): Promise<RollbackReview[][]>;
  byReviewer(requestId: string, reviewerId: string): Promise<RollbackReview | null>;
  /** In the order of `ids`, null where unknown. */
  byIds(ids: readonly string[]): Promise<Array<RollbackReview | null>>;
}

export interface RollbackNoteStore {
  insert(note: RollbackNote): Promise<void>;
  ofRequests(requestIds: readonly string[]): Promise<RollbackNote[][]>;
  /** In the order of `ids`, null where unknown. */
  byIds(ids: readonly string[]): Promise<Array<RollbackNote | null>>;
}

export interface BreakGlassStore {
  insert(session: BreakGlassSession): Promise<void>;
  byId(id: string): Promise<BreakGlassSession | null>;
  byIds(ids: readonly string[]): Promise<Array<BreakGlassSession | null>>;
  /** The session the user has open in the project at `now`, if any ("mayUseBreakGlass"). */
  activeFor(userId: string, projectId: string, now: Date): Promise<BreakGlassSession | null>;
  /** Newest first. */
  ofProject(projectId: string): Promise<BreakGlassSession[]>;
  /** Closes it if still open; false when it was closed already. */
  close(id: string, now: Date): Promise<boolean>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

export interface AuditFilter {
  action?: string | null;
  actorUserId?: string | null;
  tenantEnvironmentId?: string | null;
  /** Only events of these tenant-environments (an agent's scope). */
  tenantEnvironmentIds?: readonly string[] | null;
  breakGlassOnly?: boolean | null;
  breakGlassSessionId?: string | null;
}

/** An event of a user's action in a project; the store finds its break-glass session. */
export type UserAuditEvent = Omit<NewAuditEvent, 'actorUserId' | 'actorAgentId' | 'projectId' | 'breakGlassSessionId'> & { actorUserId: string; projectId: string };

export interface AuditStore {
  insert(event: NewAuditEvent): Promise<void>;
  /**
   * The event, flagged with the break-glass session its user has open in its project at `createdAt`
   * (what breakGlass.activeFor answers; none when none), found by the insert itself: one round trip.
   */
  insertFlaggingBreakGlass(event: UserAuditEvent): Promise<void>;
  /** Newest first, ids below `beforeId` (and within the window). */
  list(projectId: string, filter: AuditFilter, page: { limit: number; beforeId: number | null } & KeyWindow): Promise<AuditEvent[]>;
  /** In the order of `ids`, null where unknown. */
  byIds(ids: readonly number[]): Promise<Array<AuditEvent | null>>;
}

export interface SyncReportStore {
  insert(report: Omit<SyncReport, 'id'>): Promise<SyncReport>;
  latest(tenantEnvironmentId: string): Promise<SyncReport | null>;
  /** When each tenant-environment's agent last reported (null: never). */
  latestReportTimes(): Promise<Array<{ tenantEnvironmentId: string; reportedAt: Date | null }>>;
}

export interface NotificationTargetStore {
  /** Creates the project's target of this name, or replaces its settings; returns the stored row. */
  upsert(target: Omit<NotificationTarget, 'createdAt'>): Promise<NotificationTarget>;
  byId(id: string): Promise<NotificationTarget | null>;
  byIds(ids: readonly string[]): Promise<Array<NotificationTarget | null>>;
  /** By name. */
  ofProject(projectId: string): Promise<NotificationTarget[]>;
  /** False when it did not exist; its deliveries go with it. */
  remove(id: string): Promise<boolean>;
}

export type NewNotificationDelivery = Pick<NotificationDelivery, 'projectId' | 'targetId' | 'eventId' | 'eventKind' | 'tenantEnvironmentId' | 'payload' | 'nextAttemptAt' | 'createdAt'>;

/** What one attempt left: the next state and what the receiver answered. */
export type DeliveryOutcome = Pick<NotificationDelivery, 'state' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'lastAttemptAt' | 'deliveredAt'>;

export interface NotificationDeliveryStore {
  /** The outbox rows of one change; a row already there for the same target and event is kept (and not counted). */
  insert(rows: readonly NewNotificationDelivery[]): Promise<number>;
  byId(id: number): Promise<NotificationDelivery | null>;
  /** Newest first, ids below `beforeId` (and within the window). */
  list(projectId: string, filter: { targetId?: string | null; state?: NotificationDeliveryState | null }, page: { limit: number; beforeId: number | null } & KeyWindow): Promise<NotificationDelivery[]>;
  /** Whether a target's head row is due and free at `now` (a read before a claiming transaction). */
  anyDue(now: Date): Promise<boolean>;
  /**
   * Leases up to `limit` rows to `owner` until `leaseUntil`: for each target only its oldest PENDING
   * row, when it is due and not leased by someone else, so a target's events go out in order and one
   * row is worked on by one dispatcher at a time. Call inside a transaction.
   */
  setLeases(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<NotificationDelivery[]>;
  /** Records an attempt and releases the lease, only while `owner` still holds it. */
  setOutcome(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Queues the row again (any state), due at `now`, with a fresh attempt budget; null when it is unknown or leased (an attempt under way). */
  setRedeliver(id: number, now: Date): Promise<NotificationDelivery | null>;
}

export interface Stores {
  organizations: OrganizationStore;
  projects: ProjectStore;
  tenants: TenantStore;
  tenantEnvironments: TenantEnvironmentStore;
  environments: EnvironmentStore;
  users: UserStore;
  memberships: MembershipStore;
  agents: AgentStore;
  tokens: TokenStore;
  deployments: DeploymentStore;
  historyIndex: HistoryIndexStore;
  requests: RollbackRequestStore;
  reviews: RollbackReviewStore;
  notes: RollbackNoteStore;
  changeRequests: ChangeRequestStore;
  changeReviews: RollbackReviewStore;
  deploymentNotes: DeploymentNoteStore;
  reversions: DeploymentReversionStore;
  breakGlass: BreakGlassStore;
  audit: AuditStore;
  syncReports: SyncReportStore;
  notificationTargets: NotificationTargetStore;
  notificationDeliveries: NotificationDeliveryStore;
}

export const WRITE_VERBS = ['insert', 'upsert', 'ensure', 'set', 'transition', 'close', 'revoke', 'delete', 'remove'] as const;
type WriteVerb = (typeof WRITE_VERBS)[number];
type ReadsOf<S> = { [K in keyof S as K extends `${WriteVerb}${string}` ? never : K]: S[K] };

/** What may be read outside a transaction: committed data only, no writes. */
export type ReadStores = { [K in keyof Stores]: ReadsOf<Stores[K]> };

// ---------------------------------------------------------------------------------------------
// Transactions: the work gets stores bound to one transaction; events it emits are published
// only once that transaction has committed.

export interface Transaction {
  stores: Stores;
  emit(event: DomainEvent): void;
  /** Something to tell notification targets about that is no domain event (break-glass opened, drift, an agent gone silent). */
  notify(notice: Notice): void;
}

/**
 * The transactional outbox: turns what a transaction emitted into notification rows, written in
 * that same transaction; `written` runs after the commit when there were any (a dispatcher wakes).
 */
export interface Outbox {
  write(stores: Stores, events: readonly DomainEvent[], notices: readonly Notice[]): Promise<number>;
  written(): void;
}

export type Transact = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;

/** What a persistence adapter provides: run `work` in one transaction on stores bound to it. */
export type RunInTransaction = <T>(work: (stores: Stores) => Promise<T>) => Promise<T>;

// ---------------------------------------------------------------------------------------------
// Git: each project's hosted bare repository.

export interface GitAuthor {
  name: string;
  email: string;
  when?: Date;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  authoredAt: Date;
  committedAt: Date;
}

export interface FileChange {
  path: string;
  /** `null` deletes the file. */
  content: string | Buffer | null;
}

/** Sets the directory at `path` to an existing tree of the repository (a FULL rollback restores the target's directory as it was). */
export interface TreeEntryChange {
  path: string;
  treeId: string;
}

export type RepositoryChange = FileChange | TreeEntryChange;

/** A file that differs between two trees; null id and mode: absent on that side. Modes are Git's (0o160000: a submodule, no file). */
export interface TreeDiffEntry {
  path: string;
  oldId: string | null;
  newId: string | null;
  oldMode: number | null;
  newMode: number | null;
}

/**
 * A project's repository. Errors carry a `code`: REVISION_NOT_FOUND for an unknown revision,
 * REF_CONFLICT when the compare-and-swap of the branch failed (it moved meanwhile).
 */
export interface GitRepository {
  readonly path: string;
  head(): Promise<string | null>;
  resolveRevision(revision: string): Promise<string>;
  commitInfo(sha: string): Promise<CommitInfo>;
  readFile(sha: string, path: string): Promise<Buffer | null>;
  readDirectory(sha: string, dir: string): Promise<Map<string, Buffer>>;
  listDirectories(sha: string, dir: string): Promise<string[]>;
  /** The id of the tree (or blob) at `path`, null when absent; '' is the root tree. */
  treeIdOf(sha: string, path: string): Promise<string | null>;
  changedPaths(fromSha: string | null, toSha: string, prefix?: string): Promise<string[]>;
  /** The files that differ below `prefix`, with their blob ids (null: absent on that side); only changed subtrees are read. */
  diffTree(fromSha: string | null, toSha: string, prefix?: string): Promise<TreeDiffEntry[]>;
  /** diffTree of each commit against the parent given (null: a root commit), in the same order. */
  diffTrees(commits: ReadonlyArray<{ sha: string; parent: string | null }>, prefix?: string): Promise<TreeDiffEntry[][]>;
  /** Blob contents by id. */
  readBlobs(ids: readonly string[]): Promise<Map<string, Buffer | null>>;
  /** Newest first; `until` and its ancestors excluded. */
  log(options: { from: string; until?: string; limit?: number }): Promise<CommitInfo[]>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Writes a commit on `expectedHead` and moves main to it by compare-and-swap. */
  commitToBranch(options: { expectedHead: string | null; changes: readonly RepositoryChange[]; message: string; author: GitAuthor }): Promise<string>;
}

/** Another repository cloned (bare) under a temporary name beside the project repositories, for an import. */
export interface StagedRepository {
  readonly repository: GitRepository;
  /** Problems an integrity check finds in its objects (empty when sound). */
  check(): Promise<string[]>;
  /** Moves it into place as the project's repository (refused when one exists). */
  install(projectSlug: string): Promise<GitRepository>;
  /** Removes it, wherever it is (staged, or installed by an import that could not be recorded). */
  discard(): Promise<void>;
}

/** Why a source could not be staged: it cannot be cloned, or it has no such branch (with the branches it has). */
export class StagingError extends Error {
  constructor(
    message: string,
    readonly branches: string[] = [],
  ) {
    super(message);
  }
}

export interface Repositories {
  /** Opens an existing repository; a missing one is reported (code REPOSITORY_MISSING), never recreated. */
  forProject(projectSlug: string): Promise<GitRepository>;
  create(projectSlug: string): Promise<GitRepository>;
  pathFor(projectSlug: string): string;
  /**
   * Clones `source` (a path or a URL the machine reaches) bare under a temporary name, keeping only
   * `branch`, as main, and no remote. Throws StagingError when it cannot.
   */
  stage(source: string, branch: string): Promise<StagedRepository>;
}

export function isGitError(error: unknown, code: 'REVISION_NOT_FOUND' | 'REF_CONFLICT'): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

// ---------------------------------------------------------------------------------------------
// The rest of the world.

export interface EventBus {
  publish(event: DomainEvent): void;
}

/** Serializes work per key (one Git writer per project), across every instance sharing the data. */
export interface Locks {
  /** Waits for the key, then runs `work` holding it. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Runs `work` only if nobody holds the key right now. */
  tryRun<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

export type FaultPoint = 'before-rollback-commit' | 'after-rollback-commit' | 'before-change-commit' | 'after-change-commit';

export interface DomainSettings {
  /** An agent silent for longer than this is reported unreachable. */
  agentSilenceMs: number;
  breakGlassDefaultMinutes: number;
  breakGlassMaxMinutes: number;
  /** Where clients reach this server (PUBLIC_URL, no trailing slash): repository URLs are built on it. */
  publicUrl: string;
}

/** Checks a notification target's URL against the network policy (scheme, resolved addresses, allow-list). */
export interface NotificationNetwork {
  /** The reason the URL is refused, with a stable code; null when it may be used. */
  refusal(url: URL): Promise<{ code: string; message: string } | null>;
}

/** Everything a domain operation works with; built once by the app (or a test). */
export interface Backend {
  /** Committed data; writes go through `transact`. */
  stores: ReadStores;
  transact: Transact;
  repositories: Repositories;
  events: EventBus;
  locks: Locks;
  /** Where CPU-heavy work runs (worker threads in the server), so no request stalls the others. */
  compute: Compute;
  settings: DomainSettings;
  now: () => Date;
  /** The network policy for notification targets; absent (tests in memory): only the URL's form is checked. */
  notificationNetwork?: NotificationNetwork;
  /** Fault injection for crash-recovery tests: pauses execution at a named point. Off in production. */
  faults?: { pause(point: FaultPoint): Promise<void> };
  /** What operators count (metrics, logs) that no domain event says. */
  observer?: {
    /** main moved between planning and the compare-and-swap: the write is planned again (or refused after the last attempt). */
    casRetry(projectId: string, attempt: number): void;
  };
}

/**
 * Turns an adapter's transactions into the domain's: events emitted by the work are published,
 * in order, after the commit (never for a transaction that rolled back).
 */
export function transactWith(run: RunInTransaction, events: EventBus, outbox?: Outbox): Transact {
  return async (work) => {
    const emitted: DomainEvent[] = [];
    const notices: Notice[] = [];
    let rows = 0;
    const result = await run(async (stores) => {
      emitted.length = 0;
      notices.length = 0;
      const value = await work({ stores, emit: (event) => emitted.push(event), notify: (notice) => notices.push(notice) });
      // Derived here, from everything the work emitted, so no state change can forget its notifications.
      if (outbox && (emitted.length > 0 || notices.length > 0)) rows = await outbox.write(stores, emitted, notices);
      return value;
    });
    for (const event of emitted) events.publish(event);
    if (rows > 0) outbox!.written();
    return result;
  };
}
