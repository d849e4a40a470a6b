/**
 * Connections page both ways, as advertised: `last`/`before` on the deployment history and the
 * audit trail, with the same newest-first order and the same cursors as `first`/`after`.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { AuditEventsDocument, SetApprovalPolicyDocument } from '../kit/documents/governance';
import { DeploymentsDocument } from '../kit/documents/history';
import type { ExecutionResult } from 'graphql';

interface PageArgs {
  first?: number;
  after?: string;
  last?: number;
  before?: string;
}

interface Connection {
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
}

const ids = (connection: Connection) => connection.edges.map((e) => e.node.id);

/** The same checks on any newest-first connection, given a way to fetch a page of it. */
function pagesBothWays(name: string, setup: () => Promise<{ fetch: (args: PageArgs) => Promise<Connection>; raw: (args: PageArgs) => Promise<ExecutionResult<unknown>> }>) {
  describe(name, () => {
    let fetch: (args: PageArgs) => Promise<Connection>;
    let raw: (args: PageArgs) => Promise<ExecutionResult<unknown>>;
    let all: Connection['edges'];
    const cursorOf = (index: number) => all[index]!.cursor;
    const slice = (from: number, to?: number) => all.slice(from, to).map((e) => e.node.id);

    beforeAll(async () => {
      ({ fetch, raw } = await setup());
      all = (await fetch({ first: 100 })).edges;
      expect(all.length).toBeGreaterThanOrEqual(6);
    });

    it('gives the oldest rows for `last`, still newest first, and walks back to the newest with `before`', async () => {
      const oldest = await fetch({ last: 3 });
      expect(ids(oldest)).toEqual(slice(-3));
      expect(oldest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false, startCursor: cursorOf(all.length - 3), endCursor: cursorOf(all.length - 1) });

      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await fetch({ last: 2, before });
        pages.unshift(ids(page));
        expect(page.pageInfo.hasNextPage).toBe(before !== undefined);
        if (!page.pageInfo.hasPreviousPage) break;
        expect(page.edges).toHaveLength(2);
        before = page.pageInfo.startCursor!;
      }
      expect(pages.flat()).toEqual(slice(0));
      expect(pages).toHaveLength(Math.ceil(all.length / 2));
    });

    it('keeps the cursors of forward paging, and combines the arguments as the Relay spec does', async () => {
      const page = await fetch({ last: all.length });
      expect(page.edges).toEqual(all);

      // first + before: the newest rows before the cursor.
      const newest = await fetch({ first: 2, before: cursorOf(4) });
      expect(ids(newest)).toEqual(slice(0, 2));
      expect(newest.pageInfo.hasNextPage).toBe(true);

      // after + before: the rows between, from either end.
      expect(ids(await fetch({ after: cursorOf(0), before: cursorOf(4), first: 10 }))).toEqual(slice(1, 4));
      const between = await fetch({ after: cursorOf(0), before: cursorOf(4), last: 2 });
      expect(ids(between)).toEqual(slice(2, 4));
      expect(between.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

      // first and last together: the last of the first.
      expect(ids(await fetch({ first: 3, last: 1 }))).toEqual(slice(2, 3));
      expect(ids(await fetch({ last: 0 }))).toEqual([]);
      expect(ids(await fetch({ before: cursorOf(0), last: 5 }))).toEqual([]);
    });

    it('refuses a bad `last` or `before` like a bad `first` or `after`', async () => {
      expectError(await raw({ last: 101 }), { code: 'INVALID_PAGE_SIZE', status: 400, message: 'last must be between 0 and 100' });
      expectError(await raw({ last: -1 }), { code: 'INVALID_PAGE_SIZE', status: 400 });
      expectError(await raw({ last: 1, before: 'bm9wZQ' }), { code: 'INVALID_CURSOR', status: 400 });
    });
  });
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

pagesBothWays('TenantEnvironment.deployments', async () => {
  const raw = (args: PageArgs) => t.gql('DEPLOYER', DeploymentsDocument, { tenant: 'acme', environment: 'production', ...args });
  return { raw, fetch: async (args) => ok(await raw(args)).tenantEnvironment!.deployments };
});

pagesBothWays('Project.auditEvents', async () => {
  // A few audited changes, so that the trail has pages to turn.
  for (const quorum of [1, 2, 1, 2, 1, 2, 1]) {
    ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'staging', approvalRequired: false, quorum } }));
  }
  const raw = (args: PageArgs) => t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', ...args });
  return { raw, fetch: async (args) => ok(await raw(args)).project!.auditEvents };
});
