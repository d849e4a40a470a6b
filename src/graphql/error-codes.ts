/**
 * Every `extensions.code` the server can return, with its HTTP-like status and what it means: the
 * ErrorCode enum of the schema and the README's error table are printed from this list, and
 * test/schema/error-codes.test.ts fails when a code thrown anywhere in src/ is missing here.
 */

export const ERROR_CODE_GROUPS = [
  'Authentication and access',
  'Rollbacks, revisions and files',
  'Requests, approvals and break-glass',
  'Releases and promotions',
  'Input limits and paging',
  'Query limits and the GraphQL protocol',
  'Server, repository and storage',
  'Onboarding and tokens',
  'Notifications',
  'Administration (CLI)',
] as const;

export type ErrorCodeGroup = (typeof ERROR_CODE_GROUPS)[number];

export interface ErrorCodeInfo {
  group: ErrorCodeGroup;
  /** `extensions.status`; for codes of GraphQL Yoga and its plugins, the HTTP-like status of the refusal. */
  status: number;
  meaning: string;
}

const access = 'Authentication and access';
const rollbacks = 'Rollbacks, revisions and files';
const requests = 'Requests, approvals and break-glass';
const releases = 'Releases and promotions';
const input = 'Input limits and paging';
const protocol = 'Query limits and the GraphQL protocol';
const server = 'Server, repository and storage';
const onboarding = 'Onboarding and tokens';
const admin = 'Administration (CLI)';
const notifications = 'Notifications';

export const ERROR_CODES = {
  UNAUTHENTICATED: {
    group: access,
    status: 401,
    meaning:
      'Missing, unknown or revoked bearer token (every operation but pure introspection needs one); `extensions.reason` is `MISSING` or `UNKNOWN_OR_REVOKED`; a WebSocket is closed with 4403.',
  },
  TOKEN_EXPIRED: {
    group: access,
    status: 401,
    meaning: 'The bearer token has expired (`extensions.reason` `EXPIRED`): ask for a new one. A WebSocket is closed with 4403 saying so; Git over HTTP answers 401 saying so.',
  },
  TOO_MANY_FAILED_AUTHENTICATIONS: {
    group: access,
    status: 429,
    meaning: 'Too many failed authentications from this client address: retry after the `Retry-After` seconds (graphql-ws closes with 4429).',
  },
  NOT_FOUND: {
    group: access,
    status: 404,
    meaning: "No such object, or one in a project the caller has no role in (other teams' objects read as not found); a subscription to such an id is refused with it at once.",
  },
  INSUFFICIENT_ROLE: { group: access, status: 403, meaning: 'The caller\'s role in the project is below the one the operation needs (`extensions.requiredRole`, `extensions.role`).' },
  USER_REQUIRED: { group: access, status: 403, meaning: 'An operation for users, called with a cluster agent\'s token.' },
  AGENT_REQUIRED: { group: access, status: 403, meaning: '`reportSyncStatus` is for cluster agents only.' },
  AGENT_OUT_OF_SCOPE: { group: access, status: 403, meaning: 'The agent does not serve that tenant-environment.' },
  FEATURE_NOT_ENABLED: { group: access, status: 403, meaning: 'The organization lacks a feature flag the operation needs (e.g. `selective_rollback`, `rollback_approval`).' },
  PLAN_REQUIRED: { group: access, status: 403, meaning: 'The organization\'s plan is below the one the rollback mode needs (SERVICE: PRO, FIELD: ENTERPRISE).' },
  FORBIDDEN: {
    group: access,
    status: 403,
    meaning: 'An SSE subscription ended because its token was revoked or the caller\'s roles or scopes changed (a WebSocket is closed with 4403 instead).',
  },

  TARGET_SHA_REQUIRED: { group: rollbacks, status: 400, meaning: '`targetSha is required`' },
  INVALID_TARGET_REVISION: {
    group: rollbacks,
    status: 400,
    meaning: "The target revision does not exist, is not in main's history, is corrupted, or the tenant-environment did not exist at it.",
  },
  REVISION_NOT_FOUND: { group: rollbacks, status: 400, meaning: 'A revision to compare, or one an agent reports, that the repository does not have.' },
  NOTHING_TO_ROLL_BACK: { group: rollbacks, status: 400, meaning: 'In the selected scope the target revision is identical to the current state.' },
  SERVICE_REQUIRED: { group: rollbacks, status: 400, meaning: 'SERVICE and FIELD rollbacks name a service.' },
  SERVICE_NOT_FOUND: { group: rollbacks, status: 400, meaning: 'The service exists at neither the current nor the target revision.' },
  SELECTED_FIELDS_EMPTY: { group: rollbacks, status: 400, meaning: '`selected fields cannot be empty for field mode`' },
  INVALID_FIELD_FILE: { group: rollbacks, status: 400, meaning: 'Selected fields live in `values.yaml`, `bindings.yaml` or `variables.yaml`.' },
  INVALID_FIELD_PATH: { group: rollbacks, status: 400, meaning: 'A malformed YAML field path (e.g. `containers[x].image`, control characters).' },
  FIELD_NOT_FOUND: { group: rollbacks, status: 400, meaning: 'A selected or edited field that exists at neither revision, or not in the file.' },
  FILE_NOT_FOUND: { group: rollbacks, status: 400, meaning: 'The file to patch does not exist at the current revision (a SERVICE rollback restores it).' },
  FILE_NOT_UTF8: { group: rollbacks, status: 400, meaning: 'A field edit in a file that is not UTF-8 text (a FULL rollback restores it byte for byte).' },
  UNSUPPORTED_EDIT: { group: rollbacks, status: 400, meaning: 'A YAML value that cannot be changed in place (shared through an anchor, inherited through a merge key, …).' },
  YAML_PARSE_ERROR: { group: rollbacks, status: 400, meaning: 'A file, or a new value, is not valid YAML (duplicate keys included).' },
  INVALID_YAML: { group: rollbacks, status: 400, meaning: 'The manifests cannot be generated: a file they are made from is not valid YAML.' },
  ROLLBACK_CONFLICT: {
    group: rollbacks,
    status: 409,
    meaning: 'The tenant-environment changed since the preview in the same files or fields: preview again (nothing was written).',
  },
  CONCURRENT_CHANGE: { group: rollbacks, status: 409, meaning: 'main moved while the change was being written: retry (nothing was written).' },
  NOTHING_TO_CHANGE: { group: rollbacks, status: 400, meaning: 'The tenant-environment already has this state: there is nothing to commit.' },

  JUSTIFICATION_REQUIRED: { group: requests, status: 400, meaning: 'A rollback request and a break-glass session need a justification.' },
  REQUEST_NOT_PENDING: { group: requests, status: 400, meaning: '`rollback request is not pending approval` (`release request …`, `promotion request …` for the others)' },
  SELF_REVIEW_FORBIDDEN: { group: requests, status: 403, meaning: '`cannot approve/reject your own rollback request` (`… your own release request`, `… your own promotion request`)' },
  ALREADY_REVIEWED: { group: requests, status: 409, meaning: '`you have already reviewed this rollback request` (or release / promotion request)' },
  APPROVAL_SAVED_EXECUTION_FAILED: {
    group: requests,
    status: 500,
    meaning:
      '`approval saved but rollback execution failed` (`… release execution failed`, `… promotion execution failed`): the approval just saved made it execute, and execution failed; the request is FAILED; `extensions` carry `requestId`, `state`, `kind`, `cause` and `causeCode`; retry it.',
  },
  REQUEST_NOT_FAILED: { group: requests, status: 400, meaning: 'Only a FAILED request can be retried.' },
  INVALID_TRANSITION: { group: requests, status: 400, meaning: 'The request\'s state does not allow this step (another call moved it first).' },
  NOTE_REQUIRED: { group: requests, status: 400, meaning: 'A note cannot be empty.' },
  NOTE_NOT_ALLOWED: { group: requests, status: 400, meaning: 'Post-rollback notes go on COMPLETED or FAILED requests.' },
  EXECUTION_FAILED: { group: requests, status: 500, meaning: 'In `RollbackRequest.errorCode`: execution failed for an unexpected reason (see `error`); retry.' },
  EXECUTION_INTERRUPTED: { group: requests, status: 500, meaning: 'In `RollbackRequest.errorCode`: a server restart interrupted execution before the commit; retry.' },
  INVALID_QUORUM: { group: requests, status: 400, meaning: 'The quorum of an approval policy is a whole number from 1 to 10.' },
  INVALID_DURATION: { group: requests, status: 400, meaning: 'A break-glass duration is a whole number of minutes, at least 1.' },
  BREAK_GLASS_NOT_ACTIVE: { group: requests, status: 400, meaning: 'The break-glass session is already closed or expired (or, for `executeOwnRequestUnderBreakGlass`, you have none open).' },
  APPROVAL_REQUIRED: {
    group: requests,
    status: 403,
    meaning: '`deployRelease` / `promote` on an environment that requires approval: submit it with `requestRelease` / `requestPromotion` (`extensions.mutation`), or open a break-glass session.',
  },
  REQUEST_IN_FLIGHT: {
    group: requests,
    status: 409,
    meaning: 'Another request of the tenant-environment whose scope overlaps is PENDING, APPROVED or EXECUTING (`extensions.existingRequestId`, `existingKind`, `existingState`).',
  },
  PLAN_NO_LONGER_APPLIES: {
    group: requests,
    status: 409,
    meaning: 'The approved change would change nothing on main now (later commits made or undid it): the request ends FAILED with this code and cannot be retried.',
  },
  REQUEST_EXECUTION_FAILED: {
    group: requests,
    status: 500,
    meaning: 'A request that needed no (new) approval failed to execute: it is FAILED; `extensions` carry `requestId`, `state`, `kind`, `cause` and `causeCode`; retry it.',
  },
  NOT_YOUR_REQUEST: { group: requests, status: 400, meaning: 'Only the requester can execute their own pending request under break-glass.' },

  EMPTY_RELEASE: { group: releases, status: 400, meaning: 'A release changes at least one service or environment field.' },
  INVALID_SERVICE_NAME: { group: releases, status: 400, meaning: 'Service names are lowercase letters, digits and dashes.' },
  INVALID_FILE: { group: releases, status: 400, meaning: 'A release edits `values.yaml`, `bindings.yaml`, `variables.yaml` or `environment.yaml` only.' },
  INVALID_PROMOTION: { group: releases, status: 400, meaning: 'An environment cannot be promoted onto itself.' },
  EMPTY_REPOSITORY: { group: releases, status: 400, meaning: 'The repository has no commits yet: there is nothing to compare with.' },

  TEXT_TOO_LONG: { group: input, status: 400, meaning: 'A justification, comment, note or description over its length limit (`extensions.limit`).' },
  INVALID_TEXT: { group: input, status: 400, meaning: 'A text that is not valid Unicode (an unpaired surrogate); nothing was written.' },
  EDIT_TOO_LARGE: { group: input, status: 400, meaning: 'A release or file replacement too large for one edit; nothing was written.' },
  VALUE_TOO_LARGE: { group: input, status: 400, meaning: 'A JSON value holding too many values.' },
  VALUE_TOO_DEEP: { group: input, status: 400, meaning: 'A JSON value nested too deeply.' },
  INVALID_PAGE_SIZE: { group: input, status: 400, meaning: '`first` or `last` outside 0–100.' },
  INVALID_CURSOR: { group: input, status: 400, meaning: 'A cursor that is not one of this connection\'s.' },
  TOO_MANY_IDS: { group: input, status: 400, meaning: '`nodes(ids:)` takes at most 100 ids.' },

  MAX_DEPTH_EXCEEDED: { group: protocol, status: 400, meaning: 'The selection is deeper than `MAX_DEPTH`.' },
  MAX_ALIASES_EXCEEDED: { group: protocol, status: 400, meaning: 'More aliases than `MAX_ALIASES`.' },
  MAX_TOKENS_EXCEEDED: { group: protocol, status: 400, meaning: 'More lexical tokens than `MAX_TOKENS`.' },
  MAX_COST_EXCEEDED: { group: protocol, status: 400, meaning: 'The weighted query cost is over `MAX_COST` (page sizes count, from variables too).' },
  MAX_DIRECTIVES_EXCEEDED: { group: protocol, status: 400, meaning: 'More directives than `MAX_DIRECTIVES`.' },
  BODY_TOO_LARGE: { group: protocol, status: 413, meaning: 'The request body is over `BODY_LIMIT_BYTES` (HTTP 413; a WebSocket frame that large is closed with 1009).' },
  PERSISTED_QUERY_NOT_IN_LIST: { group: protocol, status: 400, meaning: 'No persisted operation has this hash (HTTP 200, no `extensions.status`).' },
  PERSISTED_QUERY_ID_REQUIRED: { group: protocol, status: 400, meaning: 'A persisted-operation request without a hash (HTTP 200, no `extensions.status`).' },
  CANNOT_SEND_PQ_ID_AND_BODY: {
    group: protocol,
    status: 400,
    meaning: 'With `PERSISTED_OPERATIONS=require`, an operation sent as text instead of a known hash (HTTP 200, no `extensions.status`).',
  },
  GRAPHQL_PARSE_FAILED: { group: protocol, status: 400, meaning: 'Yoga: the document is not valid GraphQL syntax (no `extensions.status`).' },
  GRAPHQL_VALIDATION_FAILED: { group: protocol, status: 400, meaning: 'Yoga: the document does not validate against the schema (no `extensions.status`).' },
  OPERATION_RESOLUTION_FAILURE: { group: protocol, status: 400, meaning: 'Yoga: several operations and no `operationName` (no `extensions.status`).' },
  BAD_REQUEST: {
    group: protocol,
    status: 400,
    meaning: 'Yoga: no query, a body that is not JSON, or a mutation over GET (HTTP 405); no `extensions.status`.',
  },

  STORAGE_FULL: { group: server, status: 503, meaning: 'The disk or database is full; the message says whether a commit landed (`extensions.committed`).' },
  REPOSITORY_INCONSISTENT: { group: server, status: 500, meaning: 'main is missing although Backtrack recorded history on it: writes are refused until it is restored.' },
  REPOSITORY_CORRUPT: { group: server, status: 500, meaning: 'Git objects of the repository cannot be read (`extensions` name the tenant-environment).' },
  REPOSITORY_MISSING: { group: server, status: 500, meaning: 'The project\'s repository directory is gone; it is never recreated silently.' },
  SHUTTING_DOWN: { group: server, status: 503, meaning: 'An SSE subscription ended because the server is shutting down (WebSockets close with 1001).' },
  SUBSCRIBER_TOO_SLOW: { group: server, status: 503, meaning: 'A subscription fell more than 10,000 events behind and was ended: subscribe again.' },
  EVENTS_INTERRUPTED: {
    group: server,
    status: 503,
    meaning: 'The Redis channel between instances was lost, so events may have been missed: the subscription ended; refetch and subscribe again.',
  },
  INTERNAL_SERVER_ERROR: { group: server, status: 500, meaning: 'Anything unexpected; the message is masked and the error logged in full.' },

  ARCHIVED: { group: onboarding, status: 409, meaning: 'A write to something archived (or inside something archived): nothing was written; restore it first.' },
  LAST_ADMIN: { group: onboarding, status: 403, meaning: 'The change would leave the project without an ADMIN: make someone else ADMIN first.' },
  NAME_REQUIRED: { group: onboarding, status: 400, meaning: 'A member added by email who is not a user yet needs a name to be created.' },
  INVALID_ROLE: { group: onboarding, status: 400, meaning: 'A role is one of VIEWER, DEPLOYER, APPROVER, ADMIN.' },
  INVALID_NAME: { group: onboarding, status: 400, meaning: 'A display name is one line of 1 to 100 characters.' },
  INVALID_PLAN: { group: onboarding, status: 400, meaning: 'An organization\'s plan is one of the plans the schema lists.' },
  INVALID_FEATURE_FLAG: { group: onboarding, status: 400, meaning: 'An unknown feature flag.' },
  ORGANIZATION_REQUIRED: { group: onboarding, status: 400, meaning: 'A project needs its organization: there is none yet, or there are several and none was named.' },
  TENANT_EXISTS: { group: onboarding, status: 409, meaning: 'The project has a tenant with this slug already.' },
  ENVIRONMENT_EXISTS: { group: onboarding, status: 409, meaning: 'The project has an environment with this slug already.' },
  TENANT_ENVIRONMENT_EXISTS: { group: onboarding, status: 409, meaning: 'The tenant-environment exists already.' },
  SERVICE_EXISTS: { group: onboarding, status: 409, meaning: 'The tenant-environment has a service with this name already.' },
  INVALID_IMAGE: { group: onboarding, status: 400, meaning: 'A new service\'s image repository or tag is not a valid image reference.' },
  INVALID_REPLICAS: { group: onboarding, status: 400, meaning: 'Replicas are a whole number from 0 to 1000.' },
  INVALID_PORT: { group: onboarding, status: 400, meaning: 'A port is a whole number from 1 to 65535.' },
  AGENT_EXISTS: { group: onboarding, status: 409, meaning: 'The project has an agent with this name already.' },
  SCOPE_REQUIRED: { group: onboarding, status: 400, meaning: 'An agent needs at least one TENANT/ENVIRONMENT scope.' },
  INVALID_SCOPE: { group: onboarding, status: 400, meaning: 'A scope is written TENANT/ENVIRONMENT (e.g. `acme/production`).' },
  UNKNOWN_SCOPE: { group: onboarding, status: 400, meaning: 'A scope names a tenant-environment the project does not have.' },
  INVALID_EXPIRY: { group: onboarding, status: 400, meaning: 'A token expiry is a positive duration (`30d`, `12h`; repository tokens: whole days) of at most 3650 days.' },
  INVALID_TOKEN_NAME: { group: onboarding, status: 400, meaning: 'A token name is one line of at most 100 characters.' },
  TOKEN_ALREADY_REVOKED: { group: onboarding, status: 400, meaning: 'The token was revoked already.' },

  INVALID_NOTIFICATION_URL: {
    group: notifications,
    status: 400,
    meaning: 'A notification target URL that is not an absolute http:// or https:// URL with a host (and no credentials), or whose host does not resolve.',
  },
  NOTIFICATION_ADDRESS_REFUSED: {
    group: notifications,
    status: 400,
    meaning: 'The target URL names or resolves to a loopback, link-local, private or reserved address not allowed by `NOTIFY_ALLOWED_NETWORKS` (a server-side request forgery guard; checked again on every connection).',
  },
  UNKNOWN_NOTIFICATION_EVENT: { group: notifications, status: 400, meaning: 'An event kind that does not exist, or that the target kind does not take (an ARGOCD target takes `COMMIT_PUSHED` only).' },
  NOTIFICATION_IN_FLIGHT: { group: notifications, status: 409, meaning: 'redeliverNotification on a delivery whose attempt is under way: wait for its outcome, then redeliver.' },
  INVALID_NOTIFICATION_TARGET: { group: notifications, status: 400, meaning: 'A target name that is not lowercase letters, digits and dashes, an unknown kind, a secret too long, or a secret for a SLACK target.' },
  INVALID_SLUG: { group: admin, status: 400, meaning: 'Project slugs are lowercase letters, digits and dashes.' },
  ORGANIZATION_EXISTS: { group: admin, status: 409, meaning: 'An organization with this slug exists already.' },
  PROJECT_EXISTS: { group: admin, status: 409, meaning: 'A project with this slug exists already.' },
  REPOSITORY_EXISTS: { group: admin, status: 409, meaning: 'The data directory has a repository of that name already: import it or move it away.' },
  IMPORT_REFUSED: { group: admin, status: 400, meaning: 'The repository to import does not follow the layout (`extensions.missing`); nothing was imported.' },
  IMPORT_SOURCE_UNREADABLE: { group: admin, status: 400, meaning: 'The path or URL to import from cannot be cloned (or lacks the branch); nothing was imported.' },
  IMPORT_FAILED: { group: admin, status: 500, meaning: 'An import failed for an unexpected reason; nothing was imported.' },
  INVALID_WORKSPACE_FILE: { group: admin, status: 400, meaning: 'A workspace file for `apply` that does not validate: every problem with its line; nothing was changed.' },
  INVALID_EMAIL: { group: admin, status: 400, meaning: 'Not an email address.' },
  USER_EXISTS: { group: admin, status: 409, meaning: 'A user with this email exists already.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The README's error tables, one per group (written by `npm run schema:print`). */
export function printErrorCodeTables(): string {
  const entries = Object.entries(ERROR_CODES) as Array<[ErrorCode, ErrorCodeInfo]>;
  return ERROR_CODE_GROUPS.map((group) =>
    [
      `**${group}**`,
      '',
      '| code | status | meaning |',
      '| --- | --- | --- |',
      ...entries.filter(([, info]) => info.group === group).map(([code, info]) => `| \`${code}\` | ${info.status} | ${info.meaning} |`),
    ].join('\n'),
  ).join('\n\n');
}
