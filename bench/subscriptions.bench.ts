/**
 * Subscription fan-out: N graphql-ws subscribers on one tenant-environment, the time from a state
 * change to the LAST subscriber receiving it, next to a raw `ws` broadcast of the same pre-serialized
 * payload to the same sockets in the same run: the baseline writes the `next` message graphql-ws would
 * write (same subscription id, same payload text, the round marker swapped for one of the same
 * length) with `socket.send` to every open server-side socket, so both sides cross the same sockets
 * and the same client code, and the difference is what the server does between the event and the
 * write (execution, serialization, fan-out). Targets: p95 within 1.5× the raw broadcast at 1,000
 * sockets and within 2× at 5,000 (`--scale`), judged per round (p95 ÷ p95) and on the median of the
 * rounds; then the 1,000-socket rows of one user again under load (a busy-looping process on one of
 * the cores, a stand-in for a concurrent `npm test`), reported without a target.
 *
 * Two state changes: a domain publish of rollbackRequestUpdated, and an agent's reportSyncStatus
 * call over HTTP. The targets apply from the state change (the domain publish, which follows the
 * commit) to the last subscriber; for the report, the time from the agent's HTTP call is reported
 * too (the mutation's own request handling, authentication and transaction included). Two
 * populations: N sockets of one user (same operation and permissions, so the server executes once
 * per event and shares the result), and N distinct users, half DEPLOYER and half VIEWER (two
 * executions per event, as the operations select nothing about the viewer). Each GraphQL sample is
 * followed by a raw sample of the same message.
 *
 * The server runs in this process; all client sockets run in a child process, so clients and server
 * share neither an event loop nor a file-descriptor limit. The child stamps the moment the last
 * client of a sample got its message; clocks are aligned by ping-pong.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { WebSocket } from 'ws';
import { createUser, createUserToken, grantRole } from '../src/domain/admin';
import { authenticate } from '../src/domain/auth';
import { requestEvent } from '../src/domain/events';
import type { RollbackRequest } from '../src/domain/model';
import { requestRollback } from '../src/domain/requests/rollback-requests';
import { tenantEnvironmentBySlugs } from '../src/domain/workspace';
import type { InProcessEventBus } from '../src/events/pubsub';
import { createTestApp } from '../test/kit/app';
import { startLoad } from './lib/load';
import type { BenchResult } from './lib/result';
import { resultOfRounds, ROUNDS, SCALE, type Round, type Target } from './lib/rounds';
import { markdownTable } from './lib/table';

/** Subscriber counts measured; 5,000 only with --scale (setting it up takes a few minutes). */
const SIZES = SCALE ? [1000, 5000] : [1000];
/** Rounds per row: a p95 moves more than a median, and a round at 1,000 sockets takes a few seconds. */
const FANOUT_ROUNDS = Math.max(ROUNDS, 5);
/** Samples of each kind per round: the p95 of 25 is its second largest. */
const SAMPLES_PER_ROUND = 25;
const WARMUP_SAMPLES = 3;
const TARGETS: Record<number, number> = { 1000: 1.5, 5000: 2 };
const PROD = { project: 'shop', tenant: 'acme', environment: 'production' };
/** The subscription ids every client uses (ids are per socket), so the baseline can address the same subscriptions. */
const IDS = { request: 'request', sync: 'sync' } as const;

const REQUEST_SUBSCRIPTION = `subscription RequestUpdates($te: ID!) {
  rollbackRequestUpdated(tenantEnvironmentId: $te) { change state at request { id state mode justification updatedAt } }
}`;
const SYNC_SUBSCRIPTION = `subscription SyncUpdates($te: ID!) {
  syncStatusChanged(tenantEnvironmentId: $te) { syncedRevision syncedHead syncState health agentReachable lastSeenAt secondsSinceLastSeen message }
}`;
const REPORT = `mutation Report($input: SyncReportInput!) { reportSyncStatus(input: $input) { lastSeenAt } }`;

type Kind = 'request' | 'sync';

/**
 * The client side, plain JavaScript run by `node -e`, configured over IPC. Every message carries
 * its sample (the request's justification, the report's lastSeenAt; the baseline's copies carry a
 * marker of their own in the same place); a sample is done when all clients got it, which also
 * tells when every subscription is live. The completed sample reports the payload's text, from
 * which the baseline's frames are made.
 */
const CLIENT = `
const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.connected && process.send(message);
const fail = (error) => send({ type: 'error', error: String(error && (error.message || error.reason || error)) });
process.on('disconnect', () => process.exit(0));
process.once('message', (config) => run(config).catch(fail));
async function run({ graphqlWsUrl, wsUrl, tokens, gqlUrl, te, requestQuery, syncQuery, ids }) {
  const { createClient } = await import(graphqlWsUrl);
  const { default: WebSocket } = await import(wsUrl);
  const subscribers = tokens.length;
  const counts = { request: new Map(), sync: new Map() };
  const arrived = (kind, round, result) => {
    const count = (counts[kind].get(round) ?? 0) + 1;
    counts[kind].set(round, count);
    if (count === subscribers) {
      const at = now();
      counts[kind].clear();
      const payload = JSON.stringify(result);
      const size = JSON.stringify({ id: ids[kind], type: 'next', payload: result }).length;
      send({ type: 'round', kind, round, at, size, payload });
    }
  };
  const clients = [];
  process.on('message', async (message) => {
    if (message.type === 'ping') send({ type: 'pong', id: message.id, at: now() });
    if (message.type === 'close') {
      await Promise.all(clients.map((c) => c.dispose()));
      send({ type: 'closed' });
    }
  });
  const roundOf = {
    request: (data) => /\\(round ([^)]+)\\)$/.exec(data.rollbackRequestUpdated.request.justification)[1],
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
        generateID: (payload) => (payload.query === requestQuery ? ids.request : ids.sync),
        onNonLazyError: fail,
        on: { connected: resolve },
      });
      clients.push(client);
      const sink = (kind) => ({
        next: (result) => (result.errors ? fail(JSON.stringify(result.errors)) : arrived(kind, roundOf[kind](result.data), result)),
        error: fail,
        complete: () => undefined,
      });
      client.subscribe({ query: requestQuery, variables: { te } }, sink('request'));
      client.subscribe({ query: syncQuery, variables: { te } }, sink('sync'));
    })));
  }
  send({ type: 'ready' });
}
`;

const mainNow = () => performance.timeOrigin + performance.now();

interface Arrival {
  at: number;
  size: number;
  payload: string;
}

type ClientMessage =
  | { type: 'ready' | 'closed' }
  | { type: 'error'; error: string }
  | { type: 'pong'; id: number; at: number }
  | ({ type: 'round'; kind: Kind; round: string } & Arrival);

/** Messages from the client process: awaited by type, and completed samples by kind and id; every wait is bounded. */
function clientChannel(child: ChildProcess) {
  const waiting: Array<{ match: (m: ClientMessage) => boolean; resolve: (m: ClientMessage) => void }> = [];
  const rounds = new Map<string, Arrival>();
  const roundWaiters = new Map<string, (m: Arrival) => void>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    waiting.splice(0).forEach((w) => w.resolve({ type: 'error', error: error.message }));
  };
  child.on('message', (message: ClientMessage) => {
    if (message.type === 'error') {
      const hint = /EMFILE|ENFILE/.test(message.error) ? ' (raise the open-files limit: ulimit -n)' : '';
      return failAll(new Error(`subscriber process: ${message.error}${hint}`));
    }
    if (message.type === 'round') {
      const key = `${message.kind}:${message.round}`;
      rounds.set(key, message);
      roundWaiters.get(key)?.(message);
      return;
    }
    const index = waiting.findIndex((w) => w.match(message));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(message);
  });
  child.on('exit', (code, signal) => failAll(new Error(`subscriber process exited (${signal ?? code})`)));
  const withTimeout = <T>(promise: Promise<T>, what: string, timeoutMs: number, cleanup: () => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(failure ?? new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });
  return {
    send: (message: unknown) => child.send(message as never),
    next(match: (m: ClientMessage) => boolean, what: string, timeoutMs = 60_000): Promise<ClientMessage> {
      if (failure) return Promise.reject(failure);
      const entry = { match, resolve: (_m: ClientMessage) => undefined as void };
      const promise = new Promise<ClientMessage>((resolve, reject) => {
        entry.resolve = (message) => (message.type === 'error' ? reject(failure ?? new Error(message.error)) : resolve(message));
      });
      waiting.push(entry);
      return withTimeout(promise, what, timeoutMs, () => waiting.splice(waiting.indexOf(entry), 1));
    },
    /** When every client has received sample `id` of this kind. */
    round(kind: Kind, id: string, timeoutMs: number): Promise<Arrival> {
      if (failure) return Promise.reject(failure);
      const key = `${kind}:${id}`;
      const seen = rounds.get(key);
      if (seen) return Promise.resolve(seen);
      const promise = new Promise<Arrival>((resolve) => roundWaiters.set(key, resolve));
      return withTimeout(promise, `${kind} sample ${id} at every client`, timeoutMs, () => roundWaiters.delete(key)).finally(() => {
        roundWaiters.delete(key);
        rounds.delete(key);
      });
    },
  };
}

interface Phase {
  /** How the subscribers are described in the result rows. */
  who: string;
  tokens: string[];
  /** Under load the rows are reported without a target, in ROUNDS rounds, and the report's row is left out. */
  underLoad?: boolean;
}

interface Bench {
  baseUrl: string;
  /** The server's open graphql-ws sockets, which the baseline writes to. */
  sockets: () => Iterable<WebSocket>;
  agentToken: string;
  te: { id: string; projectId: string };
  head: string;
  request: RollbackRequest;
  bus: InProcessEventBus;
  now: () => Date;
  /** When the last event of each type was published (this process's clock). */
  publishedAt: Map<string, number>;
}

interface PhaseRound {
  request: number[];
  rawRequest: number[];
  sync: number[];
  syncFromPublish: number[];
  rawSync: number[];
}

/**
 * The baseline's frame for the last payload of a kind: the same text with the round marker swapped
 * for `marker` (the justification's "(round …)", the report's lastSeenAt, padded to its length).
 */
function baselineFrame(kind: Kind, payload: string, marker: string): string {
  const text =
    kind === 'request'
      ? payload.replace(/\(round [^)]+\)"/, `(round ${marker})"`)
      : payload.replace(/"lastSeenAt":"([^"]*)"/, (_all, at: string) => `"lastSeenAt":"${marker.padEnd(at.length, '.')}"`);
  if (text === payload) throw new Error(`no round marker found in the ${kind} payload: ${payload}`);
  return `{"id":${JSON.stringify(IDS[kind])},"type":"next","payload":${text}}`;
}

/** One set of subscribers: connect, wait until all are live, align clocks, then FANOUT_ROUNDS rounds of interleaved samples. */
async function runPhase(bench: Bench, phase: Phase): Promise<BenchResult[]> {
  const { baseUrl, te } = bench;
  const child = spawn(process.execPath, ['--input-type=commonjs', '-e', CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const channel = clientChannel(child);
    channel.send({
      graphqlWsUrl: import.meta.resolve('graphql-ws'),
      wsUrl: import.meta.resolve('ws'),
      tokens: phase.tokens,
      gqlUrl: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
      te: te.id,
      requestQuery: REQUEST_SUBSCRIPTION,
      syncQuery: SYNC_SUBSCRIPTION,
      ids: IDS,
    });
    await channel.next((m) => m.type === 'ready', `${phase.tokens.length} graphql-ws clients`, 300_000);

    // Align the client process's clock with ours: offset = client - main, from the ping with the shortest round trip.
    let offset = 0;
    let bestRtt = Infinity;
    for (let id = 0; id < 50; id++) {
      const sent = mainNow();
      channel.send({ type: 'ping', id });
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
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await response.json()) as { errors?: unknown; data?: { reportSyncStatus: { lastSeenAt: string } } };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!.reportSyncStatus.lastSeenAt;
    };
    /** Milliseconds from the trigger (and from the event's publish) to the last subscriber, and what it saw. */
    const sample = async (kind: Kind, trigger: () => Promise<string> | string, timeoutMs = 60_000) => {
      const started = mainNow();
      const id = await trigger();
      const published = bench.publishedAt.get('syncStatusChanged') ?? started;
      const message = await channel.round(kind, id, timeoutMs);
      return { ms: message.at - offset - started, fromPublishMs: message.at - offset - published, size: message.size, payload: message.payload };
    };
    /** The baseline: the last payload of the kind, serialized before the clock starts, sent to every open socket. */
    const last: Record<Kind, string> = { request: '', sync: '' };
    const broadcast = (kind: Kind) => {
      const marker = `raw${++sequence}`;
      const frame = baselineFrame(kind, last[kind], marker);
      return sample(kind, () => {
        for (const socket of bench.sockets()) if (socket.readyState === socket.OPEN) socket.send(frame);
        return kind === 'request' ? marker : marker.padEnd(JSON.parse(last.sync).data.syncStatusChanged.lastSeenAt.length, '.');
      });
    };
    const graphql = async (kind: Kind) => {
      const result = await sample(kind, kind === 'request' ? publish : report);
      last[kind] = result.payload;
      return result;
    };

    // Until a probe reaches every client, not all subscriptions are live yet: probe again (a bounded number of times).
    const live = async (kind: Kind) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await sample(kind, kind === 'request' ? publish : report, 5_000);
          last[kind] = result.payload;
          return;
        } catch (error) {
          if (attempt >= 30) throw error;
        }
      }
    };
    await live('request');
    await live('sync');

    for (let i = 0; i < WARMUP_SAMPLES; i++) {
      await graphql('request');
      await broadcast('request');
      await graphql('sync');
      await broadcast('sync');
    }

    // Interleaved, so both sides see the same machine conditions.
    const rounds: PhaseRound[] = [];
    const sizes = { request: 0, rawRequest: 0, sync: 0, rawSync: 0 };
    const roundCount = phase.underLoad ? ROUNDS : FANOUT_ROUNDS;
    for (let r = 0; r < roundCount; r++) {
      const round: PhaseRound = { request: [], rawRequest: [], sync: [], syncFromPublish: [], rawSync: [] };
      for (let i = 0; i < SAMPLES_PER_ROUND; i++) {
        const request = await graphql('request');
        round.request.push(request.ms);
        sizes.request = request.size;
        const rawRequest = await broadcast('request');
        round.rawRequest.push(rawRequest.ms);
        sizes.rawRequest = rawRequest.size;
        const sync = await graphql('sync');
        round.sync.push(sync.ms);
        round.syncFromPublish.push(sync.fromPublishMs);
        sizes.sync = sync.size;
        const rawSync = await broadcast('sync');
        round.rawSync.push(rawSync.ms);
        sizes.rawSync = rawSync.size;
      }
      rounds.push(round);
    }

    channel.send({ type: 'close' });
    await channel.next((m) => m.type === 'closed', 'clients to close', 60_000);

    const n = phase.tokens.length.toLocaleString('en');
    const target: Target = phase.underLoad ? 'reported' : { atMost: TARGETS[phase.tokens.length] ?? 2 };
    const how = `p95 per round, median of ${roundCount} rounds of ${SAMPLES_PER_ROUND}${phase.underLoad ? ', under load (a busy-looping process on one core)' : ''}`;
    const of = (subject: keyof PhaseRound, baseline: keyof PhaseRound): Round[] => rounds.map((r) => ({ subject: r[subject], baseline: r[baseline] }));
    const baseline = (size: number) => `raw ws broadcast to the same sockets, ${size} B`;
    const rows = [
      resultOfRounds(
        `rollbackRequestUpdated → last of ${n} graphql-ws subscribers (${phase.who}), from the domain publish, ${how}`,
        { subject: `graphql-ws, ${sizes.request} B`, baseline: baseline(sizes.rawRequest) },
        target,
        of('request', 'rawRequest'),
        95,
      ),
      resultOfRounds(
        `syncStatusChanged → last of ${n} graphql-ws subscribers (${phase.who}), from the domain publish of a stored report, ${how}`,
        { subject: `graphql-ws, ${sizes.sync} B`, baseline: baseline(sizes.rawSync) },
        target,
        of('syncFromPublish', 'rawSync'),
        95,
      ),
    ];
    if (!phase.underLoad) {
      rows.push(
        resultOfRounds(
          `syncStatusChanged → last of ${n} graphql-ws subscribers (${phase.who}), from the agent's reportSyncStatus HTTP call, ${how}`,
          { subject: `reportSyncStatus + graphql-ws, ${sizes.sync} B`, baseline: baseline(sizes.rawSync) },
          'reported',
          of('sync', 'rawSync'),
          95,
        ),
      );
    }
    return rows;
  } finally {
    child.kill();
  }
}

export async function runSubscriptionBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  try {
    const baseUrl = await t.listen();
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
      sockets: () => t.app.webSockets.sockets(),
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

    // A crowd of different people with two role sets: shared per role set, not per person.
    const distinct: string[] = [];
    for (let i = 0; i < Math.max(...SIZES); i++) {
      const userId = await createUser(services, { email: `responder-${i}@acme.example.com`, name: `Responder ${i}` });
      await grantRole(services, { userId, projectId: te.project.id, role: i % 2 ? 'DEPLOYER' : 'VIEWER' });
      distinct.push((await createUserToken(services, userId, 'bench')).token);
    }
    const oneUser = (size: number) => Array.from({ length: size }, () => t.token('DEPLOYER'));
    const results: BenchResult[] = [];
    for (const size of SIZES) {
      // One responder's many dashboards (or a wall screen fleet on one account): same operation and permissions.
      results.push(...(await runPhase(bench, { who: 'one user', tokens: oneUser(size) })));
      results.push(...(await runPhase(bench, { who: `${size.toLocaleString('en')} distinct users`, tokens: distinct.slice(0, size) })));
    }
    const stopLoad = startLoad();
    try {
      // One population only (the default run stays near two minutes); the distinct users' rows move alike.
      results.push(...(await runPhase(bench, { who: 'one user', tokens: oneUser(1000), underLoad: true })));
    } finally {
      stopLoad();
    }
    return results;
  } finally {
    await t.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runSubscriptionBenchmarks().then((results) => console.log(markdownTable(results)));
}
