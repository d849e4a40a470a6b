/** The Compute port on worker threads (piscina): CPU-heavy domain work runs beside the event loop, not on it. */
import { Piscina } from 'piscina';
import { settle, type Compute, type TaskOutcome } from '../domain/compute';
import { cachedFilesGeneration } from '../domain/tenant-environment-files';
import type { WorkerTask } from './worker';

export interface WorkerComputeOptions {
  threads: number;
}

/**
 * The threads start with the first task or with warmUp (the server calls it when it starts listening),
 * and are kept: a first heavy request should not wait for one to load (about a second).
 */
export function workerCompute({ threads }: WorkerComputeOptions): Compute {
  let pool: Piscina<WorkerTask, TaskOutcome> | null = null;
  const started = () =>
    (pool ??= new Piscina<WorkerTask, TaskOutcome>({
      // Plain JavaScript that makes the worker able to load the TypeScript sources (see there).
      filename: new URL('./worker-entry.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
    }));
  return {
    parallelism: threads,
    // The cache generation tells each thread when the main thread forgot its caches (benchmarks' cold runs).
    run: async (task, input) => settle(await started().run({ task, input, generation: cachedFilesGeneration() })),
    warmUp: () => void started(),
    close: async () => {
      const stopping = pool;
      pool = null;
      await stopping?.destroy();
    },
  };
}
