/** Steps shared by the crash-recovery, shutdown and metrics tests: a staging rollback over HTTP, DB and Git probes. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { git } from '../kit/git-cli';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { bodyOf, postUrl, STAGING, type RawResponse } from './helpers';

export interface RequestRow {
  id: string;
  state: string;
  error_code: string | null;
  error: string | null;
  result_sha: string | null;
  attempts: number;
}

/** Reads the request rows straight from the SQLite file (read-only, its own connection). */
export function requestRows(dataDir: string): RequestRow[] {
  const db = new Database(path.join(dataDir, 'backtrack.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, state, error_code, error, result_sha, attempts FROM rollback_requests ORDER BY created_at').all() as RequestRow[];
  } finally {
    db.close();
  }
}

export function repoDir(dataDir: string): string {
  return path.join(dataDir, 'repositories', 'shop.git');
}

/** SHAs of the commits on main whose message carries `Rollback Request ID: <id>` (git CLI). */
export function rollbackCommits(dataDir: string, requestId: string): string[] {
  const out = git(repoDir(dataDir), ['log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${requestId}`, 'refs/heads/main']);
  return out ? out.split('\n') : [];
}

export function mainHead(dataDir: string): string {
  return git(repoDir(dataDir), ['rev-parse', 'refs/heads/main']);
}

/**
 * The staging revision from before api-gateway 2.1.0: a FIELD rollback of api-gateway's
 * image.tag to it changes v2.1.0 back to v2.0.9. acme/staging needs no approval, so
 * requestRollback executes at once.
 */
export async function stagingTagTarget(url: string, token: string): Promise<string> {
  const response = await postUrl(url, token, bodyOf(TenantEnvironmentDocument, STAGING));
  const data = response.body.data as { tenantEnvironment: { deployments: { edges: Array<{ node: { revision: string } }> } } };
  const revisions = data.tenantEnvironment.deployments.edges.map((e) => e.node.revision);
  // newest first: catalog 5.1.0, api-gateway 2.1.0, then the revision still on v2.0.9
  return revisions[2]!;
}

export function tagRollbackInput(targetSha: string, justification = 'api-gateway v2.1.0 rate limiter rejects healthy traffic') {
  return {
    input: {
      rollback: { ...STAGING, mode: 'FIELD' as const, targetSha, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] },
      justification,
    },
  };
}

/** Sends requestRollback on acme/staging; the promise settles when the server answers (or dies). */
export function requestStagingRollback(url: string, token: string, targetSha: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return postUrl(url, token, bodyOf(RequestRollbackDocument, tagRollbackInput(targetSha)), headers);
}
