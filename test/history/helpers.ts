/** Shared steps of the history tests: Git read-back, commits made with git plumbing behind the API's back. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, gitBuffer } from '../kit/git-cli';
import type { TestApp } from '../kit/app';

export const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
export const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;

export const head = (t: TestApp) => git(t.repoDir, ['rev-parse', 'refs/heads/main']);

/** A file at a revision, byte for byte (`git show <rev>:<path>`). */
export function fileAt(t: TestApp, revision: string, file: string): string {
  return gitBuffer(t.repoDir, ['show', `${revision}:${file}`]).toString('utf8');
}

/** The tree (or blob) id of a path at a revision: equal ids mean byte-identical content. */
export const objectId = (t: TestApp, revision: string, file: string) => git(t.repoDir, ['rev-parse', `${revision}:${file}`]);

export const teDir = (te: { tenant: string; environment: string }) => `tenants/${te.tenant}/${te.environment}`;

export async function deploymentCount(t: TestApp): Promise<number> {
  const [row] = await t.app.database.query('select count(*) as n from deployments');
  return Number(row!.n);
}

/**
 * Commits on main with git plumbing only (hash-object, read-tree/update-index on a temporary index,
 * write-tree, commit-tree, update-ref), as another tool pushing into the bare repository would.
 * `files` maps repository paths to new content, or null to delete.
 */
export function pushWithGitCli(
  t: TestApp,
  files: Record<string, string | null>,
  message: string,
  author = { name: 'Casey CLI', email: 'casey@tools.example.com' },
): string {
  const parent = head(t);
  const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-index-'));
  const env = {
    GIT_INDEX_FILE: path.join(indexDir, 'index'),
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  try {
    git(t.repoDir, ['read-tree', parent], { env });
    for (const [file, content] of Object.entries(files)) {
      if (content === null) {
        // A bare repository has no work tree, so remove through --index-info (mode 0 deletes the entry).
        git(t.repoDir, ['update-index', '--index-info'], { input: `0 ${'0'.repeat(40)}\t${file}\n`, env });
      } else {
        const blob = git(t.repoDir, ['hash-object', '-w', '--stdin'], { input: content, env });
        git(t.repoDir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], { env });
      }
    }
    const tree = git(t.repoDir, ['write-tree'], { env });
    const commit = git(t.repoDir, ['commit-tree', tree, '-p', parent, '-m', message], { env });
    git(t.repoDir, ['update-ref', 'refs/heads/main', commit, parent], { env });
    return commit;
  } finally {
    fs.rmSync(indexDir, { recursive: true, force: true });
  }
}
