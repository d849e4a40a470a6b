/** What each compute worker thread runs: a domain task (see src/domain/compute-tasks.ts) on plain data. */
import type { TaskOutcome } from '../domain/compute';
import { runTask } from '../domain/compute-tasks';
import { forgetCachedFiles } from '../domain/tenant-environment-files';

export interface WorkerTask {
  task: string;
  input: unknown;
  /** The main thread's cache generation: when it moved, this thread forgets its caches too. */
  generation: number;
}

let generation = 0;

export function runWorkerTask(message: WorkerTask): TaskOutcome {
  if (message.generation !== generation) {
    forgetCachedFiles();
    generation = message.generation;
  }
  return runTask(message.task, message.input);
}
