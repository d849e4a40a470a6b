/**
 * GraphQL throughput: the deployment-history query (50 rows with nested rollback requests and
 * reviews) against a trivial `{ __typename }` on the same server in the same run, as a ratio of
 * operations per second. Target: at least 0.5.
 */
import { pathToFileURL } from 'node:url';
import { authenticate } from '../src/domain/auth';
import { deployRelease } from '../src/domain/releases';
import { requestRollback } from '../src/domain/requests/rollback-requests';
import { createTestApp } from '../test/helpers/test-app';
import type { BenchResult } from './lib/result';
import { markdownTable, summary } from './lib/table';

const HISTORY = `query History {
  tenantEnvironment(project: "shop", tenant: "acme", environment: "staging") {
    deployments(first: 50) {
      edges { node { revision shortRevision timestamp changes source status
        author { name email user { email } }
        rollbackRequest { id state justification requestedBy { email } reviews { decision reviewer { email } } }
      } }
    }
  }
}`;

/** Runs `total` calls with 8 in flight at a time; returns ops/s and per-call latencies. */
async function throughput(call: () => Promise<void>, total: number, concurrency = 8) {
  for (let i = 0; i < 20; i++) await call();
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const begin = performance.now();
        await call();
        samples.push(performance.now() - begin);
      }
    }),
  );
  return { opsPerSecond: (total / (performance.now() - started)) * 1000, samples };
}

export async function runGraphqlBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  try {
    const services = t.app.services;
    const deployer = (await authenticate(services.db, t.token('DEPLOYER')))!;
    // Build 50+ history entries on acme/staging, some of them rollbacks.
    for (let i = 0; i < 40; i++) {
      await deployRelease(services, deployer, {
        project: 'shop',
        tenant: 'acme',
        environment: 'staging',
        description: `bench release ${i}`,
        services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v3.5.${i}` }] }],
      });
    }
    const base = await services.repositories.forProject('shop');
    const head = (await base.head())!;
    const target = (await base.log({ from: head, limit: 6 }))[5]!.sha;
    for (let i = 0; i < 5; i++) {
      await requestRollback(services, deployer, {
        project: 'shop',
        tenant: 'acme',
        environment: 'staging',
        mode: 'FIELD',
        service: 'checkout',
        targetRevision: target,
        fields: [{ file: 'values.yaml', path: 'image.tag' }],
        justification: 'bench',
      }).catch(() => undefined);
      await deployRelease(services, deployer, {
        project: 'shop',
        tenant: 'acme',
        environment: 'staging',
        services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v3.9.${i}` }] }],
      });
    }
    const url = `${await t.listen()}/graphql`;
    const post = (query: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token('DEPLOYER')}` },
        body: JSON.stringify({ query }),
      }).then(async (r) => {
        const body = (await r.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
      });
    const trivial = await throughput(() => post('{ __typename }'), 2000);
    const history = await throughput(() => post(HISTORY), 300);
    const ratio = history.opsPerSecond / trivial.opsPerSecond;
    return [
      {
        name: 'GraphQL throughput, 8 concurrent clients (ratio of ops/s)',
        subject: summary(`history query, 50 rows nested (${history.opsPerSecond.toFixed(0)} ops/s)`, history.samples),
        baseline: summary(`{ __typename } (${trivial.opsPerSecond.toFixed(0)} ops/s)`, trivial.samples),
        ratio,
        target: '≥ 0.5',
        pass: ratio >= 0.5,
      },
    ];
  } finally {
    await t.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runGraphqlBenchmarks().then((results) => console.log(markdownTable(results)));
}
