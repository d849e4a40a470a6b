/**
 * A FULL request keeps the deployment record its preview computed; executed on the directory that
 * preview saw, the rollback records that instead of comparing both trees again. The record must be
 * exactly the one the history indexer makes of the same commit, and a directory that changed since
 * the preview (here: a manifest another tool pushed, which leaves the preview hash alone) is compared again.
 */
import { describe, expect } from 'vitest';
import { compareFiles } from '../../src/domain/diff/compare-files';
import { recordedChangesOf } from '../../src/domain/history/deployment-record';
import { readFiles } from '../../src/domain/tenant-environment-files';
import type { TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { countRows } from '../kit/db';
import { SetApprovalPolicyDocument } from '../kit/documents/governance';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import { PROD, deploymentsOf, pushWithGitCli, review } from './helpers';

const PREVIEWS = 'rollback_request_previews';
const DIR = 'tenants/acme/production';

async function requestFullRollback(t: TestApp) {
  ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 1 } }));
  const { deployments } = await deploymentsOf(t);
  // Two releases back: more than one service and file differ.
  const target = deployments[2]!.revision;
  const request = ok(await call(t, 'DEPLOYER', RequestRollbackDocument, { input: { rollback: { ...PROD, mode: 'FULL', targetSha: target }, justification: 'full rollback test' } })).requestRollback;
  expect(request.state).toBe('PENDING');
  return request;
}

/** The deployment record of `sha` as stored, beside the one the history indexer derives from the commit and its parent. */
async function recordAndOracle(t: TestApp, sha: string) {
  const backend = t.app.backend;
  const te = (await backend.stores.tenantEnvironments.bySlugs(PROD))!;
  const repo = await backend.repositories.forProject('shop');
  const parent = git(t.repoDir, ['rev-parse', `${sha}^`]);
  const ref = te.ref;
  const expected = recordedChangesOf(compareFiles(await readFiles(repo, parent, ref), await readFiles(repo, sha, ref), { needsTextDiff: () => false }));
  const deployment = (await backend.stores.deployments.byRevision(te.id, sha))!;
  const rows = await t.app.database.query(`select file, level, path from deployment_changes where deployment_id = '${deployment.id}'`);
  const order = (r: { file: string; level: string; path: string }) => `${r.file}\u0000${r.level}\u0000${r.path}`;
  const sorted = (list: Array<{ file: string; level: string; path: string }>) => list.map(order).sort();
  return {
    stored: { summary: deployment.changesSummary, paths: deployment.changedPaths, rows: sorted(rows as never) },
    expected: { summary: expected.summary, paths: expected.paths, rows: sorted(expected.rows) },
  };
}

describe('a FULL request keeps its preview’s deployment record until it completes', () => {
  it('approved on the directory it previewed, it records the kept record, which equals the indexer’s, and forgets it', async ({ t }) => {
    const request = await requestFullRollback(t);
    expect(await countRows(t, PREVIEWS)).toBe(1);

    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    const { stored, expected } = await recordAndOracle(t, done.resultRevision!);
    expect(stored.paths.length).toBeGreaterThan(1);
    expect(stored).toEqual(expected);
    expect(await countRows(t, PREVIEWS)).toBe(0);
  });

  it('when the directory changed since the preview without changing its hash, the rollback is compared again', async ({ t }) => {
    const request = await requestFullRollback(t);
    // Manifests are derived, so they are not in the preview hash: the request still executes, but its
    // record must now list a manifest its preview did not.
    const kept = (await t.app.backend.stores.requests.previewChanges(request.id))!;
    const manifest = git(t.repoDir, ['ls-tree', '--name-only', 'refs/heads/main', `${DIR}/manifests/`])
      .split('\n')
      .find((path) => !kept.paths.includes(path.slice(DIR.length + 1)))!;
    expect(manifest).toBeDefined();
    pushWithGitCli(t, manifest, (content) => `${content}# edited by another tool\n`);

    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    const { stored, expected } = await recordAndOracle(t, done.resultRevision!);
    expect(stored.paths).toContain(manifest.slice(DIR.length + 1));
    expect(stored).toEqual(expected);
    expect(await countRows(t, PREVIEWS)).toBe(0);
  });
});
