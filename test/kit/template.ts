/**
 * Seeded workspaces, built once per test run and copied per test: the first worker that needs one
 * builds it (others wait for it), then every test gets its own copy of the data directory — a fresh
 * SQLite file and fresh bare repositories, without paying for the seed again.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createDatabaseFor, ensureDatabaseForSync, testDialect } from './dialect';

export function tempDir(prefix = 'backtrack-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function runDir(): string {
  try {
    return inject('kitRunDir');
  } catch {
    // Outside vitest's global setup (e.g. a benchmark): a directory of this process.
    return (process.env.BACKTRACK_KIT_DIR ??= tempDir('backtrack-kit-'));
  }
}

/**
 * The data directory of template `name`, built by `build(dataDir)` the first time any worker asks
 * for it in this run. `build` returns what tests need to know about it (tokens, ids), kept as JSON.
 */
export async function sharedTemplate<T>(name: string, build: (dataDir: string) => Promise<T>): Promise<{ dataDir: string; info: T }> {
  const dir = path.join(runDir(), `${name}-${testDialect()}`);
  const ready = path.join(dir, 'READY.json');
  if (!fs.existsSync(ready)) {
    let owner = false;
    try {
      fs.mkdirSync(dir, { recursive: false });
      owner = true;
    } catch {
      // Another worker builds it.
    }
    if (owner) {
      // On PostgreSQL the template's database is built too, and copied with the directory.
      if (testDialect() === 'postgres') await createDatabaseFor(path.join(dir, 'data'));
      const info = await build(path.join(dir, 'data'));
      packRepositories(path.join(dir, 'data'));
      fs.writeFileSync(`${ready}.tmp`, JSON.stringify(info));
      fs.renameSync(`${ready}.tmp`, ready);
    } else {
      const deadline = Date.now() + 120_000;
      while (!fs.existsSync(ready)) {
        if (Date.now() > deadline) throw new Error(`template ${name} was not built within 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  return { dataDir: path.join(dir, 'data'), info: JSON.parse(fs.readFileSync(ready, 'utf8')) as T };
}

/** Packs the template's repositories, so a copy is a few files instead of hundreds of loose objects. */
export function packRepositories(dataDir: string): void {
  const repositories = path.join(dataDir, 'repositories');
  if (!fs.existsSync(repositories)) return;
  for (const name of fs.readdirSync(repositories)) {
    execFileSync('git', ['--git-dir', path.join(repositories, name), 'repack', '-a', '-d', '-q'], { stdio: 'ignore' });
    execFileSync('git', ['--git-dir', path.join(repositories, name), 'prune-packed'], { stdio: 'ignore' });
    const objects = path.join(repositories, name, 'objects');
    for (const entry of fs.readdirSync(objects)) {
      const dir = path.join(objects, entry);
      if (/^[0-9a-f]{2}$/.test(entry) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    }
  }
}

/** A private copy of a template's data directory (and on PostgreSQL of its database). */
export function copyDataDir(from: string): string {
  const to = tempDir();
  fs.cpSync(from, to, { recursive: true });
  if (testDialect() === 'postgres') ensureDatabaseForSync(to, from);
  return to;
}

export async function copyDataDirAsync(from: string): Promise<string> {
  const to = tempDir();
  await fs.promises.cp(from, to, { recursive: true });
  if (testDialect() === 'postgres') await createDatabaseFor(to, from);
  return to;
}
