/** Opens what the domain works with: the database, the project repositories, the event bus and locks. */
import fs from 'node:fs';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/handle';
import { workerCompute } from '../compute/worker-compute';
import { openSqlite } from '../db/sqlite/client';
import type { Compute } from '../domain/compute';
import { inProcessCompute } from '../domain/compute-tasks';
import { transactWith, type Backend } from '../domain/ports';
import { createEventPubSub, type EventPubSub, type InProcessEventBus } from '../events/pubsub';
import { RepositoryRegistry } from '../git';
import { KeyedMutex } from '../lib/keyed-mutex';
import { notificationOutbox } from '../domain/notifications/outbox';
import { AddressPolicy, notificationNetwork } from '../notifications/address-policy';

export class DataDirectoryError extends Error {
  readonly code = 'DATA_DIRECTORY_INVALID';
}

/** The data directory is created on first start, but existing data is never recreated over. */
export function checkDataDirectory(config: Config): void {
  if (fs.existsSync(config.DATA_DIR) && !fs.statSync(config.DATA_DIR).isDirectory()) {
    throw new DataDirectoryError(`DATA_DIR ${config.DATA_DIR} exists but is not a directory`);
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
}

export interface OpenBackend {
  backend: Backend;
  database: DatabaseHandle;
  pubsub: EventPubSub;
  bus: InProcessEventBus;
  /** Wakes the notification dispatcher when a commit wrote outbox rows. */
  outbox: ReturnType<typeof notificationOutbox>;
  addressPolicy: AddressPolicy;
}

export function openBackend(config: Config, options: BackendOptions = {}): OpenBackend {
  checkDataDirectory(config);
  const database = openSqlite(config.databaseFile, { onStatement: options.onStatement });
  fs.mkdirSync(config.repositoriesDir, { recursive: true });
  const { pubsub, bus } = createEventPubSub();
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
    transact: transactWith(database.run, bus, outbox),
    repositories: new RepositoryRegistry(config.repositoriesDir),
    events: bus,
    locks: new KeyedMutex(),
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
  return { backend, database, pubsub, bus, outbox, addressPolicy };
}
