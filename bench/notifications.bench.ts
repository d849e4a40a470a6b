/**
 * Notification latency: the time from the commit of a state change (a rollback request created:
 * the first publish of its event, which follows the commit) to a webhook receiver on 127.0.0.1
 * getting the POST, next to the same event reaching a graphql-ws subscriber in the same run. The
 * webhook path goes through the outbox: the row committed with the request, the dispatcher woken
 * after the commit, a leasing transaction, the body signed, a fresh connection (the address policy
 * runs at connect time). Reported, no target: the subscriber is the floor a notification cannot beat.
 * Each sample's request is rejected afterwards, so the next one is not refused as in flight.
 */
import { WebSocket } from 'ws';
import { createClient } from 'graphql-ws';
import type { DomainEvent } from '../src/domain/events';
import { createTestApp } from '../test/kit/app';
import { DELIVERIES, FAST_NOTIFY, REQUEST_ROLLBACK, SET_TARGET, data, gql, startReceiver, tagRollbackInput } from '../test/notifications/helpers';
import type { BenchResult } from './lib/result';
import { resultOfRounds, ROUNDS, type Round } from './lib/rounds';
import { markdownTable } from './lib/table';

const SAMPLES_PER_ROUND = 20;
const WARMUP = 3;
const REJECT = `mutation Reject($id: ID!) { reviewRollbackRequest(input: { id: $id, decision: REJECT }) { state } }`;

export async function runNotificationBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp({ env: { ...FAST_NOTIFY, NOTIFY_POLL_MS: '1000' } });
  const base = await t.listen();
  const receiver = await startReceiver();
  const subscriber = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${t.token('APPROVER')}` } });
  try {
    data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'bench', kind: 'WEBHOOK', url: `${receiver.url}/hook`, secret: 'bench-secret', eventKinds: ['REQUEST_CREATED'] } }));
    const input = await tagRollbackInput(t, t.token('DEPLOYER'));
    const te = data(await gql(t, t.token('DEPLOYER'), `{ tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { id } }`)).tenantEnvironment.id as string;

    // When each request's CREATED event was published (right after its commit), and when each side got it.
    const committedAt = new Map<string, number>();
    const subscriberAt = new Map<string, number>();
    const bus = t.app.bus;
    const publish = bus.publish.bind(bus);
    bus.publish = (event: DomainEvent) => {
      if (event.type === 'rollbackRequestUpdated' && event.change === 'CREATED') committedAt.set(event.requestId, performance.now());
      publish(event);
    };
    let live: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (live = resolve));
    subscriber.subscribe(
      { query: `subscription S($te: ID!) { rollbackRequestUpdated(tenantEnvironmentId: $te) { change request { id } } }`, variables: { te } },
      {
        next: (message: any) => {
          const update = message.data?.rollbackRequestUpdated;
          if (update?.change === 'CREATED') subscriberAt.set(update.request.id, performance.now());
          live();
        },
        error: (error) => {
          throw error;
        },
        complete: () => undefined,
      },
    );
    // The subscription is live once it has seen one event.
    const probe = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, input)).requestRollback.id as string;
    await ready;
    data(await gql(t, t.token('APPROVER'), REJECT, { id: probe }));

    const sampleOnce = async (): Promise<{ webhook: number; subscription: number }> => {
      const id = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, input)).requestRollback.id as string;
      const arrivalOf = () => receiver.received.find((r) => r.json?.request?.id === id);
      for (let i = 0; i < 2000 && !(subscriberAt.has(id) && arrivalOf()); i++) await new Promise((r) => setTimeout(r, 5));
      const arrival = arrivalOf();
      if (!arrival || !subscriberAt.has(id)) throw new Error(`sample ${id}: not received by both`);
      data(await gql(t, t.token('APPROVER'), REJECT, { id }));
      const committed = committedAt.get(id)!;
      return { webhook: arrival.at - committed, subscription: subscriberAt.get(id)! - committed };
    };
    for (let i = 0; i < WARMUP; i++) await sampleOnce();
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const subject: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < SAMPLES_PER_ROUND; i++) {
        const { webhook, subscription } = await sampleOnce();
        subject.push(webhook);
        baseline.push(subscription);
      }
      rounds.push({ subject, baseline });
    }
    // Every sample was delivered once, on its first attempt.
    const deliveries = data(await gql(t, t.token('ADMIN'), DELIVERIES, { target: 'bench' })).project.notificationDeliveries.edges;
    if (deliveries.some((e: any) => e.node.attempts !== 1 || e.node.state !== 'DELIVERED')) throw new Error('a bench delivery needed a retry');
    return [
      resultOfRounds(
        'Notification latency: state-change commit → receiver (REQUEST_CREATED)',
        { subject: 'webhook via the outbox, signed', baseline: 'graphql-ws subscriber, same event' },
        'reported',
        rounds,
      ),
    ];
  } finally {
    await subscriber.dispose();
    await receiver.close();
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${markdownTable(await runNotificationBenchmarks())}\n`);
  process.exit(0);
}
