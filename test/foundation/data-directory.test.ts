import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, checkDataDirectory, DataDirectoryError } from '../../src/app';
import { loadConfig } from '../../src/config';
import { DatabaseOpenError } from '../../src/db/sqlite/client';
import { seedDemo } from '../../src/domain/seed/seed-demo';
import { createLogger } from '../../src/logger';
import { tempDir } from '../kit/app';
import { runScript } from './processes';

const dirs: string[] = [];
function freshDataDir(): string {
  const dir = tempDir('backtrack-datadir-');
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Everything below `dir` (relative path → bytes), to show that nothing was touched. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), entry.isFile() ? fs.readFileSync(full).toString('base64') : '<dir>');
  }
  return files;
}

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

const serverEnv = (dataDir: string) => ({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });

describe('a data directory with repositories but no database', () => {
  function orphanedRepositories(): string {
    const dataDir = freshDataDir();
    const repo = path.join(dataDir, 'repositories', 'shop.git');
    execFileSync('git', ['init', '--bare', '--quiet', repo]);
    return dataDir;
  }

  it('is reported by checkDataDirectory, naming the missing database', () => {
    const dataDir = orphanedRepositories();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(() => checkDataDirectory(config)).toThrow(DataDirectoryError);
    expect(() => checkDataDirectory(config)).toThrow(/has repositories but no database/);
    expect(() => checkDataDirectory(config)).toThrow(config.databaseFile);
  });

  it('stops the server with one line and creates no database over it', async () => {
    const dataDir = orphanedRepositories();
    const before = snapshot(dataDir);
    const result = await runScript('src/main.ts', [], serverEnv(dataDir));
    expect(result.code, result.stderr).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/has repositories but no database/);
    expect(fs.existsSync(path.join(dataDir, 'backtrack.sqlite'))).toBe(false);
    expect(snapshot(dataDir)).toEqual(before);
  });
});

describe('a corrupt database file', () => {
  function corruptDatabase(): { dataDir: string; file: string; bytes: Buffer } {
    const dataDir = freshDataDir();
    const file = path.join(dataDir, 'backtrack.sqlite');
    const bytes = Buffer.concat([Buffer.from('this is not a database\n'), Buffer.alloc(8192, 0xa5)]);
    fs.writeFileSync(file, bytes);
    return { dataDir, file, bytes };
  }

  it('is reported when the app is built, and left untouched', () => {
    const { dataDir, file, bytes } = corruptDatabase();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(() => buildApp(config, { logger: createLogger('silent') })).toThrow(DatabaseOpenError);
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('backtrack.sqlite'))).toEqual(['backtrack.sqlite']);
  });

  it('stops the server with one line naming the file, and leaves its bytes as they were', async () => {
    const { dataDir, file, bytes } = corruptDatabase();
    const result = await runScript('src/main.ts', [], serverEnv(dataDir));
    expect(result.code, result.stderr).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain(file);
    expect(line).toMatch(/not a database/);
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('backtrack.sqlite'))).toEqual(['backtrack.sqlite']);
  });
});

describe('a database whose project repository is gone', () => {
  it('stops the server with one line naming the repository, and does not recreate it', async () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    const app = buildApp(config, { logger: createLogger('silent') });
    await seedDemo(app.backend);
    await app.stopServices();
    const repo = path.join(config.repositoriesDir, 'shop.git');
    fs.renameSync(repo, path.join(dataDir, 'shop.git.moved-away'));
    const before = snapshot(dataDir);

    const result = await runScript('src/main.ts', [], serverEnv(dataDir));
    expect(result.code, result.stderr).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain('shop');
    expect(line).toContain(repo);
    expect(fs.existsSync(repo)).toBe(false);
    // The database may be checkpointed on close, but no file appears or disappears.
    expect([...snapshot(dataDir).keys()].sort()).toEqual([...before.keys()].sort());
  });
});

describe('DATA_DIR that is a file', () => {
  it('is reported, not replaced', async () => {
    const parent = freshDataDir();
    const file = path.join(parent, 'data');
    fs.writeFileSync(file, 'precious');
    expect(() => checkDataDirectory(loadConfig({ DATA_DIR: file }))).toThrow(/not a directory/);
    const result = await runScript('src/main.ts', [], serverEnv(file));
    expect(result.code, result.stderr).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/not a directory/);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
  });
});
