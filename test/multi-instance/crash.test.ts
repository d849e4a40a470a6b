/**
 * SIGKILL of an instance holding a project's writer lock mid-execution (paused by FAULT_PAUSE_AT
 * right after its rollback commit, before recording it): the advisory lock dies with the process's
 * connection, so the other instance's waiting write goes on at once; the other instance's repair
 * pass settles the orphaned request (its commit landed: COMPLETED). The restarted instance leaves
 * alone what the other one is executing right then (its execution lease is held).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { ExecutionResult } from 'graphql';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllSpawned } from '../hardening/helpers';
import { ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RequestRollbackDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { eventually, startCluster, type Cluster, type Instance } from './cluster';

const ACME_STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;
const GLOBEX_STAGING = { project: 'shop', tenant: 'globex', environment: 'staging' } as const;

let cluster: Cluster;
afterAll(async () => {
  await cluster?.stop();
  await killAllSpawned();
});

async function revisions(instance: Instance, token: string, where: typeof ACME_STAGING | typeof GLOBEX_STAGING): Promise<string[]> {
  return ok(await instance.gql(token, TenantEnvironmentDocument, where)).tenantEnvironment!.deployments.edges.map((e) => e.node.revision);
}

function tagRollback(where: typeof ACME_STAGING | typeof GLOBEX_STAGING, service: string, targetSha: string) {
  return { input: { rollback: { ...where, mode: 'FIELD' as const, targetSha, service, fields: [{ file: 'values.yaml', path: 'image.tag' }] }, justification: 'crash test' } };
}

describe('an instance killed while it holds the writer lock', () => {
  it('does not block the other beyond the kill; its request ends COMPLETED; the restart leaves the other instance\'s execution alone; Git and database agree', async () => {
    cluster = await startCluster(2, (i): Record<string, string> =>
      i === 0
        ? { FAULT_PAUSE_AT: 'after-rollback-commit', FAULT_PAUSE_MS: '60000' }
        : { FAULT_PAUSE_AT: 'before-rollback-commit', FAULT_PAUSE_MS: '15000', REPAIR_INTERVAL_MS: '300' },
    );
    const [a, b] = cluster.instances as [Instance, Instance];
    const token = cluster.token('DEPLOYER');
    const git = (args: string[]) => execFileSync('git', ['--git-dir', path.join(cluster.repositoriesDir, 'shop.git'), ...args], { encoding: 'utf8' }).trim();
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const rowOf = async (id: string) => (await db.query('select state, result_sha, error_code from rollback_requests where id = $1', [id])).rows[0] as { state: string; result_sha: string | null; error_code: string | null } | undefined;

      // A: acme/staging's api-gateway tag back to v2.0.9; it commits, then pauses holding the lock.
      const acmeTarget = (await revisions(a, token, ACME_STAGING))[2]!;
      const globexTarget = (await revisions(b, token, GLOBEX_STAGING))[1]!;
      void a.gql(token, RequestRollbackDocument, tagRollback(ACME_STAGING, 'api-gateway', acmeTarget)).catch(() => undefined);
      const requestId = await eventually('A EXECUTING its rollback', async () =>
        (await db.query("select id from rollback_requests where state = 'EXECUTING'")).rows[0]?.id as string | undefined,
      );
      const landed = await eventually('A\'s rollback commit on main', () => {
        const found = git(['log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${requestId}`, 'main']);
        return found || undefined;
      });

      // B's release on the same project waits for the writer lock A holds…
      const releaseStarted = Date.now();
      let releaseDone = 0;
      const release = b
        .gql(token, DeployReleaseDocument, {
          input: { ...GLOBEX_STAGING, description: 'search during the crash', services: [{ service: 'search', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v0.9.9' }] }] },
        })
        .then((result) => ((releaseDone = Date.now()), result));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(releaseDone, 'B waits for the lock A holds').toBe(0);

      // …until A dies.
      await a.server.kill();
      const killedAt = Date.now();
      const released = ok((await release) as ExecutionResult<{ deployRelease: { revision: string } }>);
      expect(releaseDone - killedAt, 'B blocked beyond the kill').toBeLessThan(5_000);
      expect(releaseDone - releaseStarted).toBeGreaterThan(1_000);

      // B's repair pass settles A's request: its commit landed, so it completed with that commit.
      const settled = await eventually('A\'s request settled by B', async () => {
        const row = await rowOf(requestId);
        return row && row.state !== 'EXECUTING' ? row : undefined;
      }, 15_000);
      expect(settled).toMatchObject({ state: 'COMPLETED', result_sha: landed });

      // B executes a request of its own (paused 15 s before its commit, longer than a start) while A restarts.
      const own = b.gql(token, RequestRollbackDocument, tagRollback(GLOBEX_STAGING, 'notifications', globexTarget));
      const ownId = await eventually('B EXECUTING its own rollback', async () =>
        (await db.query("select id from rollback_requests where state = 'EXECUTING'")).rows[0]?.id as string | undefined,
      );
      await a.restart();
      expect((await rowOf(ownId))!.state, 'A\'s start did not touch a request B is executing').toBe('EXECUTING');
      const ownResult = ok((await own) as ExecutionResult<{ requestRollback: { state: string } }>);
      expect(ownResult.requestRollback.state).toBe('COMPLETED');
      expect((await rowOf(ownId))!.state).toBe('COMPLETED');

      // Git and database agree: every commit of main is indexed once, nothing is left executing.
      const chain = git(['rev-list', '--first-parent', 'main']).split('\n');
      const indexed = (await db.query('select sha from indexed_commits order by sequence desc')).rows.map((r) => r.sha as string);
      expect(indexed).toEqual(chain);
      expect(chain).toContain(released.deployRelease.revision);
      expect(chain).toContain(landed);
      expect((await db.query("select count(*)::int as n from rollback_requests where state in ('EXECUTING', 'APPROVED')")).rows[0].n).toBe(0);
      const view = ok(await a.gql(token, RollbackRequestDocument, { id: requestId })).rollbackRequest!;
      expect(view).toMatchObject({ state: 'COMPLETED', resultRevision: landed });
    } finally {
      await db.end();
    }
  }, 180_000);
});
