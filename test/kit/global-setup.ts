/** Once per `vitest run`: a directory where seeded workspaces are built once and copied by every test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kitRunDir: string;
  }
}

export default function setup(project: TestProject) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-kit-'));
  project.provide('kitRunDir', runDir);
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
