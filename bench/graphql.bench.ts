/**
 * GraphQL throughput: the deployment-history query (50 rows with nested rollback requests and
 * reviews) against a trivial `{ __typename }` on the same server in the same run, as a ratio of
 * operations per second. Target: at least 0.5.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { authenticate } from '../src/domain/auth';
import { deployRelease } from '../src/domain/releases';
import { requestRollback } from '../src/domain/requests/rollback-requests';
import { createTestApp } from '../test/kit/app';
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

/**
 * The load generator runs in a worker thread, so parsing responses (large for the history query)
 * does not compete with the server for the main thread: `total` calls, `concurrency` in flight.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, query, total, concurrency } = workerData;
const call = async () => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify({ query }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
(async () => {
  for (let i = 0; i < 20; i++) await call();
  const samples = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) { const begin = performance.now(); await call(); samples.push(performance.now() - begin); }
  }));
  parentPort.postMessage({ opsPerSecond: (total / (performance.now() - started)) * 1000, samples });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

interface Throughput {
  opsPerSecond: number;
  samples: number[];
}

function throughput(url: string, token: string, query: string, total: number, concurrency = 8) {
  return new Promise<Throughput>((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, token, query, total, concurrency } });
    worker.once('message', (result: Throughput & { error?: string }) => {
      void worker.terminate();
      if (result.error) reject(new Error(result.error));
      else resolve(result);
    });
    worker.once('error', reject);
  });
}

export async function runGraphqlBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  try {
    const services = t.app.backend;
    const deployer = (await authenticate(services.stores, t.token('DEPLOYER')))!;
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
    // Alternating rounds, reported by the median round, so a burst of other load on the machine
    // skews one round rather than one side of the ratio.
    const rounds: Array<{ trivial: Throughput; history: Throughput; ratio: number }> = [];
    for (let round = 0; round < 3; round++) {
      const trivial = await throughput(url, t.token('DEPLOYER'), '{ __typename }', 1500);
      const history = await throughput(url, t.token('DEPLOYER'), HISTORY, 400);
      rounds.push({ trivial, history, ratio: history.opsPerSecond / trivial.opsPerSecond });
    }
    const { trivial, history, ratio } = rounds.sort((a, b) => a.ratio - b.ratio)[1]!;
    return [
      {
        name: `GraphQL throughput, 8 concurrent clients in a worker thread (ratio of ops/s, median of 3 alternating rounds: ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')})`,
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
