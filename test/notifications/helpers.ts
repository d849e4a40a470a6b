/** Real HTTP receivers on 127.0.0.1 for notification tests, and plain GraphQL calls (no typed documents needed). */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../kit/app';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: any;
  at: number;
}

/** What the receiver does with its n-th request (0-based): answer with a status, or never answer. */
export type Respond = (n: number, request: Received) => number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Waits (bounded) until `count` requests arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  respond: Respond;
  close(): Promise<void>;
}

export async function startReceiver(respond: Respond = () => 200, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    port: 0,
    received,
    respond,
    waitFor: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received.slice(0, count);
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json: unknown = null;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        // Kept raw; the test says what it expected.
      }
      const entry: Received = { headers: request.headers, raw, json, at: performance.now() };
      const n = received.length;
      received.push(entry);
      for (const wake of waiters.splice(0)) wake();
      const answer = receiver.respond(n, entry);
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 300 ? `receiver says ${answer}` : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

/** Verifies a `sha256=<hex>` (or `sha1=`) signature header as a receiver should: HMAC of the raw body, compared in constant time. */
export function signatureValid(header: string | string[] | undefined, secret: string, raw: Buffer): boolean {
  if (typeof header !== 'string') return false;
  const [algorithm, hex] = header.split('=');
  if ((algorithm !== 'sha256' && algorithm !== 'sha1') || !hex) return false;
  const expected = createHmac(algorithm, secret).update(raw).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface GqlResult {
  data?: any;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A GraphQL call with a plain query text, through the app's fetch handler or a server URL. */
export async function gql(target: TestApp | string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  };
  const response = typeof target === 'string' ? await fetch(`${target}/graphql`, init) : await target.app.yoga.fetch('http://localhost/graphql', init);
  return (await response.json()) as GqlResult;
}

export function data(result: GqlResult): any {
  if (result.errors) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export const SET_TARGET = `mutation Set($input: SetNotificationTargetInput!) {
  setNotificationTarget(input: $input) { id name kind url hasSecret eventKinds tenantEnvironments }
}`;

export const DELIVERIES = `query Deliveries($target: String) {
  project(slug: "shop") {
    notificationDeliveries(first: 50, target: $target) {
      edges { node { id eventId eventKind targetName targetKind target { name hasSecret } state attempts lastStatus lastError nextAttemptAt deliveredAt payload } }
    }
  }
}`;

export const REQUEST_ROLLBACK = `mutation Request($input: RequestRollbackInput!) { requestRollback(input: $input) { id state } }`;

export const HISTORY = `query History($tenant: String!, $environment: String!) {
  tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) { id headRevision deployments(first: 3) { edges { node { revision } } } }
}`;

/** The FIELD rollback of acme/production's api-gateway image.tag to the revision before the head (the demo incident's fix). */
export async function tagRollbackInput(target: TestApp | string, token: string, environment = 'production') {
  const te = data(await gql(target, token, HISTORY, { tenant: 'acme', environment })).tenantEnvironment;
  const targetSha = te.deployments.edges[1].node.revision as string;
  return {
    input: {
      rollback: { project: 'shop', tenant: 'acme', environment, mode: 'FIELD', targetSha, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] },
      justification: 'Bad image tag v2.1.1-rc0 causing 500 errors',
    },
  };
}

/** Polls (bounded in count and time) until `check` returns a value. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Settings that make retries take milliseconds, with 127.0.0.1 allowed. */
export const FAST_NOTIFY = {
  NOTIFY_ALLOWED_NETWORKS: '127.0.0.1',
  NOTIFY_BACKOFF_BASE_MS: '20',
  NOTIFY_BACKOFF_MAX_MS: '200',
  NOTIFY_POLL_MS: '50',
  NOTIFY_TIMEOUT_MS: '3000',
  NOTIFY_MAX_ATTEMPTS: '6',
};
