/**
 * Once per `vitest run` and project: a directory where seeded workspaces are built once and copied
 * by every test; on the `postgres` project also one throwaway PostgreSQL cluster, stopped at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './services';

declare module 'vitest' {
  export interface ProvidedContext {
    kitRunDir: string;
    /** Superuser URL of the run's PostgreSQL cluster; '' on the sqlite project. */
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-kit-'));
  project.provide('kitRunDir', runDir);
  const cluster = project.name === 'postgres' ? await startPostgres() : null;
  project.provide('pgAdminUrl', cluster?.url ?? '');
  return async () => {
    await cluster?.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}
