import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RefConflictError } from './errors';
import type { GitAuthor } from '../domain/ports';
import { normalizeFilePath } from './paths';
import type { FileChange, TreeEntryChange } from './tree-edit';

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

function runGit(repoDir: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['--git-dir', repoDir, ...args],
      { env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          reject(Object.assign(err, { stderr: String(stderr) }));
        } else {
          resolve(String(stdout).trim());
        }
      },
    );
    // git may exit without reading stdin; its exit status is what reports failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input);
  });
}

function identityEnv(author: GitAuthor, when: Date): NodeJS.ProcessEnv {
  const date = `@${Math.floor((author.when ?? when).getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_COMMITTER_DATE: date,
  };
}

/**
 * Benchmark baseline: the same commit GitStore.commitToBranch makes, done with git plumbing only
 * (temporary index via GIT_INDEX_FILE, hash-object, update-index, write-tree, commit-tree,
 * update-ref with the old value as compare-and-swap). Moves refs/heads/main.
 */
export async function commitWithGitCli(
  repoDir: string,
  parentSha: string | null,
  changes: FileChange[],
  message: string,
  author: GitAuthor,
  branch = 'main',
): Promise<string> {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-index-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_INDEX_FILE: path.join(tmpDir, 'index'),
    ...identityEnv(author, new Date()),
  };
  try {
    if (parentSha) await runGit(repoDir, ['read-tree', parentSha], { env });
    else await runGit(repoDir, ['read-tree', '--empty'], { env });

    const writes = changes.filter((c) => c.content !== null);
    const removals = changes.filter((c) => c.content === null).map((c) => normalizeFilePath(c.path));

    // Keep an existing executable bit, as GitStore does.
    const executable = new Set<string>();
    if (parentSha && writes.length > 0) {
      const staged = await runGit(
        repoDir,
        ['ls-files', '--stage', '-z', '--', ...writes.map((c) => normalizeFilePath(c.path))],
        { env },
      );
      for (const line of staged.split('\0')) {
        const tab = line.indexOf('\t');
        if (line.startsWith('100755 ') && tab > 0) executable.add(line.slice(tab + 1));
      }
    }

    const cacheinfo: string[] = [];
    for (const change of writes) {
      const filePath = normalizeFilePath(change.path);
      const blob = await runGit(repoDir, ['hash-object', '-w', '--stdin'], {
        env,
        input: change.content!,
      });
      const mode = executable.has(filePath) ? '100755' : '100644';
      cacheinfo.push('--cacheinfo', `${mode},${blob},${filePath}`);
    }
    if (cacheinfo.length > 0) await runGit(repoDir, ['update-index', '--add', ...cacheinfo], { env });
    if (removals.length > 0) {
      // Path arguments (`--force-remove <path>`) need a work tree; index-info lines with
      // mode 0 remove entries without one.
      const lines = removals.map((p) => `0 ${'0'.repeat(40)}\t${p}\n`).join('');
      await runGit(repoDir, ['update-index', '--index-info'], { env, input: lines });
    }

    const tree = await runGit(repoDir, ['write-tree'], { env });
    const msg = message.endsWith('\n') ? message : `${message}\n`;
    const commitArgs = ['commit-tree', tree, ...(parentSha ? ['-p', parentSha] : []), '-F', '-'];
    const sha = await runGit(repoDir, commitArgs, { env, input: msg });

    const ref = `refs/heads/${branch}`;
    try {
      // An empty old value makes update-ref require that the ref does not exist yet.
      await runGit(repoDir, ['update-ref', ref, sha, parentSha ?? ''], { env });
    } catch (err) {
      throw new RefConflictError(ref, parentSha, (err as { stderr?: string }).stderr?.trim());
    }
    return sha;
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Benchmark baseline for a FULL rollback: the parent's tree with directories set to existing trees,
 * done with git plumbing only (read-tree of the parent into a temporary index, the directory's entries
 * replaced by the tree's (ls-tree) in one update-index, write-tree, commit-tree, update-ref as
 * compare-and-swap; `read-tree --prefix` would need a work tree). Moves refs/heads/main.
 */
export async function commitTreeWithGitCli(
  repoDir: string,
  parentSha: string,
  changes: TreeEntryChange[],
  message: string,
  author: GitAuthor,
  branch = 'main',
): Promise<string> {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-index-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_INDEX_FILE: path.join(tmpDir, 'index'),
    ...identityEnv(author, new Date()),
  };
  try {
    await runGit(repoDir, ['read-tree', parentSha], { env });
    for (const change of changes) {
      const dir = normalizeFilePath(change.path);
      // The directory's entries out (mode 0), the tree's entries in, in one index-info stream.
      const [staged, entries] = await Promise.all([
        runGit(repoDir, ['ls-files', '--stage', '-z', '--', `${dir}/`], { env }),
        runGit(repoDir, ['ls-tree', '-r', '-z', change.treeId], { env }),
      ]);
      const pathOf = (line: string) => line.slice(line.indexOf('\t') + 1);
      const removals = staged.split('\0').filter((line) => line.includes('\t')).map((line) => `0 ${'0'.repeat(40)}\t${pathOf(line)}\n`);
      // ls-tree lines are "<mode> <type> <id>\t<path>"; index-info takes "<mode> <id>\t<path>".
      const additions = entries
        .split('\0')
        .filter((line) => line.includes('\t'))
        .map((line) => {
          const [mode, , id] = line.slice(0, line.indexOf('\t')).split(' ');
          return `${mode} ${id}\t${dir}/${pathOf(line)}\n`;
        });
      await runGit(repoDir, ['update-index', '--index-info'], { env, input: [...removals, ...additions].join('') });
    }
    const tree = await runGit(repoDir, ['write-tree'], { env });
    const msg = message.endsWith('\n') ? message : `${message}\n`;
    const sha = await runGit(repoDir, ['commit-tree', tree, '-p', parentSha, '-F', '-'], { env, input: msg });
    const ref = `refs/heads/${branch}`;
    try {
      await runGit(repoDir, ['update-ref', ref, sha, parentSha], { env });
    } catch (err) {
      throw new RefConflictError(ref, parentSha, (err as { stderr?: string }).stderr?.trim());
    }
    return sha;
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
