/** The generic webhook and Slack targets against real receivers: signatures, the payload, retries with one idempotency key, order, and the delivery log. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { capturingLogger } from '../kit/logs';
import { DELIVERIES, FAST_NOTIFY, SET_TARGET, data, eventually, gql, REQUEST_ROLLBACK, signatureValid, startReceiver, tagRollbackInput, type Receiver } from './helpers';

const SECRET = 'whsec-3f9a7c1e-test';
let t: TestApp | null = null;
const receivers: Receiver[] = [];

afterEach(async () => {
  await t?.close();
  t = null;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function app(env: Record<string, string> = {}, logger?: ReturnType<typeof capturingLogger>['logger']) {
  t = await createTestApp({ env: { ...FAST_NOTIFY, ...env }, ...(logger ? { logger } : {}) });
  await t.listen();
  return t;
}

describe('a WEBHOOK target', () => {
  it('gets a signed, versioned event per state change; fails three times, gets it on the fourth attempt with the same idempotency key, then the next event in order', async () => {
    const t = await app();
    const receiver = await startReceiver((n) => (n < 3 ? 503 : 200));
    receivers.push(receiver);
    const target = data(
      await gql(t, t.token('ADMIN'), SET_TARGET, {
        input: { project: 'shop', name: 'oncall-hook', kind: 'WEBHOOK', url: `${receiver.url}/hooks/backtrack`, secret: SECRET, eventKinds: ['REQUEST_CREATED', 'REQUEST_AWAITING_APPROVAL'], tenantEnvironments: ['acme/production'] },
      }),
    ).setNotificationTarget;
    expect(target).toMatchObject({ name: 'oncall-hook', kind: 'WEBHOOK', hasSecret: true, tenantEnvironments: ['acme/production'] });
    expect(JSON.stringify(target)).not.toContain(SECRET);

    const request = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, await tagRollbackInput(t, t.token('DEPLOYER')))).requestRollback;
    expect(request.state).toBe('PENDING');

    const got = await receiver.waitFor(5);
    const keys = got.map((r) => r.headers['idempotency-key']);
    // Four attempts of the first event, all with its key, then the second event once.
    expect(new Set(keys.slice(0, 4)).size).toBe(1);
    expect(keys[4]).not.toBe(keys[0]);
    expect(got.map((r) => r.json.kind)).toEqual(['REQUEST_CREATED', 'REQUEST_CREATED', 'REQUEST_CREATED', 'REQUEST_CREATED', 'REQUEST_AWAITING_APPROVAL']);
    for (const r of got) {
      expect(signatureValid(r.headers['x-backtrack-signature'], SECRET, r.raw)).toBe(true);
      expect(signatureValid(r.headers['x-backtrack-signature'], 'wrong-secret', r.raw)).toBe(false);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-backtrack-delivery']).toBe(r.headers['idempotency-key']);
      expect(r.headers['x-backtrack-event']).toBe(r.json.kind);
    }
    // Every attempt sends the same bytes.
    expect(got[3]!.raw.equals(got[0]!.raw)).toBe(true);

    const event = got[4]!.json;
    expect(event).toMatchObject({
      version: 1,
      id: got[4]!.headers['idempotency-key'],
      kind: 'REQUEST_AWAITING_APPROVAL',
      project: { slug: 'shop' },
      tenantEnvironment: { tenant: 'acme', environment: 'production', path: 'tenants/acme/production' },
      request: {
        id: request.id,
        type: 'ROLLBACK',
        state: 'PENDING',
        mode: 'FIELD',
        service: 'api-gateway',
        selectedFields: ['values.yaml:image.tag'],
        approvals: 0,
        requiredApprovals: 1,
        requestedBy: { email: 'dana.deployer@acme.example.com' },
        preview: { affectedServices: 1, selectedFields: 1 },
      },
      links: { approveCommand: `backtrack approve ${request.id}` },
    });
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
    expect(event.links.incident).toMatch(/\/incident#\/shop\/acme\/production$/);

    const deliveries = await eventually(async () => {
      const edges = data(await gql(t, t.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return edges.length === 2 && edges.every((d: any) => d.state === 'DELIVERED') ? edges : null;
    }, 'both deliveries DELIVERED');
    // Newest first.
    expect(deliveries.map((d: any) => [d.eventKind, d.attempts, d.lastStatus])).toEqual([
      ['REQUEST_AWAITING_APPROVAL', 1, 200],
      ['REQUEST_CREATED', 4, 200],
    ]);
    expect(deliveries[1].eventId).toBe(keys[0]);
    expect(deliveries[1]).toMatchObject({ target: { name: 'oncall-hook', hasSecret: true }, targetKind: 'WEBHOOK', nextAttemptAt: null, lastError: null });

    const metrics = await (await fetch(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/metrics`)).text();
    expect(metrics).toMatch(/backtrack_notification_deliveries_total\{target="oncall-hook",kind="WEBHOOK",result="retry"\} 3/);
    expect(metrics).toMatch(/backtrack_notification_deliveries_total\{target="oncall-hook",kind="WEBHOOK",result="delivered"\} 2/);

    // Other roles see no targets and no deliveries; the secret never comes back.
    const asApprover = data(await gql(t, t.token('APPROVER'), `{ project(slug: "shop") { notificationTargets { name } } }`));
    expect(asApprover.project.notificationTargets).toEqual([]);
    const denied = await gql(t, t.token('DEPLOYER'), SET_TARGET, { input: { project: 'shop', name: 'x', kind: 'WEBHOOK', url: receiver.url } });
    expect(denied.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_ROLE');
  });

  it('goes DEAD after NOTIFY_MAX_ATTEMPTS, and redeliverNotification sends it again with the same key', async () => {
    const logs = capturingLogger('warn');
    const t = await app({ NOTIFY_MAX_ATTEMPTS: '2' }, logs.logger);
    const receiver = await startReceiver(() => 500);
    receivers.push(receiver);
    const secret = 'never-log-me-5d2a';
    data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'flaky', kind: 'WEBHOOK', url: `${receiver.url}/path-token-abc`, secret, eventKinds: ['BREAK_GLASS_OPENED'] } }));
    data(await gql(t, t.token('DEPLOYER'), `mutation { openBreakGlassSession(input: { project: "shop", justification: "SEV1: checkout down" }) { id } }`));
    const dead = await eventually(async () => {
      const [node] = data(await gql(t, t.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return node?.state === 'DEAD' ? node : null;
    }, 'the delivery DEAD');
    expect(dead).toMatchObject({ attempts: 2, lastStatus: 500, nextAttemptAt: null, eventKind: 'BREAK_GLASS_OPENED' });
    expect(dead.lastError).toContain('HTTP 500');
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.json.breakGlass).toMatchObject({ justification: 'SEV1: checkout down', openedBy: { email: 'dana.deployer@acme.example.com' } });
    // Failures are logged with the target's name and host, never its secret or its URL's path.
    const failures = logs.lines.filter((line) => line.target === 'flaky');
    expect(failures.map((line) => line.msg)).toEqual(['notification delivery failed; retrying', 'notification dead after its last attempt']);
    expect(failures[1]).toMatchObject({ host: `127.0.0.1:${receiver.port}`, status: 500, attempts: 2, event: 'BREAK_GLASS_OPENED' });
    expect(JSON.stringify(logs.lines)).not.toContain(secret);
    expect(JSON.stringify(logs.lines)).not.toContain('path-token-abc');

    receiver.respond = () => 204;
    const again = data(await gql(t, t.token('ADMIN'), `mutation R($id: ID!) { redeliverNotification(id: $id) { state attempts } }`, { id: dead.id })).redeliverNotification;
    expect(again).toEqual({ state: 'PENDING', attempts: 0 });
    await receiver.waitFor(3);
    expect(receiver.received[2]!.headers['idempotency-key']).toBe(dead.eventId);
    await eventually(async () => {
      const [node] = data(await gql(t, t.token('ADMIN'), DELIVERIES)).project.notificationDeliveries.edges.map((e: any) => e.node);
      return node?.state === 'DELIVERED';
    }, 'DELIVERED after redelivery');
  });
});

describe('a SLACK target', () => {
  it('gets a readable message: who requested which rollback of what, the preview counts, how to approve, the state', async () => {
    const t = await app();
    const receiver = await startReceiver();
    receivers.push(receiver);
    const target = data(
      await gql(t, t.token('ADMIN'), SET_TARGET, {
        input: { project: 'shop', name: 'slack-oncall', kind: 'SLACK', url: `${receiver.url}/services/T000/B000/XXXXSECRET`, eventKinds: ['REQUEST_AWAITING_APPROVAL'] },
      }),
    ).setNotificationTarget;
    // The incoming-webhook URL is the secret: only its origin is shown.
    expect(target.url).toBe(`${receiver.url}/…`);
    const request = data(await gql(t, t.token('DEPLOYER'), REQUEST_ROLLBACK, await tagRollbackInput(t, t.token('DEPLOYER')))).requestRollback;
    const [message] = await receiver.waitFor(1);
    expect(Object.keys(message!.json)).toEqual(['text']);
    const text: string = message!.json.text;
    expect(text).toContain(`Rollback request ${request.id} is waiting for approval`);
    expect(text).toContain('dana.deployer@acme.example.com');
    expect(text).toMatch(/FIELD rollback of shop\/acme\/production service api-gateway fields values\.yaml:image\.tag to [0-9a-f]{7}/);
    expect(text).toContain('Preview: 1 service(s), 1 selected field(s)');
    expect(text).toContain(`\`backtrack approve ${request.id}\``);
    expect(text).toContain('State: PENDING (0/1 approvals)');
  });
});
