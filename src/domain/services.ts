/** The ports and settings every domain operation receives; built once by the app, replaced in tests. */
import type { Db } from '../db/client';
import type { Transact } from '../db/transaction';
import type { EventBus } from './events';
import type { RepositoryRegistry } from './repositories';
import { KeyedMutex } from '../lib/keyed-mutex';

export interface DomainSettings {
  /** An agent silent for longer than this is reported unreachable. */
  agentSilenceMs: number;
  breakGlassDefaultMinutes: number;
  breakGlassMaxMinutes: number;
}

export interface Services {
  db: Db;
  transaction: Transact;
  repositories: RepositoryRegistry;
  events: EventBus;
  settings: DomainSettings;
  now: () => Date;
  /** One Git writer per project at a time in this process; compare-and-swap guards against other processes. */
  gitWriters: KeyedMutex;
  /** Fault injection for crash-recovery tests: pauses execution at a named point. Off in production. */
  faults?: { pause(point: FaultPoint): Promise<void> };
}

export type FaultPoint = 'before-rollback-commit' | 'after-rollback-commit';
