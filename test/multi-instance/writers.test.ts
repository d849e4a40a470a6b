/**
 * Writers on two instances at once: 16 rollback requests with their approvals on acme/production
 * (8 through each instance) while releases land on two staging tenant-environments of the same
 * project. The project's writer lock (a PostgreSQL advisory lock) serializes every write across
 * instances: no commit is lost or duplicated, the database's history equals main's first-parent
 * chain, and no write ever needs its compare-and-swap retry. With the lock kept inside each process
 * (TEST_LOCAL_WRITER_LOCK), the same load does need retries: the lock is what does the work.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { ExecutionResult } from 'graphql';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllSpawned } from '../hardening/helpers';
import { ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RequestRollbackDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { startCluster, type Cluster, type Instance } from './cluster';

const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
const STAGINGS = [
  { project: 'shop', tenant: 'acme', environment: 'staging' },
  { project: 'shop', tenant: 'globex', environment: 'staging' },
] as const;
const CAS_RETRIES = 'backtrack_git_cas_retries_total';

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
  await killAllSpawned();
});

const codeOf = (result: ExecutionResult<unknown>) => {
  const error = result.errors?.[0];
  return error ? { ...(error.extensions as { code?: string; status?: number }), message: error.message } : null;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  completed: string[];
  released: string[];
  /** Every error a request, review or release ended with (REQUEST_IN_FLIGHT, which the flow waits out, aside), and where. */
  failures: Array<{ step: string; code: string | undefined; status: number | undefined; message?: string }>;
  startHead: string;
}

async function load(c: Cluster): Promise<Outcome> {
  const [a, b] = c.instances as [Instance, Instance];
  const te = ok(await a.gql(c.token('DEPLOYER'), TenantEnvironmentDocument, PROD)).tenantEnvironment!;
  const startHead = git(c, ['rev-parse', 'main']);
  // Alternating targets: each completed rollback leaves something for the next one to roll back.
  const targets = [te.deployments.edges[1]!.node.revision, te.deployments.edges[0]!.node.revision];
  const outcome: Outcome = { completed: [], released: [], failures: [], startHead };

  const rollbackFlow = async (i: number) => {
    const here = i % 2 === 0 ? a : b;
    const there = here === a ? b : a;
    // One request in flight per tenant-environment: wait for the previous one, a bounded number of times.
    for (let attempt = 0; attempt < 400; attempt++) {
      const result = await here.gql(c.token('DEPLOYER'), RequestRollbackDocument, {
        input: {
          rollback: { ...PROD, mode: 'FIELD', targetSha: targets[i % 2]!, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] },
          justification: `concurrent rollback ${i}`,
        },
      });
      const error = codeOf(result);
      if (error?.code === 'REQUEST_IN_FLIGHT') {
        await sleep(25 + Math.random() * 50);
        continue;
      }
      if (error) return void outcome.failures.push({ step: `request ${i}`, code: error.code, status: error.status, message: error.message });
      let request = result.data!.requestRollback;
      for (const approver of ['APPROVER', 'APPROVER2'] as const) {
        if (request.state !== 'PENDING') break;
        const reviewed = await there.gql(c.token(approver), ReviewDocument, { input: { id: request.id, decision: 'APPROVE' } });
        const reviewError = codeOf(reviewed);
        if (reviewError) return void outcome.failures.push({ step: `review ${i} by ${approver}`, code: reviewError.code, status: reviewError.status, message: reviewError.message });
        request = reviewed.data!.reviewRollbackRequest;
      }
      if (request.state === 'COMPLETED') outcome.completed.push(request.resultRevision!);
      else outcome.failures.push({ step: `execution ${i}`, code: request.errorCode ?? request.state, status: undefined });
      return;
    }
    throw new Error(`rollback ${i} waited out REQUEST_IN_FLIGHT 400 times`);
  };
  const releaseFlow = async (i: number) => {
    // Each staging tenant-environment gets releases through both instances.
    const here = Math.floor(i / 2) % 2 === 0 ? a : b;
    const where = STAGINGS[i % 2]!;
    const service = where.tenant === 'acme' ? (i % 4 < 2 ? 'checkout' : 'catalog') : i % 4 < 2 ? 'search' : 'notifications';
    const result = await here.gql(c.token('DEPLOYER'), DeployReleaseDocument, {
      input: { ...where, description: `concurrent release ${i}`, services: [{ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v9.${i}.0` }] }] },
    });
    const error = codeOf(result);
    if (error) outcome.failures.push({ step: `release ${i}`, code: error.code, status: error.status, message: error.message });
    else outcome.released.push(result.data!.deployRelease.revision);
  };
  await Promise.all([...Array.from({ length: 16 }, (_, i) => rollbackFlow(i)), ...Array.from({ length: 16 }, (_, i) => releaseFlow(i))]);
  return outcome;
}

function git(c: Cluster, args: string[]): string {
  return execFileSync('git', ['--git-dir', path.join(c.repositoriesDir, 'shop.git'), ...args], { encoding: 'utf8' }).trim();
}

async function casRetries(c: Cluster): Promise<number> {
  return (await Promise.all(c.instances.map((instance) => instance.metric(CAS_RETRIES)))).reduce((x, y) => x + y, 0);
}

describe('concurrent writers on two instances', () => {
  it('with the advisory writer lock: one commit per completed request or release, history equals main, clean conflicts, no compare-and-swap retry', async () => {
    cluster = await startCluster(2);
    const outcome = await load(cluster);

    const chain = git(cluster, ['rev-list', '--first-parent', `${outcome.startHead}..main`]).split('\n').filter(Boolean);
    const written = [...outcome.completed, ...outcome.released];
    expect(outcome.completed.length).toBeGreaterThan(0);
    expect(outcome.released).toHaveLength(16);
    expect(new Set(written).size).toBe(written.length);
    expect([...chain].sort()).toEqual([...written].sort());
    for (const failure of outcome.failures) {
      expect(failure.code, JSON.stringify(outcome.failures)).not.toBe('INTERNAL_SERVER_ERROR');
      expect(failure.code, JSON.stringify(outcome.failures)).not.toBe('CONCURRENT_CHANGE');
      if (failure.status !== undefined) expect([400, 409, 422], JSON.stringify(failure)).toContain(failure.status);
    }

    // The database's history: every new commit indexed once, in main's order, with one deployment.
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const indexed = (await db.query('select sha from indexed_commits where sha = any($1) order by sequence desc', [chain])).rows.map((r) => r.sha as string);
      expect(indexed).toEqual(chain);
      const deployments = (await db.query('select revision, count(*)::int as n from deployments where revision = any($1) group by revision', [chain])).rows;
      expect(deployments).toHaveLength(chain.length);
      for (const row of deployments) expect(row.n).toBe(1);
      const requests = (await db.query("select count(*)::int as n from rollback_requests where state in ('EXECUTING', 'APPROVED', 'PENDING')")).rows[0].n;
      expect(requests).toBe(0);
    } finally {
      await db.end();
    }
    expect(await casRetries(cluster)).toBe(0);
  }, 180_000);

  it('with the writer lock kept inside each process (test-only switch), the same load needs compare-and-swap retries or ends in CONCURRENT_CHANGE', async () => {
    cluster = await startCluster(2, () => ({ TEST_LOCAL_WRITER_LOCK: 'true' }));
    const outcome = await load(cluster);
    const retries = await casRetries(cluster);
    const concurrentChanges = outcome.failures.filter((f) => f.code === 'CONCURRENT_CHANGE').length;
    expect(retries + concurrentChanges, JSON.stringify({ retries, failures: outcome.failures })).toBeGreaterThan(0);
  }, 180_000);
});
