/**
 * The ErrorCode enum lists every code the server can return: each code src/ sets (read from the
 * syntax tree) is in it, with the status the code is thrown with; nothing in it is stale; and the
 * README's tables are the ones `npm run schema:print` writes from the same list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isEnumType, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AsyncQueue, MAX_QUEUED_EVENTS } from '../../src/events/pubsub';
import { ERROR_CODES, type ErrorCode } from '../../src/graphql/error-codes';
import { maskError } from '../../src/graphql/errors';
import { withErrorCodeTables } from '../../src/graphql/print';
import { scanErrorCodes } from './error-code-sites';

const ROOT = path.join(import.meta.dirname, '../..');
const { sites, dynamic } = scanErrorCodes(path.join(ROOT, 'src'));
const found = new Set(sites.map((site) => site.code));

/** Codes src/ sets that never reach a client, and why. */
const INTERNAL: Record<string, string> = {
  REF_CONFLICT: "git's compare-and-swap failed: answered as CONCURRENT_CHANGE (or ROLLBACK_CONFLICT)",
  REF_LOCKED: 'git-layer failure: never caught as expected, so masked as INTERNAL_SERVER_ERROR',
  INVALID_PATH: 'git-layer failure (paths are validated before): masked as INTERNAL_SERVER_ERROR',
  REPOSITORY_NOT_FOUND: 'git-layer failure: the domain reports REPOSITORY_MISSING',
  INVALID_REF_NAME: 'git-layer failure (the branch is always main): masked as INTERNAL_SERVER_ERROR',
  DATA_DIRECTORY_INVALID: 'refuses to start: printed at start, never a GraphQL error',
  DATABASE_UNREADABLE: 'refuses to start: printed at start, never a GraphQL error',
  GRAPHQL_ERROR: "the on-call CLI's own label for a server error that carries no code; the server always sets one",
  UNSUPPORTED_MODE: 'a compute task guard: FULL rollbacks are never planned file by file, so no request reaches it',
  NOTIFICATION_HTTP_ERROR: "a failed delivery attempt's log field: attempts run after the commit, outside any request",
  NOTIFICATION_CONNECTION_FAILED: "a failed delivery attempt's log field: attempts run after the commit, outside any request",
};

/** Codes that GraphQL Yoga itself sets (src/ never does). */
const FROM_YOGA: ErrorCode[] = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST'];

/** Where a code is passed on rather than written: each is accounted for by a literal the scan finds elsewhere. */
const DYNAMIC: Array<{ file: string; text: string; why: string }> = [
  { file: 'domain/notifications/targets.ts', text: 'refusal.code', why: "the network policy's refusal: INVALID_NOTIFICATION_URL | NOTIFICATION_ADDRESS_REFUSED" },
  { file: 'notifications/dispatcher.ts', text: 'code', why: "a delivery attempt's failure, logged only (INTERNAL)" },
  { file: 'domain/gating.ts', text: 'result.code', why: "a GateResult's code: FEATURE_NOT_ENABLED | PLAN_REQUIRED" },
  { file: 'domain/release-edits.ts', text: 'error.code', why: "a YamlFieldError's code (YamlFieldErrorCode), as a 400" },
  { file: 'domain/rollback/plan.ts', text: 'error.code', why: "a YamlFieldError's code (YamlFieldErrorCode), as a 400" },
  { file: 'domain/requests/run-execution.ts', text: 'code', why: "the failure's DomainError code, or EXECUTION_FAILED, or PLAN_NO_LONGER_APPLIES" },
  { file: 'domain/requests/change-requests.ts', text: 'code', why: "the failure's DomainError code, or EXECUTION_FAILED, or PLAN_NO_LONGER_APPLIES" },
  { file: 'graphql/errors.ts', text: 'error.code', why: "a YamlFieldError's code, as a 400" },
  { file: 'graphql/errors.ts', text: 'expected.code', why: "an expected error's own code, kept by masking" },
  { file: 'graphql/plugins/request-logging.ts', text: 'codes[i]', why: 'the log line of codes already returned' },
  { file: 'graphql/plugins/security.ts', text: 'code', why: 'one of LIMIT_CODES' },
  { file: 'graphql/subscriptions.ts', text: 'code', why: "LivePermissions' end code: FORBIDDEN | SHUTTING_DOWN" },
  { file: 'server/yoga.ts', text: 'error.code', why: "TooManyFailedAuthentications' code" },
  { file: 'domain/onboarding/apply.ts', text: 'error.code', why: "an import's DomainError code (IMPORT_*, PROJECT_EXISTS, …), located in the workspace file" },
  { file: 'server/git-http.ts', text: 'code', why: "git http-backend's exit code in a log line, not an error code" },
  { file: 'server/git-spawner.ts', text: 'message.code', why: "a process exit code relayed by the spawner helper, not an error code" },
  { file: 'server/git-spawner.ts', text: 'null', why: 'a process exit code (none: killed), not an error code' },
];

describe('the ErrorCode enum', () => {
  it('has every code that src/ sets, except those that never reach a client', () => {
    expect(found.size).toBeGreaterThan(60);
    const missing = [...found].filter((code) => !(code in ERROR_CODES) && !(code in INTERNAL));
    expect(missing, `add these to src/graphql/error-codes.ts (or to INTERNAL here, with the reason no client sees them): ${missing.join(', ')}`).toEqual([]);
  });

  it('lists nothing stale: each code is set by src/ or by GraphQL Yoga', () => {
    const stale = Object.keys(ERROR_CODES).filter((code) => !found.has(code) && !FROM_YOGA.includes(code as ErrorCode));
    expect(stale).toEqual([]);
    expect(Object.keys(INTERNAL).filter((code) => !found.has(code) || code in ERROR_CODES)).toEqual([]);
    const yoga = fs.readdirSync(path.join(ROOT, 'node_modules/graphql-yoga/esm'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js'))
      .map((file) => fs.readFileSync(path.join(ROOT, 'node_modules/graphql-yoga/esm', file), 'utf8'))
      .join('\n');
    for (const code of FROM_YOGA) expect(yoga, code).toContain(`'${code}'`);
  });

  it('gives each code the status src/ throws it with', () => {
    const disagreeing = sites
      .filter((site) => site.status !== null && site.code in ERROR_CODES && ERROR_CODES[site.code as ErrorCode].status !== site.status)
      .map((site) => `${site.code} is ${site.status} at ${site.where}, ${ERROR_CODES[site.code as ErrorCode].status} in the list`);
    expect(disagreeing).toEqual([]);
  });

  it('accounts for every place a code is passed on instead of written', () => {
    const unexplained = dynamic
      .filter((site) => !DYNAMIC.some((known) => site.where.startsWith(`${known.file}:`) && site.text === known.text))
      .map((site) => `${site.where}: ${site.text}`);
    expect(unexplained, 'a code set from an expression: make sure its values are listed, then add the site to DYNAMIC').toEqual([]);
    const gone = DYNAMIC.filter((known) => !dynamic.some((site) => site.where.startsWith(`${known.file}:`) && site.text === known.text));
    expect(gone).toEqual([]);
  });

  it('is in the committed schema, each value described with its status', () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8'));
    const type = schema.getType('ErrorCode');
    expect(isEnumType(type)).toBe(true);
    const values = isEnumType(type) ? type.getValues() : [];
    expect(values.map((v) => v.name).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const value of values) expect(value.description).toMatch(new RegExp(`^${ERROR_CODES[value.name as ErrorCode].status}: `));
  });
});

describe('a subscription ended for falling behind', () => {
  it('reports SUBSCRIBER_TOO_SLOW (503) to its client, not a masked internal error', async () => {
    const queue = new AsyncQueue<number>();
    for (let i = 0; i <= MAX_QUEUED_EVENTS; i++) queue.push(i);
    const error = await queue.next().then(
      () => null,
      (reason: unknown) => reason,
    );
    const masked = maskError(error, 'Unexpected error.') as GraphQLError;
    expect(masked.extensions).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW', status: 503 });
    expect(masked.message).toMatch(/fell more than 10000 events behind/);
  });
});

describe("the README's error tables", () => {
  it('are what `npm run schema:print` writes (run it and commit when this fails)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(withErrorCodeTables(readme));
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`| \`${code}\` | ${ERROR_CODES[code as ErrorCode].status} |`);
  });
});
