/**
 * Observability of a real process: JSON log lines on stdout carrying the request id and the
 * operation name, /health and /ready, and Prometheus metrics at /metrics (yoga's plus rollback
 * executions by mode and result, and their duration).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from '../kit/documents/workspace';
import { bodyOf, killAllSpawned, postUrl, spawnServer, tempDir, waitFor, type ServerProcess } from './helpers';
import { requestStagingRollback, stagingTagTarget } from './recovery';

let server: ServerProcess;
let dataDir: string;
let origin: string;

beforeAll(async () => {
  dataDir = tempDir('backtrack-observability-');
  // debug: yoga's own per-request lines are written too, and each must carry the request id.
  server = await spawnServer(dataDir, { LOG_LEVEL: 'debug' });
  origin = new URL(server.url).origin;
}, 90_000);

afterAll(async () => {
  await killAllSpawned();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function metricsText(): Promise<string> {
  const response = await fetch(`${origin}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('health and readiness', () => {
  it('/health is 200', async () => {
    const response = await fetch(`${origin}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/ready is 200 once started (migrations ran, repositories open)', async () => {
    const response = await fetch(`${origin}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('structured logs', () => {
  it('every stdout log line is JSON; an operation is logged with the x-request-id and its name', async () => {
    const requestId = `obs-${Date.now()}`;
    const response = await postUrl(server.url, server.token('DEPLOYER'), bodyOf(ViewerDocument), { 'x-request-id': requestId });
    expect(response.body.errors).toBeUndefined();

    const line = await waitFor('the operation log line', () => server.logLines().find((l) => l.requestId === requestId && l.msg === 'operation'));
    expect(line).toMatchObject({ requestId, operationName: 'Viewer', operationType: 'query', level: 30, service: 'backtrack' });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('number');

    // Banner lines are text by design; everything else on stdout is one JSON object per line.
    const banner = /^(Seeding|The demo seed|Backtrack is listening|Demo token|All demo tokens|\(also saved|\s|$)/;
    for (const text of server.stdout().split('\n').filter((l) => !banner.test(l))) {
      expect(() => JSON.parse(text), text).not.toThrow();
    }
  });

  it('an expected error is logged with its code, not as a server error', async () => {
    const requestId = `obs-err-${Date.now()}`;
    const before = server.logLines().length;
    await postUrl(
      server.url,
      server.token('DEPLOYER'),
      { query: 'query Broken { tenantEnvironment(project: "shop", tenant: "acme", environment: "staging") { compareWithCurrent(revision: "0123456789") { __typename } } }' },
      { 'x-request-id': requestId },
    );
    const line = await waitFor('the operation log line', () => server.logLines().find((l) => l.requestId === requestId && l.msg === 'operation'));
    expect(line).toMatchObject({ operationName: 'Broken', errors: ['REVISION_NOT_FOUND'], level: 30 });
    // yoga logs every error masking replaced: a client's mistake goes to debug, not error (stdout may lag the response).
    const logged = await waitFor('yoga\'s line about the error', () => server.logLines().slice(before).find((l) => l.requestId === requestId && l.msg === 'expected error'));
    expect(logged.level).toBe(20);
    const written = server.logLines().slice(before);
    expect(written.filter((l) => Number(l.level) >= 50), JSON.stringify(written)).toEqual([]);
  });

  it('every line written while handling a request carries its request id', async () => {
    const before = server.logLines().length;
    const ids = [`obs-a-${Date.now()}`, `obs-b-${Date.now()}`];
    await Promise.all([
      postUrl(server.url, server.token('DEPLOYER'), { query: 'query First { viewer { email } }' }, { 'x-request-id': ids[0]! }),
      postUrl(server.url, server.token('DEPLOYER'), { query: '{ nope }' }, { 'x-request-id': ids[1]! }),
      postUrl(
        server.url,
        server.token('DEPLOYER'),
        { query: '{ tenantEnvironment(project: "shop", tenant: "acme", environment: "staging") { compareWithCurrent(revision: "0123456789") { __typename } } }' },
        { 'x-request-id': 'obs-expected-error' },
      ),
      postUrl(server.url, 'btu_unknown-token', { query: 'query Anonymous { viewer { email } }' }, { 'x-request-id': 'obs-anonymous' }),
    ]);
    await waitFor('the lines of all three requests', () => {
      const written = server.logLines().slice(before);
      return (
        written.some((l) => l.requestId === ids[0] && l.msg === 'operation') &&
        written.some((l) => l.requestId === 'obs-anonymous') &&
        written.some((l) => l.requestId === 'obs-expected-error' && l.msg === 'expected error')
      );
    });
    const written = server.logLines().slice(before);
    expect(written.length).toBeGreaterThan(4);
    for (const line of written) expect(line.requestId, JSON.stringify(line)).toEqual(expect.any(String));
  });

  it('an x-request-id that is not a sane token is replaced, not logged', async () => {
    const before = server.logLines().length;
    await postUrl(server.url, server.token('DEPLOYER'), { query: 'query Odd { __typename }' }, { 'x-request-id': 'x'.repeat(500) });
    const line = await waitFor('the operation log line', () => server.logLines().slice(before).find((l) => l.operationName === 'Odd' && l.msg === 'operation'));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('without x-request-id the server makes one up', async () => {
    const before = server.logLines().length;
    await postUrl(server.url, server.token('DEPLOYER'), { query: 'query NoRequestId { __typename }' });
    const line = await waitFor('the operation log line', () => server.logLines().slice(before).find((l) => l.operationName === 'NoRequestId' && l.msg === 'operation'));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Prometheus metrics', () => {
  it("exposes yoga's GraphQL metrics and the process metrics", async () => {
    await postUrl(server.url, server.token('DEPLOYER'), bodyOf(ViewerDocument));
    const text = await metricsText();
    expect(text).toMatch(/^# TYPE graphql_yoga_http_duration histogram$/m);
    expect(text).toMatch(/^graphql_envelop_phase_execute_count\{.*operationName="Viewer".*\} \d+$/m);
    expect(text).toMatch(/^backtrack_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^# TYPE backtrack_rollback_executions_total counter$/m);
    expect(text).toMatch(/^# TYPE backtrack_rollback_execution_duration_seconds histogram$/m);
  });

  it('counts a completed FIELD rollback on acme/staging and observes its duration', async () => {
    const labels = { mode: 'FIELD', result: 'completed' };
    expect(sample(await metricsText(), 'backtrack_rollback_executions_total', labels)).toBeUndefined();

    const target = await stagingTagTarget(server.url, server.token('DEPLOYER'));
    const response = await requestStagingRollback(server.url, server.token('DEPLOYER'), target);
    expect(response.body.errors, response.text).toBeUndefined();
    expect((response.body.data as { requestRollback: { state: string } }).requestRollback.state).toBe('COMPLETED');

    const text = await metricsText();
    expect(text).toContain('backtrack_rollback_executions_total{mode="FIELD",result="completed"} 1');
    expect(sample(text, 'backtrack_rollback_execution_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'backtrack_rollback_execution_duration_seconds_sum', labels)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'backtrack_rollback_execution_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(sample(text, 'backtrack_rollback_executions_total', { mode: 'FIELD', result: 'failed' })).toBeUndefined();
  });
});
