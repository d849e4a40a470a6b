/**
 * Imports start here: another repository cloned bare with the git CLI under a temporary name in the
 * repositories directory, reduced to one branch (as main) and no remote, then checked, and either
 * renamed into place or removed. A clone never leaves anything behind when it fails.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StagingError, type GitRepository, type StagedRepository } from '../domain/ports';
import { GitStore } from './git-store';

const CLONE_TIMEOUT_MS = 10 * 60_000;
export const STAGING_PREFIX = '.import-';

function git(args: string[], options: { gitDir?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...(options.gitDir ? ['--git-dir', options.gitDir] : []), ...args],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 60_000,
        // Never wait for a password on a terminal nobody watches (credential helpers still work).
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
      (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr: String(stderr) })) : resolve(String(stdout))),
    );
  });
}

/** The last meaningful line git printed, for a one-line message. */
function gitMessage(error: unknown): string {
  const lines = String((error as { stderr?: string }).stderr ?? (error as Error).message)
    .split('\n')
    .map((line) => line.replace(/^(fatal|error): /, '').trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'git failed';
}

/** Clones `source` into `repositoriesDir` under a temporary name; see Repositories.stage. */
export async function stageClone(repositoriesDir: string, source: string, branch: string): Promise<StagedRepository> {
  fs.mkdirSync(repositoriesDir, { recursive: true });
  let location = path.join(repositoriesDir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}.git`);
  const discard = async () => fs.rmSync(location, { recursive: true, force: true });
  try {
    // `--` keeps a source that starts with a dash from being read as an option; ext:: transports run commands.
    await git(['-c', 'protocol.ext.allow=never', 'clone', '--bare', '--quiet', '--', source, location], { timeoutMs: CLONE_TIMEOUT_MS });
  } catch (error) {
    await discard();
    throw new StagingError(`cannot clone ${source}: ${gitMessage(error)}`);
  }
  try {
    const heads = (await git(['for-each-ref', '--format=%(refname:strip=2)', 'refs/heads'], { gitDir: location })).split('\n').filter(Boolean);
    if (!heads.includes(branch)) {
      throw new StagingError(heads.length === 0 ? `${source} has no commits` : `${source} has no branch ${branch}`, heads);
    }
    if (branch !== 'main') await git(['update-ref', 'refs/heads/main', `refs/heads/${branch}`], { gitDir: location });
    for (const head of heads) if (head !== 'main' && head !== branch) await git(['update-ref', '-d', `refs/heads/${head}`], { gitDir: location });
    if (branch !== 'main') await git(['update-ref', '-d', `refs/heads/${branch}`], { gitDir: location });
    await git(['symbolic-ref', 'HEAD', 'refs/heads/main'], { gitDir: location });
    // The source's URL (maybe with credentials in it) stays out of the hosted repository.
    await git(['remote', 'remove', 'origin'], { gitDir: location }).catch(() => undefined);
  } catch (error) {
    await discard();
    if (error instanceof StagingError) throw error;
    throw new StagingError(`cannot prepare the clone of ${source}: ${gitMessage(error)}`);
  }
  let repository: GitRepository = await GitStore.open(location);
  return {
    get repository() {
      return repository;
    },
    async check() {
      try {
        await git(['fsck', '--connectivity-only', '--no-dangling', '--no-progress'], { gitDir: location, timeoutMs: CLONE_TIMEOUT_MS });
        return [];
      } catch (error) {
        return [`the repository's objects are damaged (git fsck: ${gitMessage(error)})`];
      }
    },
    async install(projectSlug) {
      const target = path.join(repositoriesDir, `${projectSlug}.git`);
      if (fs.existsSync(target)) throw new StagingError(`${target} exists already`);
      fs.renameSync(location, target);
      location = target;
      repository = await GitStore.open(location);
      return repository;
    },
    discard,
  };
}
