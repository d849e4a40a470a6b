/** The history panel's query costs the same number of SQL statements for 50 deployments as for 5 (per-request DataLoaders). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { SetApprovalPolicyDocument } from '../kit/documents/governance';
import { HistoryPanelDocument, HistoryPanelTenantEnvironmentsDocument } from '../kit/documents/history';
import { RequestRollbackDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { STAGING, tagEdit } from './helpers';
import { deploy, tagRollbackInput } from './scenario';


describe('DataLoader batching of the deployment history', () => {
  let t: TestApp;
  let counting = false;
  let statements: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ onStatement: (sql) => counting && statements.push(sql) });
    // Rollbacks (and releases) on acme/staging need two approvals, so they carry reviews by two reviewers.
    ok(await call(t, 'ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'staging', approvalRequired: true, quorum: 2 } }));
    const releasers = ['DEPLOYER', 'ADMIN', 'APPROVER'] as const;
    for (let i = 0; i < 50; i++) {
      const released = await deploy(t, { ...STAGING, description: `api-gateway 2.2.${i}`, services: [tagEdit('api-gateway', `v2.2.${i}`)] }, releasers[i % 3]!, [
        'APPROVER',
        'APPROVER2',
        'ADMIN',
      ]);
      if (i % 8 === 7) {
        // Roll the tag back to the revision before this release: a ROLLBACK deployment with a request, its requester and reviews.
        const history = ok(await call(t, 'DEPLOYER', HistoryPanelDocument, { ...STAGING, first: 2 })).tenantEnvironment!.deployments.edges;
        expect(history[0]!.node.revision).toBe(released.revision);
        const request = ok(
          await call(t, i % 16 === 7 ? 'DEPLOYER' : 'ADMIN', RequestRollbackDocument, {
            input: tagRollbackInput(history[1]!.node.revision, STAGING, `v2.2.${i} fails its readiness probe`),
          }),
        ).requestRollback;
        ok(await call(t, 'APPROVER', ReviewDocument, { input: { id: request.id, decision: 'APPROVE', comment: 'seen the probe failures' } }));
        expect(ok(await call(t, 'APPROVER2', ReviewDocument, { input: { id: request.id, decision: 'APPROVE' } })).reviewRollbackRequest.state).toBe(
          'COMPLETED',
        );
      }
    }
    // Index the history before counting, so indexing is not counted.
    ok(await call(t, 'DEPLOYER', HistoryPanelDocument, { ...STAGING, first: 1 }));
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  async function counted<R>(run: () => Promise<R>): Promise<{ result: R; statements: string[] }> {
    statements = [];
    counting = true;
    const result = await run();
    counting = false;
    return { result, statements: [...statements] };
  }

  async function history(first: number) {
    const { result, statements } = await counted(() => call(t, 'DEPLOYER', HistoryPanelDocument, { ...STAGING, first }));
    return { edges: ok(result).tenantEnvironment!.deployments.edges.map((e) => e.node), statements };
  }

  it('uses as many statements for 50 deployments with authors, requests, requesters, reviews and reviewers as for 5', async () => {
    const five = await history(5);
    const fifty = await history(50);
    expect(five.edges).toHaveLength(5);
    expect(fifty.edges).toHaveLength(50);

    // Both pages exercise every level: rollback requests with reviews by two reviewers, and authors who are users.
    for (const page of [five, fifty]) {
      const rollbacks = page.edges.filter((d) => d.source === 'ROLLBACK');
      expect(rollbacks.length).toBeGreaterThan(0);
      for (const rollback of rollbacks) {
        expect(rollback.rollbackRequest!.state).toBe('COMPLETED');
        expect(rollback.rollbackRequest!.approvals).toBe(2);
        expect(rollback.rollbackRequest!.reviews.map((r) => r.reviewer.email).sort()).toEqual([
          'alex.approver@acme.example.com',
          'blake.approver@acme.example.com',
        ]);
        expect(['dana.deployer@acme.example.com', 'ada.admin@acme.example.com']).toContain(rollback.rollbackRequest!.requestedBy.email);
      }
      expect(page.edges.every((d) => d.author.user?.email)).toBe(true);
    }
    expect(fifty.edges.filter((d) => d.source === 'ROLLBACK')).toHaveLength(6);
    expect(new Set(fifty.edges.map((d) => d.author.user!.email)).size).toBe(3);

    expect(fifty.statements.length, fifty.statements.join('\n')).toBe(five.statements.length);
  });

  it('Deployment.tenantEnvironment is batched: 50 rows cost no more statements than 5', async () => {
    const page = (first: number) => counted(() => call(t, 'DEPLOYER', HistoryPanelTenantEnvironmentsDocument, { ...STAGING, first }));
    const five = await page(5);
    const fifty = await page(50);
    expect(ok(five.result).tenantEnvironment!.deployments.edges).toHaveLength(5);
    expect(ok(fifty.result).tenantEnvironment!.deployments.edges.every((e) => e.node.tenantEnvironment.tenant === 'acme')).toBe(true);
    expect(fifty.statements.length - five.statements.length).toBe(0);
  });
});
