/** Counts operations being executed (HTTP, SSE and graphql-ws alike), so shutdown can wait for them. */
import type { Plugin } from 'graphql-yoga';

export interface InFlightOperations {
  plugin: Plugin;
  count(): number;
  /** Resolves once no operation is executing (at once if none is). */
  idle(): Promise<void>;
}

export function trackInFlightOperations(): InFlightOperations {
  let running = 0;
  let waiters: Array<() => void> = [];
  const settle = () => {
    running -= 1;
    if (running > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };
  return {
    plugin: {
      // Queries and mutations; a subscription's source stream is not counted (it never ends by itself).
      onExecute({ executeFn, setExecuteFn }) {
        setExecuteFn(async (args) => {
          running += 1;
          try {
            return await executeFn(args);
          } finally {
            settle();
          }
        });
      },
    },
    count: () => running,
    idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
