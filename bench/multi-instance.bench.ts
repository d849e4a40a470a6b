/**
 * Several instances on PostgreSQL and Redis (issue 18) against the embedded default, real server
 * processes on this machine, judged on the median of rounds:
 *
 * 1. History-query throughput: the same load generator (CONCURRENCY clients in a loop for a fixed
 *    time, round-robin over the instances) against two instances on one PostgreSQL database and one
 *    Redis, and against one instance on SQLite. The row's ratio is per-request cost: SQLite's
 *    requests per second ÷ PostgreSQL's. Target ≤ 1.5×.
 * 2. A FIELD rollback end to end (requestRollback on acme/staging, which needs no approval:
 *    planned, committed, compare-and-swapped, recorded) on an instance on PostgreSQL, against the same
 *    on SQLite. Target ≤ 1.5×.
 *
 * The PostgreSQL cluster and redis-server are throwaway ones of the test kit, on 127.0.0.1.
 * Runnable alone: `npx tsx bench/multi-instance.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { print } from 'graphql';
import { spawnServer, type ServerProcess } from '../test/hardening/helpers';
import { DeploymentsDocument } from '../test/kit/documents/history';
import { RequestRollbackDocument } from '../test/kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../test/kit/documents/workspace';
import { startPostgres } from '../test/kit/services';
import { tempDir } from '../test/kit/template';
import { startCluster } from '../test/multi-instance/cluster';
import type { BenchResult } from './lib/result';
import { ROUNDS, resultOfRounds, type Round } from './lib/rounds';
import { markdownTable } from './lib/table';

const CONCURRENCY = 8;
const WINDOW_MS = 3_000;
const ROLLBACKS = 12;
const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;

interface Target {
  url: string;
  token: string;
}

async function post(target: Target, query: string, variables: unknown): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

/** Requests per second of CONCURRENCY clients asking for a history page, round-robin over `targets`. */
async function historyThroughput(targets: Target[]): Promise<{ rps: number; latencies: number[] }> {
  const query = print(DeploymentsDocument);
  const latencies: number[] = [];
  const deadline = performance.now() + WINDOW_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const target = targets[next++ % targets.length]!;
        const started = performance.now();
        const result = await post(target, query, { tenant: 'acme', environment: 'production', first: 20 });
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { rps: latencies.length / (WINDOW_MS / 1000), latencies };
}

/** Milliseconds of each of ROLLBACKS FIELD rollbacks in a row, alternating between two targets so each changes something. */
const seededTargets = new Map<string, string[]>();

async function rollbackLatencies(target: Target): Promise<number[]> {
  // Taken once from the seeded history (api-gateway v2.0.9, then v2.1.0): an even number of rollbacks per call keeps alternating.
  let targets = seededTargets.get(target.url);
  if (!targets) {
    const te = (await post(target, print(TenantEnvironmentDocument), STAGING)).data!.tenantEnvironment as { deployments: { edges: Array<{ node: { revision: string } }> } };
    targets = [te.deployments.edges[2]!.node.revision, te.deployments.edges[1]!.node.revision];
    seededTargets.set(target.url, targets);
  }
  const samples: number[] = [];
  for (let i = 0; i < ROLLBACKS; i++) {
    const started = performance.now();
    const result = await post(target, print(RequestRollbackDocument), {
      input: { rollback: { ...STAGING, mode: 'FIELD', targetSha: targets[i % 2], service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] }, justification: `bench ${i}` },
    });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    const state = (result.data!.requestRollback as { state: string }).state;
    if (state !== 'COMPLETED') throw new Error(`rollback ${i} ended ${state}`);
    samples.push(performance.now() - started);
  }
  return samples.slice(2);
}

export async function runMultiInstanceBenchmarks(): Promise<BenchResult[]> {
  const postgres = await startPostgres();
  process.env.BACKTRACK_PG_ADMIN_URL = postgres.url;
  const servers: ServerProcess[] = [];
  const cluster = await startCluster(2);
  try {
    const sqlite = await spawnServer(tempDir('backtrack-bench-sqlite-'), { COMPUTE_THREADS: '0', LOG_LEVEL: 'warn' });
    servers.push(sqlite);
    const token = cluster.token('DEPLOYER');
    const onSqlite: Target = { url: sqlite.url, token: sqlite.token('DEPLOYER') };
    const onPostgres: Target[] = cluster.instances.map((instance) => ({ url: `${instance.base}/graphql`, token }));

    const history: Round[] = [];
    const rollback: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pg = await historyThroughput(onPostgres);
      const lite = await historyThroughput([onSqlite]);
      history.push({ subject: pg.latencies, baseline: lite.latencies, ratio: lite.rps / pg.rps });
      rollback.push({ subject: await rollbackLatencies(onPostgres[0]!), baseline: await rollbackLatencies(onSqlite) });
    }
    return [
      resultOfRounds(
        `History page (20 deployments), ${CONCURRENCY} clients: per-request cost, 2 instances on PostgreSQL + Redis vs 1 on SQLite (SQLite req/s ÷ PostgreSQL req/s)`,
        { subject: '2 instances, PostgreSQL', baseline: '1 instance, SQLite' },
        { atMost: 1.5 },
        history,
      ),
      resultOfRounds('FIELD rollback end to end (requestRollback, no approval), PostgreSQL vs SQLite', { subject: 'PostgreSQL', baseline: 'SQLite' }, { atMost: 1.5 }, rollback),
    ];
  } finally {
    await Promise.all(servers.map((server) => server.kill()));
    await cluster.stop();
    await postgres.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runMultiInstanceBenchmarks();
  process.stdout.write(`${markdownTable(results)}\n`);
}
