/** Opens what the domain works with: the database, the project repositories, the event bus and locks. */
import fs from 'node:fs';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/handle';
import { workerCompute } from '../compute/worker-compute';
import { openPostgres } from '../db/pg/client';
import { openSqlite } from '../db/sqlite/client';
import type { Compute } from '../domain/compute';
import { inProcessCompute } from '../domain/compute-tasks';
import { transactWith, type Backend } from '../domain/ports';
import { createEventPubSub, type EventPubSub, type InProcessEventBus } from '../events/pubsub';
import { createRedisRelay } from '../events/redis-relay';
import { createLogger, type Logger } from '../logger';
import { RepositoryRegistry } from '../git';
import { KeyedMutex } from '../lib/keyed-mutex';
import { notificationOutbox } from '../domain/notifications/outbox';
import { AddressPolicy, notificationNetwork } from '../notifications/address-policy';
import type { Locks } from '../domain/ports';

export class DataDirectoryError extends Error {
  readonly code = 'DATA_DIRECTORY_INVALID';
}

/** The data directory is created on first start, but existing data is never recreated over. */
export function checkDataDirectory(config: Config): void {
  if (fs.existsSync(config.DATA_DIR) && !fs.statSync(config.DATA_DIR).isDirectory()) {
    throw new DataDirectoryError(`DATA_DIR ${config.DATA_DIR} exists but is not a directory`);
  }
  // On PostgreSQL the database is elsewhere: whether it is empty is known once connected (openBackend's `ready`).
  if (config.DATABASE_URL) {
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    return;
  }
  const hasDatabase = fs.existsSync(config.databaseFile);
  const hasRepositories = fs.existsSync(config.repositoriesDir) && fs.readdirSync(config.repositoriesDir).length > 0;
  if (!hasDatabase && hasRepositories) {
    throw new DataDirectoryError(
      `DATA_DIR ${config.DATA_DIR} has repositories but no database (${config.databaseFile}); restore the database or move the directory away`,
    );
  }
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
}

export interface BackendOptions {
  /** Observes every SQL statement (tests count them). */
  onStatement?: (sql: string) => void;
  now?: () => Date;
  /** Defaults to COMPUTE_THREADS worker threads (or the event loop when it is 0). */
  compute?: Compute;
  logger?: Logger;
}

export interface OpenBackend {
  backend: Backend;
  database: DatabaseHandle;
  pubsub: EventPubSub;
  bus: InProcessEventBus;
  /** Wakes the notification dispatcher when a commit wrote outbox rows. */
  outbox: ReturnType<typeof notificationOutbox>;
  addressPolicy: AddressPolicy;
  /** The events this instance caused (with Redis, `pubsub` also carries the other instances'). */
  originEvents: EventPubSub;
  /** Connected, migrated and subscribed (PostgreSQL, Redis); resolved at once on SQLite without Redis. */
  ready: Promise<void>;
  /** Closes the event relay (the database is closed by its handle). */
  closeEvents(): Promise<void>;
}

function hasRepositories(config: Config): boolean {
  return fs.existsSync(config.repositoriesDir) && fs.readdirSync(config.repositoriesDir).length > 0;
}

export function openBackend(config: Config, options: BackendOptions = {}): OpenBackend {
  checkDataDirectory(config);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const repositoriesExisted = hasRepositories(config);
  let database: DatabaseHandle;
  let locks: Locks;
  let databaseReady: Promise<void> = Promise.resolve();
  if (config.DATABASE_URL) {
    const postgres = openPostgres(config.DATABASE_URL, { onStatement: options.onStatement });
    database = postgres;
    locks = config.TEST_LOCAL_WRITER_LOCK ? localWriterLock(postgres.locks) : postgres.locks;
    databaseReady = postgres.ready.then(async () => {
      // As SQLite refuses repositories without a database file: an empty database is not theirs.
      if (repositoriesExisted && (await postgres.stores.projects.all()).length === 0) {
        throw new DataDirectoryError(
          `the database at DATABASE_URL ${postgres.description} is empty but REPOSITORIES_DIR ${config.repositoriesDir} has repositories; restore the database or move the repositories away`,
        );
      }
    });
  } else {
    database = openSqlite(config.databaseFile, { onStatement: options.onStatement });
    locks = new KeyedMutex();
  }
  fs.mkdirSync(config.repositoriesDir, { recursive: true });
  const { pubsub, bus, local } = createEventPubSub();
  const relay = config.REDIS_URL ? createRedisRelay(config.REDIS_URL, local, logger) : null;
  // What this instance caused, for observers that must not count other instances' events (metrics).
  const origin = createEventPubSub();
  const delivery = relay?.bus ?? bus;
  const events: InProcessEventBus = {
    publish: (event) => {
      origin.bus.publish(event);
      delivery.publish(event);
    },
    subscriberCount: bus.subscriberCount,
  };
  const ready = Promise.all([
    databaseReady,
    relay?.ready.catch((error: Error) => {
      throw new Error(`cannot reach REDIS_URL: ${error.message}`);
    }),
  ]).then(() => undefined);
  ready.catch(() => undefined);
  const settings: Backend['settings'] = {
    agentSilenceMs: config.AGENT_SILENCE_SECONDS * 1000,
    breakGlassDefaultMinutes: 60,
    breakGlassMaxMinutes: config.BREAK_GLASS_MAX_MINUTES,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  };
  const now = options.now ?? (() => new Date());
  const outbox = notificationOutbox(settings, now);
  const addressPolicy = new AddressPolicy(config.NOTIFY_ALLOWED_NETWORKS);
  const backend: Backend = {
    stores: database.stores,
    transact: transactWith(database.run, events, outbox),
    repositories: new RepositoryRegistry(config.repositoriesDir),
    events,
    locks,
    compute: options.compute ?? (config.COMPUTE_THREADS > 0 ? workerCompute({ threads: config.COMPUTE_THREADS }) : inProcessCompute()),
    settings,
    notificationNetwork: notificationNetwork(addressPolicy),
    now,
    faults: config.FAULT_PAUSE_AT
      ? {
          pause: (point) =>
            point === config.FAULT_PAUSE_AT ? new Promise((resolve) => setTimeout(resolve, config.FAULT_PAUSE_MS)) : Promise.resolve(),
        }
      : undefined,
  };
  return { backend, database, pubsub, bus, originEvents: origin.pubsub, ready, closeEvents: async () => relay?.close(), outbox, addressPolicy };
}

/** Test-only (TEST_LOCAL_WRITER_LOCK): Git writes serialized in this process only, every other lock across instances. */
function localWriterLock(shared: Locks): Locks {
  const local = new KeyedMutex();
  const pick = (key: string): Locks => (key.startsWith('writer:') ? local : shared);
  return {
    run: (key, work) => pick(key).run(key, work),
    tryRun: (key, work) => pick(key).tryRun(key, work),
  };
}
