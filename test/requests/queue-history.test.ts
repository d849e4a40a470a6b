/**
 * What an incident needs around the approval framework (issue 17): history statuses that tell the
 * truth, post-incident notes on any deployment, and an approval queue across tenant-environments
 * and kinds — live over a real graphql-ws socket.
 */
import { describe, expect } from 'vitest';
import type { TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import {
  AddDeploymentNoteDocument,
  ApprovalRequestUpdatedDocument,
  DeploymentNotesDocument,
  PendingApprovalsDocument,
  TenantEnvironmentApprovalRequestsDocument,
  PreviewTargetWarningsDocument,
  RequestPromotionDocument,
  RequestReleaseDocument,
} from '../kit/documents/approvals';
import { AuditEventsDocument } from '../kit/documents/governance';
import { DeployReleaseDocument } from '../kit/documents/history';
import { ReportSyncStatusDocument } from '../kit/documents/live';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import { connectWs, subscribeWs, subscriberCount, untilSubscribers } from '../live/helpers';
import { EMAIL, PROD, STAGING, auditRows, previousRevision, requestTagRollback, review, shopProjectId, stagingTagTarget, tagRollback } from './helpers';

type Where = { project: string; tenant: string; environment: string };

async function history(t: TestApp, where: Where) {
  return ok(await t.gql('DEPLOYER', DeploymentNotesDocument, where)).tenantEnvironment!.deployments.edges.map((e) => e.node);
}
const report = (t: TestApp, where: Where, revision: string, health: 'HEALTHY' | 'DEGRADED') =>
  call(t, 'AGENT', ReportSyncStatusDocument, { input: { ...where, revision, syncState: 'SYNCED', health, services: [] } });

describe('history status that tells the truth', () => {
  it('a deployment the agent reported DEGRADED (FAILED) that is rolled back becomes ROLLED_BACK with rolledBackBy', async ({ t }) => {
    const [bad] = await history(t, PROD);
    ok(await report(t, PROD, bad!.revision, 'DEGRADED'));
    expect((await history(t, PROD))[0]).toMatchObject({ revision: bad!.revision, status: 'FAILED' });

    const request = await requestTagRollback(t);
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');
    const after = await history(t, PROD);
    const reverted = after.find((d) => d.revision === bad!.revision)!;
    expect(reverted).toMatchObject({ status: 'ROLLED_BACK', rolledBackBy: { revision: done.resultRevision } });
    // A FIELD rollback reverts fields of one service, never claims the whole deployment.
    expect(reverted.reversions).toEqual([{ services: ['api-gateway'], whole: false, rollbackRequest: { id: request.id } }]);
  });

  it('a FAILED deployment whose later report is HEALTHY at the same revision is no longer FAILED', async ({ t }) => {
    const [latest, previous] = await history(t, PROD);
    ok(await report(t, PROD, latest!.revision, 'DEGRADED'));
    expect((await history(t, PROD))[0]!.status).toBe('FAILED');
    // A HEALTHY report of an older revision says nothing about this one.
    ok(await report(t, PROD, previous!.revision, 'HEALTHY'));
    expect((await history(t, PROD))[0]!.status).toBe('FAILED');
    ok(await report(t, PROD, latest!.revision, 'HEALTHY'));
    expect((await history(t, PROD))[0]!.status).toBe('SUCCESS');
  });

  it('a SERVICE rollback of a multi-service release says which of its services it reverted', async ({ t }) => {
    const released = ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: {
          ...STAGING,
          description: 'gateway and payments together',
          services: [
            { service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v2.2.0' }] },
            { service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.6.0' }] },
          ],
        },
      }),
    ).deployRelease;
    const target = await previousRevision(t, STAGING);
    const rollback = ok(
      await t.gql('DEPLOYER', RequestRollbackDocument, {
        input: { rollback: { ...STAGING, mode: 'SERVICE', targetSha: target, service: 'api-gateway' }, justification: 'gateway 2.2.0 leaks connections' },
      }),
    ).requestRollback;
    expect(rollback.state).toBe('COMPLETED');
    const entry = (await history(t, STAGING)).find((d) => d.revision === released.revision)!;
    expect(entry.status).toBe('ROLLED_BACK');
    expect(entry.rolledBackBy).toEqual({ revision: rollback.resultRevision });
    expect(entry.reversions).toEqual([{ services: ['api-gateway'], whole: false, rollbackRequest: { id: rollback.id } }]);
  });
});

describe('post-incident notes on any deployment', () => {
  it('adds a note with a root cause and corrective actions to a release, visible in history and the audit trail', async ({ t }) => {
    const [bad] = await history(t, PROD);
    expect(bad!.source).toBe('RELEASE');
    const note = ok(
      await t.gql('DEPLOYER', AddDeploymentNoteDocument, {
        input: {
          deploymentId: bad!.id,
          note: 'The hotfix tag was never pushed to the registry',
          rootCause: 'release pipeline tagged before the image push finished',
          correctiveActions: ['block releases of tags missing from the registry', 'canary gateway releases'],
        },
      }),
    ).addDeploymentNote;
    expect(note).toMatchObject({ rootCause: 'release pipeline tagged before the image push finished', author: { email: EMAIL.DEPLOYER } });
    ok(await t.gql('APPROVER', AddDeploymentNoteDocument, { input: { deploymentId: bad!.id, note: 'Reviewed in the postmortem' } }));

    const [entry] = await history(t, PROD);
    expect(entry!.notes).toEqual([
      {
        note: 'The hotfix tag was never pushed to the registry',
        rootCause: 'release pipeline tagged before the image push finished',
        correctiveActions: ['block releases of tags missing from the registry', 'canary gateway releases'],
        author: { email: EMAIL.DEPLOYER },
      },
      { note: 'Reviewed in the postmortem', rootCause: null, correctiveActions: [], author: { email: EMAIL.APPROVER } },
    ]);
    const audited = (await auditRows(t, bad!.id)).filter((r) => r.action === 'deployment.note_added');
    expect(audited.map((r) => r.details)).toEqual([
      {
        revision: bad!.revision,
        note: 'The hotfix tag was never pushed to the registry',
        rootCause: 'release pipeline tagged before the image push finished',
        correctiveActions: ['block releases of tags missing from the registry', 'canary gateway releases'],
      },
      { revision: bad!.revision, note: 'Reviewed in the postmortem', rootCause: null, correctiveActions: [] },
    ]);
    const listed = ok(await t.gql('ADMIN', AuditEventsDocument, { slug: 'shop', action: 'deployment.note_added' })).project!.auditEvents.edges;
    expect(listed).toHaveLength(2);
  });

  it('refuses an empty note, a viewer, and a deployment the caller cannot see', async ({ t }) => {
    const [bad] = await history(t, PROD);
    expect((await t.gql('DEPLOYER', AddDeploymentNoteDocument, { input: { deploymentId: bad!.id, note: '  ' } })).errors![0]!.extensions!.code).toBe('NOTE_REQUIRED');
    expect((await t.gql('DEPLOYER', AddDeploymentNoteDocument, { input: { deploymentId: 'dep-nope', note: 'x' } })).errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});

describe('the approval queue', () => {
  it('lists every pending request across tenant-environments and kinds, oldest first, with who may review it; live over graphql-ws', async ({ t }) => {
    const baseUrl = await t.listen();
    const projectId = await shopProjectId(t);
    const baseline = subscriberCount(t);
    const socket = connectWs(baseUrl, t.token('APPROVER'));
    try {
      await socket.connected;
      const live = subscribeWs(socket, ApprovalRequestUpdatedDocument, { projectId });
      await untilSubscribers(t, baseline + 1);
      const rollback = await requestTagRollback(t);
      const release = ok(
        await t.gql('DEPLOYER', RequestReleaseDocument, {
          input: { project: 'shop', tenant: 'globex', environment: 'production', services: [{ service: 'search', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v0.9.5' }] }] },
        }),
      ).requestRelease;
      const promotion = ok(
        await t.gql('ADMIN', RequestPromotionDocument, { input: { project: 'shop', tenant: 'acme', fromEnvironment: 'staging', toEnvironment: 'production', service: 'catalog' } }),
      ).requestPromotion;
      // Not waiting: completed at once on staging.
      ok(await call(t, 'DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING)));

      const queue = ok(await t.gql('APPROVER', PendingApprovalsDocument, { slug: 'shop' })).project!.pendingApprovals;
      expect(queue.map((r) => [r.kind, r.id, `${r.tenantEnvironment.tenant}/${r.tenantEnvironment.environment}`])).toEqual([
        ['ROLLBACK', rollback.id, 'acme/production'],
        ['RELEASE', release.id, 'globex/production'],
        ['PROMOTION', promotion.id, 'acme/production'],
      ]);
      expect(queue.map((r) => r.eligibleReviewers.map((u) => u.email))).toEqual([
        [EMAIL.ADMIN, EMAIL.APPROVER, EMAIL.APPROVER2].sort(),
        [EMAIL.ADMIN, EMAIL.APPROVER, EMAIL.APPROVER2].sort(),
        [EMAIL.APPROVER, EMAIL.APPROVER2].sort(),
      ]);
      expect(queue.map((r) => r.__typename)).toEqual(['RollbackRequest', 'ReleaseRequest', 'PromotionRequest']);

      // One tenant-environment's requests of every kind, newest first, filtered by kind and state.
      const acme = { project: 'shop', tenant: 'acme', environment: 'production' };
      const here = ok(await t.gql('DEPLOYER', TenantEnvironmentApprovalRequestsDocument, acme)).tenantEnvironment!.approvalRequests;
      expect(here.map((r) => [r.kind, r.id])).toEqual([
        ['PROMOTION', promotion.id],
        ['ROLLBACK', rollback.id],
      ]);
      const changes = ok(await t.gql('DEPLOYER', TenantEnvironmentApprovalRequestsDocument, { ...acme, kinds: ['RELEASE', 'PROMOTION'] })).tenantEnvironment!.approvalRequests;
      expect(changes.map((r) => r.id)).toEqual([promotion.id]);
      const globex = { project: 'shop', tenant: 'globex', environment: 'production' };
      expect(ok(await t.gql('DEPLOYER', TenantEnvironmentApprovalRequestsDocument, { ...globex, states: ['PENDING'] })).tenantEnvironment!.approvalRequests.map((r) => r.id)).toEqual([release.id]);
      expect(ok(await t.gql('DEPLOYER', TenantEnvironmentApprovalRequestsDocument, { ...globex, states: ['COMPLETED'] })).tenantEnvironment!.approvalRequests).toEqual([]);

      // Once reviewed, a request leaves the queue.
      ok(await review(t, 'APPROVER', rollback.id, 'REJECT'));
      expect(ok(await t.gql('APPROVER', PendingApprovalsDocument, { slug: 'shop' })).project!.pendingApprovals.map((r) => r.id)).toEqual([release.id, promotion.id]);
      // A DEPLOYER sees the queue too; someone outside the project sees nothing of it.
      expect(ok(await t.gql('DEPLOYER', PendingApprovalsDocument, { slug: 'shop' })).project!.pendingApprovals).toHaveLength(2);

      const events = await live.waitFor(6);
      const created = events.map((e) => e.approvalRequestUpdated).filter((e) => e.change === 'CREATED' && e.state === 'PENDING');
      expect(created.map((e) => [e.kind, e.request.id])).toEqual([
        ['ROLLBACK', rollback.id],
        ['RELEASE', release.id],
        ['PROMOTION', promotion.id],
      ]);
      const rejected = events.map((e) => e.approvalRequestUpdated).find((e) => e.request.id === rollback.id && e.state === 'REJECTED');
      expect(rejected).toMatchObject({ kind: 'ROLLBACK', request: { kind: 'ROLLBACK', state: 'REJECTED' } });
    } finally {
      await socket.dispose();
    }
  });
});

describe('preview before executing', () => {
  it('warns when the target revision is itself FAILED or ROLLED_BACK; a request without previewHash reports the preview it executed (hash and impact counts)', async ({ t }) => {
    const [head, previous] = await history(t, PROD);
    const fieldRollback = (targetSha: string) => ({ ...PROD, mode: 'FIELD' as const, targetSha, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] });
    const clean = ok(await t.gql('DEPLOYER', PreviewTargetWarningsDocument, { input: fieldRollback(previous!.revision) })).previewRollback;
    expect(clean.targetWarnings).toEqual([]);

    ok(await report(t, PROD, previous!.revision, 'DEGRADED'));
    const failed = ok(await t.gql('DEPLOYER', PreviewTargetWarningsDocument, { input: fieldRollback(previous!.revision) })).previewRollback;
    expect(failed.targetWarnings).toEqual([`the target revision ${previous!.revision.slice(0, 7)} is itself FAILED: its agent reported it DEGRADED`]);

    // Requested without previewHash: the request names the preview it was planned (and executed) on.
    const request = await requestTagRollback(t);
    expect(request.previewHash).toBe(failed.previewHash);
    expect(request.previewImpact).toEqual(failed.impact);
    // values.yaml and the manifest generated from it.
    expect(request.previewImpact).toEqual({ services: 1, files: 2, variables: 0, bindings: 0 });
    const done = ok(await review(t, 'APPROVER', request.id, 'APPROVE')).reviewRollbackRequest;
    expect(done).toMatchObject({ state: 'COMPLETED', previewHash: failed.previewHash });

    // The bad release is now ROLLED_BACK: rolling forward to it again is flagged.
    const forward = ok(await t.gql('DEPLOYER', PreviewTargetWarningsDocument, { input: fieldRollback(head!.revision) })).previewRollback;
    expect(forward.targetWarnings).toEqual([`the target revision ${head!.revision.slice(0, 7)} was itself ROLLED_BACK by an earlier rollback`]);
  });
});
