/**
 * Issue 11.3: a full database between the commit and its recording. The API says STORAGE_FULL (503)
 * and whether the commit landed; the server records what landed once space is back (the repair pass),
 * writes the audit event from the commit's metadata, and leaves no request APPROVED or EXECUTING.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repairPass } from '../../src/domain/requests/run-execution';
import { createTestApp, type TestApp } from '../kit/app';
import { allAuditEvents, fillDatabase, freeDatabase } from '../kit/db';
import { expectError, ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RollbackRequestDocument } from '../kit/documents/rollbacks';
import { git } from '../kit/git-cli';
import { PROD, STAGING, requestTagRollback, review, rollbackCommitsFor, shopProjectId } from '../requests/helpers';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const head = () => git(t.repoDir, ['rev-parse', 'main']);
const release = (replicas: number) => ({
  input: { ...STAGING, description: 'scale checkout', services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: replicas }] }] },
});
const recordedRevisions = async () =>
  (await t.app.backend.stores.deployments.page((await t.app.backend.stores.tenantEnvironments.bySlugs(STAGING))!.id, Number.MAX_SAFE_INTEGER, 1000)).map((d) => d.revision);

describe('a release whose recording fails', () => {
  it('answers STORAGE_FULL saying the commit landed; the repair pass records it and its audit event; a retry changes nothing', async () => {
    const before = head();
    await fillDatabase(t);
    const error = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, release(9)), { code: 'STORAGE_FULL', status: 503 });
    const landed = head();
    expect(landed).not.toBe(before);
    expect(git(t.repoDir, ['rev-parse', `${landed}^`])).toBe(before);
    expect(error.message).toContain(`commit ${landed} landed on main, but recording it failed`);
    expect(error.extensions).toMatchObject({ revision: landed, committed: true });
    expect(await recordedRevisions()).not.toContain(landed);

    // Still full: the next write records nothing and writes nothing, and says so.
    const again = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, release(10)), { code: 'STORAGE_FULL', status: 503 });
    expect(again.message).toMatch(/nothing was written/);
    expect(head()).toBe(landed);

    await freeDatabase(t);
    const { errors } = await repairPass(t.app.backend);
    expect(errors).toEqual([]);
    expect((await recordedRevisions())[0]).toBe(landed);
    const audit = (await allAuditEvents(t, await shopProjectId(t))).filter((e) => e.action === 'release.deployed' && e.details.revision === landed);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ recovered: true, author: 'dana.deployer@acme.example.com' });
    expect(audit[0]!.actorUserId).not.toBeNull();

    // The client's retry of the same release: nothing to change, no duplicate commit.
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, release(9)), { code: 'NOTHING_TO_CHANGE', status: 400 });
    expect(head()).toBe(landed);
  });

  it('a release made while the database is full never leaves a half-recorded history', async () => {
    await fillDatabase(t);
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, release(9)), { code: 'STORAGE_FULL', status: 503 });
    await freeDatabase(t);
    // The next write records the earlier commit first, then its own, in main's order.
    const next = ok(await t.gql('DEPLOYER', DeployReleaseDocument, release(11))).deployRelease;
    const revisions = await recordedRevisions();
    expect(revisions.slice(0, 2)).toEqual([next.revision, git(t.repoDir, ['rev-parse', `${next.revision}^`])]);
  });
});

describe('an approved rollback whose completion fails', () => {
  it('answers STORAGE_FULL saying the commit landed, stays EXECUTING, and the repair pass completes it with that commit', async () => {
    const request = await requestTagRollback(t, 'DEPLOYER', PROD);
    // The database fills up right after the rollback commit moved main, before it is recorded.
    t.app.backend.faults = { pause: async (point) => (point === 'after-rollback-commit' ? fillDatabase(t) : undefined) };
    const error = expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), { code: 'STORAGE_FULL', status: 503 });
    t.app.backend.faults = undefined;
    const [commit] = rollbackCommitsFor(t, request.id);
    expect(commit).toBe(head());
    expect(error.message).toContain(`rollback commit ${commit} landed on main`);
    expect(error.extensions).toMatchObject({ requestId: request.id, revision: commit, committed: true });
    expect(ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: request.id })).rollbackRequest!.state).toBe('EXECUTING');

    await freeDatabase(t);
    const { reconciled, errors } = await repairPass(t.app.backend);
    expect(errors).toEqual([]);
    expect(reconciled).toEqual([{ id: request.id, state: 'COMPLETED' }]);
    const done = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id: request.id })).rollbackRequest!;
    expect(done).toMatchObject({ state: 'COMPLETED', resultRevision: commit });
    expect(rollbackCommitsFor(t, request.id)).toEqual([commit]);
    expect(done.deployment).toMatchObject({ revision: commit, source: 'ROLLBACK' });
  });
});
