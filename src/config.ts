/** Environment variables, validated once at start; an invalid value stops the process with one line naming it. */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** An enum whose error names the allowed values in words ("must be one of a, b, c"). */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `must be one of ${values.join(', ')}` });

const BOOLEAN_WORDS = ['true', 'false', 'yes', 'no', '1', '0'] as const;

const boolean = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(oneOf(BOOLEAN_WORDS))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const schema = z.object({
  /** `production` makes BACKTRACK_MODE default to production. */
  NODE_ENV: z.string().optional(),
  /** demo (the default): the demo is seeded and its tokens printed; production: no seed, no GraphiQL, no introspection, no token printed. */
  BACKTRACK_MODE: oneOf(['demo', 'production']).optional(),
  /** Production, empty database: this user becomes the bootstrap admin (its token is then issued with the CLI, never printed). */
  BOOTSTRAP_ADMIN_EMAIL: z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').optional(),
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** postgres://user:password@host:port/database selects PostgreSQL; absent keeps the SQLite file under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:$/.test(urlOf(value)?.protocol ?? ''), 'must be a postgres://user:password@host:port/database URL')
    .optional(),
  /** redis://host:port relays domain events between instances; absent keeps them in this process. */
  REDIS_URL: z
    .string()
    .refine((value) => /^rediss?:$/.test(urlOf(value)?.protocol ?? ''), 'must be a redis://host:port URL')
    .optional(),
  /** The projects' bare repositories; shared storage when several instances run (README: "Running several instances"). */
  REPOSITORIES_DIR: z.string().min(1).optional(),
  /** Defaults to true in demo mode, false in production. */
  SEED_DEMO: boolean.optional(),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: boolean.optional(),
  INTROSPECTION: boolean.optional(),
  AGENT_SILENCE_SECONDS: integer(1, 86_400).default(120),
  BREAK_GLASS_MAX_MINUTES: integer(1, 24 * 60).default(240),
  MAX_DEPTH: integer(1, 100).default(12),
  MAX_ALIASES: integer(1, 1000).default(30),
  MAX_TOKENS: integer(10, 1_000_000).default(5000),
  MAX_COST: integer(10, 10_000_000).default(20_000),
  MAX_DIRECTIVES: integer(1, 1000).default(50),
  WS_INIT_TIMEOUT_MS: integer(100, 600_000).default(3000),
  WS_RECHECK_MS: integer(100, 3_600_000).default(15_000),
  BODY_LIMIT_BYTES: integer(1024, 100_000_000).default(1_000_000),
  PERSISTED_OPERATIONS: oneOf(['off', 'allow', 'require']).default('off'),
  PERSISTED_OPERATIONS_FILE: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  /** Failed authentications one client address may make per window before it is refused for the rest of it. */
  AUTH_FAILURE_LIMIT: integer(1, 1_000_000).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: integer(1, 86_400).default(60),
  /** Behind a load balancer: take the client address from X-Forwarded-For (its first entry). */
  TRUST_PROXY: boolean.default(false),
  /** Origins (comma-separated) a browser may call the API from; none by default: same origin only. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be a comma-separated list of origins like https://dashboard.example.com'))),
  /** How often commits that landed but were not recorded, and requests nobody executes any more, are repaired. */
  REPAIR_INTERVAL_MS: integer(100, 3_600_000).default(30_000),
  /** Where clients reach the server (behind a proxy: the proxy's URL); repository URLs are built on it. */
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http:// or https:// URL without query or fragment')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** Concurrent `git http-backend` processes (Git over HTTP); more requests wait in a queue of GIT_HTTP_QUEUE. */
  GIT_HTTP_MAX_CONCURRENCY: integer(1, 1024).default(2 * os.availableParallelism()),
  GIT_HTTP_QUEUE: integer(0, 10_000).default(8),
  /** A Git request whose client sends or reads nothing for this long (or waits this long in the queue) is ended. */
  GIT_HTTP_TIMEOUT_MS: integer(100, 3_600_000).default(60_000),
  /** Worker threads for CPU-heavy work (YAML, diffs, rollback plans), so no request stalls the others; 0 runs it on the event loop. */
  COMPUTE_THREADS: integer(0, 256).default(Math.max(1, os.availableParallelism())),
  /** Notification delivery: the first retry waits about this long, doubling (with jitter) up to NOTIFY_BACKOFF_MAX_MS. */
  NOTIFY_BACKOFF_BASE_MS: integer(1, 3_600_000).default(1000),
  NOTIFY_BACKOFF_MAX_MS: integer(1, 86_400_000).default(600_000),
  /** One attempt (connect, send, answer) is given up after this long. */
  NOTIFY_TIMEOUT_MS: integer(50, 600_000).default(10_000),
  /** After this many failed attempts a delivery is DEAD (redeliverNotification sends it again). */
  NOTIFY_MAX_ATTEMPTS: integer(1, 1000).default(8),
  /** How often the outbox is checked for rows due (a commit that writes rows wakes the dispatcher at once). */
  NOTIFY_POLL_MS: integer(10, 600_000).default(1000),
  /** Deliveries in flight at once (one per target at a time, so a target's events stay in order). */
  NOTIFY_CONCURRENCY: integer(1, 1000).default(16),
  /**
   * Loopback, link-local and private addresses a target may resolve to anyway: comma-separated
   * addresses or CIDR ranges (e.g. 127.0.0.1 or 10.20.0.0/16). Empty: none, which blocks SSRF.
   */
  NOTIFY_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be a comma-separated list of IP addresses or CIDR ranges like 127.0.0.1 or 10.0.0.0/8'))),
  /** Test-only fault injection: pause rollback execution at this point for FAULT_PAUSE_MS. */
  FAULT_PAUSE_AT: z.enum(['before-rollback-commit', 'after-rollback-commit']).optional(),
  FAULT_PAUSE_MS: integer(0, 600_000).default(0),
  /** Test-only: the Git writer lock stays inside this process (PostgreSQL), to prove that the cross-instance lock does the work. */
  TEST_LOCAL_WRITER_LOCK: boolean.default(false),
});

function urlOf(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** A URL variable's value as messages show it: never with its password. */
function shown(variable: string, value: string | undefined): string {
  if (value === undefined || !variable.endsWith('_URL')) return JSON.stringify(value);
  const url = urlOf(value);
  if (!url) return JSON.stringify(value.replace(/:[^:@/]*@/, ':***@'));
  if (url.password) url.password = '***';
  return JSON.stringify(url.toString());
}

/** Every variable the server reads. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

export type RawConfig = z.infer<typeof schema>;

export interface Config extends Omit<RawConfig, 'SEED_DEMO' | 'GRAPHIQL' | 'INTROSPECTION'> {
  mode: 'demo' | 'production';
  SEED_DEMO: boolean;
  GRAPHIQL: boolean;
  INTROSPECTION: boolean;
  databaseFile: string;
  repositoriesDir: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`invalid configuration: ${variable} ${reason}`);
  }
}

/** Parses a (partial) environment into a Config; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    throw new ConfigError(variable, `${issue.message} (got ${shown(variable, env[variable])})`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  // Production unless said otherwise when NODE_ENV says production; what is asked for explicitly always wins.
  const mode = parsed.data.BACKTRACK_MODE ?? (parsed.data.NODE_ENV === 'production' ? 'production' : 'demo');
  const demo = mode === 'demo';
  return {
    ...parsed.data,
    mode,
    SEED_DEMO: parsed.data.SEED_DEMO ?? demo,
    GRAPHIQL: parsed.data.GRAPHIQL ?? demo,
    INTROSPECTION: parsed.data.INTROSPECTION ?? demo,
    DATA_DIR: dataDir,
    databaseFile: path.join(dataDir, 'backtrack.sqlite'),
    repositoriesDir: parsed.data.REPOSITORIES_DIR ? path.resolve(parsed.data.REPOSITORIES_DIR) : path.join(dataDir, 'repositories'),
  };
}
