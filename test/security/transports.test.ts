/**
 * Issue 11.7 and 11.8: every protection holds on every transport. One test per protection over
 * graphql-ws and over SSE (HTTP POST is covered in test/hardening), and WebSocket frames are capped
 * at the HTTP body limit before anything is authenticated.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { tempDir } from '../kit/template';
import { connectWs, type WsConnection } from '../live/helpers';

type Result = { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };

/** One operation over graphql-ws: its first result (or the error the server sent for it). */
async function overWebSocket(connection: WsConnection, query: string, extensions?: Record<string, unknown>): Promise<Result> {
  await connection.connected;
  return new Promise((resolve) => {
    let settled = false;
    connection.client.subscribe(
      { query, extensions },
      {
        next: (result) => {
          if (!settled) resolve(result as Result);
          settled = true;
        },
        error: (error) => {
          if (!settled) resolve({ errors: Array.isArray(error) ? (error as Result['errors']) : [{ message: String(error) }] });
          settled = true;
        },
        complete: () => undefined,
      },
    );
  });
}

/** One operation over SSE (yoga's text/event-stream): its first `next` event. */
async function overSse(baseUrl: string, token: string, query: string, extensions?: Record<string, unknown>): Promise<Result> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, extensions }),
  });
  const text = await response.text();
  const data = /^event: next\ndata: (.*)$/m.exec(text)?.[1];
  if (!data) return JSON.parse(text) as Result;
  return JSON.parse(data) as Result;
}

/** A selection `levels` pairs of fields deeper than the default depth limit allows. */
const deep = (levels: number) =>
  `{ viewer { projectRoles { project { ${'tenantEnvironments { project { '.repeat(levels)}id${' } }'.repeat(levels)} } } } }`;

const PROTECTIONS: Array<{ name: string; query: string; code: RegExp }> = [
  { name: 'depth limit', query: deep(6), code: /MAX_DEPTH_EXCEEDED/ },
  { name: 'alias limit', query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} viewer { id } }`, code: /MAX_ALIASES_EXCEEDED/ },
  { name: 'token limit', query: `{ viewer { ${'id '.repeat(6000)}} }`, code: /MAX_TOKENS_EXCEEDED/ },
  { name: 'directive limit', query: `{ viewer { id ${'@include(if: true) '.repeat(60)}} }`, code: /MAX_DIRECTIVES_EXCEEDED/ },
  {
    name: 'cost limit',
    query: `{ ${Array.from({ length: 8 }, (_, i) => `p${i}: project(slug: "shop") { tenantEnvironments { deployments(first: 100) { edges { node { compareWithCurrent { files { unifiedDiff } } } } } } }`).join(' ')} }`,
    code: /MAX_COST_EXCEEDED/,
  },
];

describe('limits on graphql-ws and SSE', () => {
  let t: TestApp;
  let baseUrl: string;
  let socket: WsConnection;
  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    socket = connectWs(baseUrl, t.token('DEPLOYER'));
  });
  afterAll(async () => {
    await socket.dispose();
    await t.close();
  });

  it.each(PROTECTIONS)('$name: refused over graphql-ws with its code', async ({ query, code }) => {
    const result = await overWebSocket(socket, query);
    expect(result.data ?? null).toBeNull();
    expect(JSON.stringify(result.errors)).toMatch(code);
  });

  it.each(PROTECTIONS)('$name: refused over SSE with its code', async ({ query, code }) => {
    const result = await overSse(baseUrl, t.token('DEPLOYER'), query);
    expect(result.data ?? null).toBeNull();
    expect(JSON.stringify(result.errors)).toMatch(code);
  });

  it('a query within the limits runs on both (control)', async () => {
    expect(await overWebSocket(socket, '{ viewer { email } }')).toEqual({ data: { viewer: { email: 'dana.deployer@acme.example.com' } } });
    expect(await overSse(baseUrl, t.token('DEPLOYER'), '{ viewer { email } }')).toEqual({ data: { viewer: { email: 'dana.deployer@acme.example.com' } } });
  });
});

describe('INTROSPECTION=false on graphql-ws and SSE', () => {
  let t: TestApp;
  let baseUrl: string;
  let socket: WsConnection;
  beforeAll(async () => {
    t = await createTestApp({ env: { INTROSPECTION: 'false' } });
    baseUrl = await t.listen();
    socket = connectWs(baseUrl, t.token('DEPLOYER'));
  });
  afterAll(async () => {
    await socket.dispose();
    await t.close();
  });

  for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }']) {
    it(`refuses ${query} over graphql-ws`, async () => {
      const result = await overWebSocket(socket, query);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    });
    it(`refuses ${query} over SSE`, async () => {
      const result = await overSse(baseUrl, t.token('DEPLOYER'), query);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    });
  }
});

describe('PERSISTED_OPERATIONS=require on graphql-ws and SSE', () => {
  const known = 'query SecurityPersisted { viewer { email } }';
  const hash = createHash('sha256').update(known).digest('hex');
  let t: TestApp;
  let baseUrl: string;
  let socket: WsConnection;
  beforeAll(async () => {
    const file = path.join(tempDir('backtrack-persisted-'), 'operations.json');
    fs.writeFileSync(file, JSON.stringify({ [hash]: known }));
    t = await createTestApp({ env: { PERSISTED_OPERATIONS: 'require', PERSISTED_OPERATIONS_FILE: file } });
    baseUrl = await t.listen();
    socket = connectWs(baseUrl, t.token('DEPLOYER'));
  });
  afterAll(async () => {
    await socket.dispose();
    await t.close();
  });

  it('runs a known hash and refuses arbitrary text over graphql-ws', async () => {
    expect(await overWebSocket(socket, '', { persistedQuery: { version: 1, sha256Hash: hash } })).toEqual({ data: { viewer: { email: 'dana.deployer@acme.example.com' } } });
    expect(JSON.stringify((await overWebSocket(socket, known)).errors)).toMatch(/PersistedQueryOnly|CANNOT_SEND_PQ_ID_AND_BODY/);
  });

  it('runs a known hash and refuses arbitrary text over SSE', async () => {
    expect(await overSse(baseUrl, t.token('DEPLOYER'), '', { persistedQuery: { version: 1, sha256Hash: hash } })).toEqual({
      data: { viewer: { email: 'dana.deployer@acme.example.com' } },
    });
    expect(JSON.stringify((await overSse(baseUrl, t.token('DEPLOYER'), known)).errors)).toMatch(/PersistedQueryOnly|CANNOT_SEND_PQ_ID_AND_BODY/);
  });
});

describe('WebSocket frames', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '65536' } });
    baseUrl = await t.listen();
  });
  afterAll(() => t.close());

  const send = (bytes: number) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(bytes) } })));
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
      setTimeout(() => reject(new Error('no close')), 10_000).unref();
    });

  it('closes an unauthenticated socket sending a frame over BODY_LIMIT_BYTES with 1009, before reading it whole', async () => {
    expect(await send(70_000)).toBe(1009);
  });

  it('a frame within the limit is read (and refused for its missing token, 4403)', async () => {
    expect(await send(1000)).toBe(4403);
  });
});
