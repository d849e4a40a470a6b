/**
 * Subscription fan-out: 1,000 graphql-ws subscribers on one tenant-environment, the time from a
 * state change to the LAST subscriber receiving it, next to a raw `ws` broadcast of a same-sized
 * payload to 1,000 plain ws clients in the same run. Target: p95 within 2× the raw broadcast.
 *
 * Two state changes: a domain publish of rollbackRequestUpdated, and an agent's reportSyncStatus
 * call over HTTP. The target applies from the state change (the domain publish, which follows the
 * commit) to the last subscriber; for the report, the time from the agent's HTTP call is reported
 * too (the mutation's own request handling, authentication and transaction included). Two populations: 1,000 sockets of one user (same operation and permissions,
 * so the server executes once per event and shares the result), and 1,000 distinct users, half
 * DEPLOYER and half VIEWER (shared per role set: two executions per event, as the operations select
 * nothing about the viewer). Each GraphQL round is followed by a raw round of the same message size.
 *
 * The servers (Backtrack and a plain WebSocketServer on another port) run in this thread; all client
 * sockets run in one worker thread, so clients and servers do not share an event loop. The worker
 * stamps the moment the last client of a round got its message; clocks are aligned by ping-pong.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';
import { createUser, createUserToken, grantRole } from '../src/domain/admin';
import { authenticate } from '../src/domain/auth';
import { requestEvent } from '../src/domain/events';
import type { RollbackRequest } from '../src/domain/model';
import { requestRollback } from '../src/domain/requests/rollback-requests';
import { tenantEnvironmentBySlugs } from '../src/domain/workspace';
import type { InProcessEventBus } from '../src/events/pubsub';
import { createTestApp } from '../test/kit/app';
import type { BenchResult } from './lib/result';
import { markdownTable, summary } from './lib/table';

const SUBSCRIBERS = 1000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 25;
const PROD = { project: 'shop', tenant: 'acme', environment: 'production' };

const REQUEST_SUBSCRIPTION = `subscription RequestUpdates($te: ID!) {
  rollbackRequestUpdated(tenantEnvironmentId: $te) { change state at request { id state mode justification updatedAt } }
}`;
const SYNC_SUBSCRIPTION = `subscription SyncUpdates($te: ID!) {
  syncStatusChanged(tenantEnvironmentId: $te) { syncedRevision syncedHead syncState health agentReachable lastSeenAt secondsSinceLastSeen message }
}`;
const REPORT = `mutation Report($input: SyncReportInput!) { reportSyncStatus(input: $input) { lastSeenAt } }`;

type Kind = 'request' | 'sync' | 'raw';

/**
 * The client side, plain JavaScript so the worker needs no TypeScript loader. Every message carries
 * its round (the request's justification, the report's lastSeenAt, the raw payload's prefix); a round
 * is done when all clients got it, which also tells when every subscription is live.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
const fail = (error) => parentPort.postMessage({ type: 'error', error: String(error && (error.message || error.reason || error)) });
(async () => {
  const { createClient } = await import(workerData.graphqlWsUrl);
  const { default: WebSocket } = await import(workerData.wsUrl);
  const { tokens, gqlUrl, rawUrl, te, requestQuery, syncQuery } = workerData;
  const subscribers = tokens.length;
  const counts = { request: new Map(), sync: new Map(), raw: new Map() };
  const arrived = (kind, round, size) => {
    const count = (counts[kind].get(round) || 0) + 1;
    counts[kind].set(round, count);
    if (count === subscribers) {
      const at = now();
      counts[kind].clear();
      parentPort.postMessage({ type: 'round', kind, round, at, size: size() });
    }
  };
  const clients = [];
  const raws = [];
  parentPort.on('message', async (message) => {
    if (message.type === 'ping') parentPort.postMessage({ type: 'pong', id: message.id, at: now() });
    if (message.type === 'close') {
      await Promise.all(clients.map((c) => c.dispose()));
      raws.forEach((r) => r.close());
      parentPort.postMessage({ type: 'closed' });
    }
  });
  const frame = (result) => () => JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: result }).length;
  const roundOf = {
    request: (data) => /\\(round (\\d+)\\)$/.exec(data.rollbackRequestUpdated.request.justification)[1],
    sync: (data) => data.syncStatusChanged.lastSeenAt,
  };
  for (let i = 0; i < subscribers; i += 50) {
    await Promise.all(tokens.slice(i, i + 50).map((token) => new Promise((resolve) => {
      const client = createClient({
        url: gqlUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer ' + token },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: fail,
        on: { connected: resolve },
      });
      clients.push(client);
      const sink = (kind) => ({
        next: (result) => (result.errors ? fail(JSON.stringify(result.errors)) : arrived(kind, roundOf[kind](result.data), frame(result))),
        error: fail,
        complete: () => undefined,
      });
      client.subscribe({ query: requestQuery, variables: { te } }, sink('request'));
      client.subscribe({ query: syncQuery, variables: { te } }, sink('sync'));
    })));
  }
  for (let i = 0; i < subscribers; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, subscribers - i) }, () => new Promise((resolve, reject) => {
      const socket = new WebSocket(rawUrl);
      socket.on('open', resolve);
      socket.on('error', reject);
      socket.on('message', (data) => {
        const text = data.toString();
        const { payload } = JSON.parse(text);
        arrived('raw', payload.slice(0, payload.indexOf(':')), () => text.length);
      });
      raws.push(socket);
    })));
  }
  parentPort.postMessage({ type: 'ready' });
})().catch(fail);
`;

const mainNow = () => performance.timeOrigin + performance.now();

/** Messages from the client worker: awaited by type, and completed rounds by kind and round id. */
function workerChannel(worker: Worker) {
  const waiting: Array<{ match: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void }> = [];
  const rounds = new Map<string, { at: number; size: number }>();
  const roundWaiters = new Map<string, (m: { at: number; size: number }) => void>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    waiting.splice(0).forEach((w) => w.resolve({ type: 'error', error: error.message }));
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'error') return failAll(new Error(`subscriber worker: ${message.error}`));
    if (message.type === 'round') {
      const key = `${message.kind}:${message.round}`;
      rounds.set(key, message);
      roundWaiters.get(key)?.(message);
      return;
    }
    const index = waiting.findIndex((w) => w.match(message));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(message);
  });
  worker.on('error', (error) => failAll(error));
  const withTimeout = <T>(promise: Promise<T>, what: string, timeoutMs: number, cleanup: () => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });
  return {
    next(match: (m: WorkerMessage) => boolean, what: string, timeoutMs = 60_000): Promise<WorkerMessage> {
      if (failure) return Promise.reject(failure);
      const entry = { match, resolve: (_m: WorkerMessage) => undefined as void };
      const promise = new Promise<WorkerMessage>((resolve, reject) => {
        entry.resolve = (message) => (message.type === 'error' ? reject(failure ?? new Error(message.error)) : resolve(message));
      });
      waiting.push(entry);
      return withTimeout(promise, what, timeoutMs, () => waiting.splice(waiting.indexOf(entry), 1));
    },
    /** When every client has received round `id` of this kind. */
    round(kind: Kind, id: string, timeoutMs: number): Promise<{ at: number; size: number }> {
      if (failure) return Promise.reject(failure);
      const key = `${kind}:${id}`;
      const seen = rounds.get(key);
      if (seen) return Promise.resolve(seen);
      const promise = new Promise<{ at: number; size: number }>((resolve) => roundWaiters.set(key, resolve));
      return withTimeout(promise, `${kind} round ${id} at every client`, timeoutMs, () => roundWaiters.delete(key)).finally(() => {
        roundWaiters.delete(key);
        rounds.delete(key);
      });
    },
  };
}

type WorkerMessage =
  | { type: 'ready' | 'closed' }
  | { type: 'error'; error: string }
  | { type: 'pong'; id: number; at: number }
  | { type: 'round'; kind: Kind; round: string; at: number; size: number };

interface Phase {
  /** How the subscribers are described in the result rows. */
  who: string;
  /** One bearer token per subscriber. */
  tokens: string[];
}

interface Bench {
  baseUrl: string;
  raw: WebSocketServer;
  agentToken: string;
  te: { id: string; projectId: string };
  head: string;
  request: RollbackRequest;
  bus: InProcessEventBus;
  now: () => Date;
  /** When the last event of each type was published (this thread's clock). */
  publishedAt: Map<string, number>;
}

/** One set of 1,000 subscribers: connect, wait until all are live, align clocks, then interleaved rounds. */
async function runPhase(bench: Bench, phase: Phase): Promise<BenchResult[]> {
  const { baseUrl, raw, te } = bench;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      graphqlWsUrl: import.meta.resolve('graphql-ws'),
      wsUrl: import.meta.resolve('ws'),
      tokens: phase.tokens,
      gqlUrl: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
      rawUrl: `ws://127.0.0.1:${(raw.address() as { port: number }).port}`,
      te: te.id,
      requestQuery: REQUEST_SUBSCRIPTION,
      syncQuery: SYNC_SUBSCRIPTION,
    },
  });
  try {
    const channel = workerChannel(worker);
    await channel.next((m) => m.type === 'ready', `${phase.tokens.length} graphql-ws and raw clients`, 120_000);

    // Align the worker's clock with ours: offset = worker - main, from the ping with the shortest round trip.
    let offset = 0;
    let bestRtt = Infinity;
    for (let id = 0; id < 50; id++) {
      const sent = mainNow();
      worker.postMessage({ type: 'ping', id });
      const pong = (await channel.next((m) => m.type === 'pong' && m.id === id, 'pong')) as { at: number };
      const received = mainNow();
      if (received - sent < bestRtt) {
        bestRtt = received - sent;
        offset = pong.at - (sent + received) / 2;
      }
    }

    let sequence = 0;
    const publish = () => {
      const round = String(++sequence);
      const at = bench.now();
      bench.bus.publish(requestEvent({ ...bench.request, justification: `${bench.request.justification} (round ${round})`, updatedAt: at }, 'NOTE_ADDED', at));
      return round;
    };
    const report = async () => {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.agentToken}` },
        body: JSON.stringify({ query: REPORT, variables: { input: { ...PROD, revision: bench.head, syncState: 'SYNCED', health: 'HEALTHY' } } }),
      });
      const body = (await response.json()) as { errors?: unknown; data?: { reportSyncStatus: { lastSeenAt: string } } };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!.reportSyncStatus.lastSeenAt;
    };
    const broadcast = (size: number) => () => {
      const round = String(++sequence);
      const skeleton = JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: `${round}:` });
      const payload = JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: `${round}:${'x'.repeat(Math.max(0, size - skeleton.length))}` });
      for (const client of raw.clients) (client as WebSocket).send(payload);
      return round;
    };
    /** Milliseconds from the trigger (and from the event's publish) to the last subscriber, and the message size it saw. */
    const round = async (kind: Kind, trigger: () => Promise<string> | string, timeoutMs = 60_000) => {
      const started = mainNow();
      const id = await trigger();
      const published = bench.publishedAt.get('syncStatusChanged') ?? started;
      const message = await channel.round(kind, id, timeoutMs);
      return { ms: message.at - offset - started, fromPublishMs: message.at - offset - published, size: message.size };
    };

    // Until a probe reaches every client, not all subscriptions are live yet: probe again.
    const live = async (kind: Kind, trigger: () => Promise<string> | string) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await round(kind, trigger, 2_000);
        } catch (error) {
          if (attempt >= 30) throw error;
        }
      }
    };
    let requestSize = (await live('request', publish)).size;
    let syncSize = (await live('sync', report)).size;
    await live('raw', broadcast(requestSize));

    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      requestSize = (await round('request', publish)).size;
      syncSize = (await round('sync', report)).size;
      await round('raw', broadcast(requestSize));
      await round('raw', broadcast(syncSize));
    }

    // Interleaved, so both sides see the same machine conditions.
    const samples = { request: [] as number[], rawRequest: [] as number[], sync: [] as number[], syncFromPublish: [] as number[], rawSync: [] as number[] };
    let rawRequestSize = 0;
    let rawSyncSize = 0;
    for (let i = 0; i < ROUNDS; i++) {
      samples.request.push((await round('request', publish)).ms);
      const rawRequest = await round('raw', broadcast(requestSize));
      samples.rawRequest.push(rawRequest.ms);
      rawRequestSize = rawRequest.size;
      const sync = await round('sync', report);
      samples.sync.push(sync.ms);
      samples.syncFromPublish.push(sync.fromPublishMs);
      const rawSync = await round('raw', broadcast(syncSize));
      samples.rawSync.push(rawSync.ms);
      rawSyncSize = rawSync.size;
    }

    worker.postMessage({ type: 'close' });
    await channel.next((m) => m.type === 'closed', 'clients to close', 30_000);

    const n = phase.tokens.length.toLocaleString('en');
    const row = (name: string, subject: ReturnType<typeof summary>, baseline: ReturnType<typeof summary>, withTarget = true): BenchResult => {
      const ratio = subject.p95Ms / baseline.p95Ms;
      return withTarget
        ? { name, subject, baseline, ratio, target: 'p95 ≤ 2× raw', pass: ratio <= 2 }
        : { name, subject, baseline, ratio, target: 'reported', pass: true };
    };
    return [
      row(
        `rollbackRequestUpdated → last of ${n} graphql-ws subscribers (${phase.who}), from the domain publish, ${ROUNDS} rounds`,
        summary(`graphql-ws, ${requestSize} B`, samples.request),
        summary(`raw ws broadcast, ${rawRequestSize} B`, samples.rawRequest),
      ),
      row(
        `syncStatusChanged → last of ${n} graphql-ws subscribers (${phase.who}), from the domain publish of a stored report, ${ROUNDS} rounds`,
        summary(`graphql-ws, ${syncSize} B`, samples.syncFromPublish),
        summary(`raw ws broadcast, ${rawSyncSize} B`, samples.rawSync),
      ),
      row(
        `syncStatusChanged → last of ${n} graphql-ws subscribers (${phase.who}), from the agent's reportSyncStatus HTTP call, ${ROUNDS} rounds`,
        summary(`reportSyncStatus + graphql-ws, ${syncSize} B`, samples.sync),
        summary(`raw ws broadcast, ${rawSyncSize} B`, samples.rawSync),
        false,
      ),
    ];
  } finally {
    await worker.terminate();
    for (const client of raw.clients) client.terminate();
  }
}

export async function runSubscriptionBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  const raw = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  try {
    const baseUrl = await t.listen();
    await new Promise<void>((resolve) => (raw.address() ? resolve() : raw.once('listening', () => resolve())));
    const services = t.app.backend;
    const deployer = (await authenticate(services.stores, t.token('DEPLOYER')))!;
    const te = (await tenantEnvironmentBySlugs(services, deployer, PROD))!;
    const git = await services.repositories.forProject('shop');
    const head = (await git.head())!;
    const [, before] = await git.log({ from: head, limit: 2 });
    // A real pending request (production needs an approval) as the payload of the published events.
    const request = await requestRollback(services, deployer, {
      ...PROD,
      mode: 'FIELD',
      service: 'api-gateway',
      fields: [{ file: 'values.yaml', path: 'image.tag' }],
      targetRevision: before!.sha,
      justification: 'Bad image tag v2.1.1-rc0 causing 500 errors',
    });
    const bench: Bench = {
      baseUrl,
      raw,
      agentToken: t.token('AGENT'),
      te: { id: te.id, projectId: te.project.id },
      head,
      request,
      bus: services.events as InProcessEventBus,
      now: services.now,
      publishedAt: new Map(),
    };
    const publish = bench.bus.publish.bind(bench.bus);
    bench.bus.publish = (event) => {
      bench.publishedAt.set(event.type, mainNow());
      publish(event);
    };

    // 1. One responder's many dashboards (or a wall screen fleet on one account): same operation and permissions.
    const shared = await runPhase(bench, { who: 'one user', tokens: Array.from({ length: SUBSCRIBERS }, () => t.token('DEPLOYER')) });
    // 2. A thousand different people with two role sets: shared per role set, not per person.
    const tokens: string[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const userId = await createUser(services, { email: `responder-${i}@acme.example.com`, name: `Responder ${i}` });
      await grantRole(services, { userId, projectId: te.project.id, role: i % 2 ? 'DEPLOYER' : 'VIEWER' });
      tokens.push((await createUserToken(services, userId, 'bench')).token);
    }
    const distinct = await runPhase(bench, { who: `${SUBSCRIBERS} distinct users`, tokens });
    return [...shared, ...distinct];
  } finally {
    for (const client of raw.clients) client.terminate();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
    await t.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runSubscriptionBenchmarks().then((results) => console.log(markdownTable(results)));
}
