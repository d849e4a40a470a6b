// Piscina's entry in each compute worker thread. Workers inherit the parent's execArgv, so under tsx
// (npm start, npm run bench) TypeScript loads directly; where the parent transforms TypeScript its own
// way (vitest), tsx is registered for this worker's imports.
let worker;
try {
  worker = await import('./worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { tsImport } = await import('tsx/esm/api');
  worker = await tsImport('./worker.ts', import.meta.url);
}

export default worker.runWorkerTask;
