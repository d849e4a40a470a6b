/** The git CLI as an independent witness of what Backtrack wrote, and as another tool writing behind its back. */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface GitCliOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

const IDENTITY_ENV = {
  GIT_AUTHOR_NAME: 'CLI',
  GIT_AUTHOR_EMAIL: 'cli@example.com',
  GIT_COMMITTER_NAME: 'CLI',
  GIT_COMMITTER_EMAIL: 'cli@example.com',
};

function envFor(opts: GitCliOptions): NodeJS.ProcessEnv {
  return { ...process.env, ...IDENTITY_ENV, ...opts.env };
}

/** Runs `git --git-dir <gitDir> ...args` and returns stdout as a Buffer. */
export function gitBuffer(gitDir: string, args: string[], opts: GitCliOptions = {}): Buffer {
  return execFileSync('git', ['--git-dir', gitDir, ...args], {
    input: opts.input,
    env: envFor(opts),
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs git and returns stdout with the trailing newline removed. */
export function git(gitDir: string, args: string[], opts: GitCliOptions = {}): string {
  return gitBuffer(gitDir, args, opts).toString('utf8').replace(/\n$/, '');
}

/** Async variant, for racing the CLI against the store. Rejects with stderr on failure. */
export function gitAsync(gitDir: string, args: string[], opts: GitCliOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['--git-dir', gitDir, ...args],
      { env: envFor(opts), encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stderr }));
        else resolve(stdout.replace(/\n$/, ''));
      },
    );
    // git may exit without reading stdin; its exit status is what reports failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input);
  });
}

export function makeTempDir(prefix = 'backtrack-git-'): string {
  return fs.mkdtempSync(os.tmpdir() + '/' + prefix);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
