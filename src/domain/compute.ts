/**
 * The Compute port: the domain's CPU-heavy, pure work (YAML parsing and patching, manifest generation,
 * diffs, rollback plans) run where it cannot stall the event loop. The tasks are the functions of
 * `computeTasks` (compute-tasks.ts, called through its typed `runCompute`); their inputs and outputs
 * are plain data (strings, maps, arrays, plain objects), so an adapter may run them in worker threads
 * (`src/compute`). Expected failures (DomainError) come back as the same errors.
 */
import { revivedDomainError, type DomainErrorData } from './errors';

export interface Compute {
  /** Runs the named task of computeTasks on `input`. */
  run(task: string, input: unknown): Promise<unknown>;
  /** How many tasks run at once: work that splits (the files of a large diff) is split into about this many parts. */
  readonly parallelism: number;
  /** Gets ready now rather than at the first task (worker threads take a while to load). */
  warmUp(): void;
  close(): Promise<void>;
}

/** What a task run elsewhere sends back: its output, or its error as data. */
export type TaskOutcome = { ok: unknown } | { domainError: DomainErrorData } | { error: unknown };

/** The task's output, or its error thrown again (the calling side of an adapter). */
export function settle(outcome: TaskOutcome): unknown {
  if ('ok' in outcome) return outcome.ok;
  if ('domainError' in outcome) throw revivedDomainError(outcome.domainError);
  throw outcome.error;
}
