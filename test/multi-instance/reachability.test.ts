/**
 * The agent-reachability monitor on two instances (two apps with their own pools on one PostgreSQL
 * database): an agent going silent is announced once, by the instance leading the monitor, not once
 * per instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events';
import { createTestApp, openTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { report, reportInput } from '../live/scenario';
import { eventually } from './cluster';

const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
const env = { AGENT_SILENCE_SECONDS: '1' };

let apps: { a: TestApp; b: TestApp } | null = null;
afterEach(async () => {
  await apps?.b.app.stop();
  await apps?.a.close();
  apps = null;
});

/** What an instance announces (published by it, whoever subscribes), observed on its event port. */
function announcements(t: TestApp): DomainEvent[] {
  const seen: DomainEvent[] = [];
  const publish = t.app.backend.events.publish.bind(t.app.backend.events);
  t.app.backend.events.publish = (event) => {
    if (event.type === 'syncStatusChanged' && event.reportId === null) seen.push(event);
    publish(event);
  };
  return seen;
}

describe('the reachability monitor on two instances', () => {
  it('announces an agent going silent once across instances', async () => {
    const a = await createTestApp({ env });
    const b = openTestApp(a.dataDir, a.credentials, { env });
    apps = { a, b };
    const fromA = announcements(a);
    const fromB = announcements(b);
    await a.listen();
    await b.listen();
    const head = (await a.app.backend.repositories.forProject('shop')).head();
    ok(await report(a, 'AGENT', reportInput(PROD, (await head)!)));
    // Silent for longer than AGENT_SILENCE_SECONDS: unreachable, announced by exactly one instance.
    await eventually('the unreachable announcement', () => (fromA.length + fromB.length > 0 ? true : undefined), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(fromA.length + fromB.length, JSON.stringify({ a: fromA.length, b: fromB.length })).toBe(1);
  });
});
