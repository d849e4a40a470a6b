/**
 * Request body size limit on the real socket (413 BODY_TOO_LARGE one byte over, pass one byte
 * under), and persisted operations: `require` runs only known hashes, `allow` runs both.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { codes, post } from './helpers';

const LIMIT = 2048;

/** A POST body of exactly `size` bytes: a valid request padded with JSON whitespace. */
function bodyOfSize(size: number): string {
  const json = JSON.stringify({ query: '{ __typename }' });
  expect(size).toBeGreaterThanOrEqual(json.length);
  return json + ' '.repeat(size - json.length);
}

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Sends a POST over a real socket, with Content-Length or chunked (no length announced). */
function send(base: string, token: string, body: string, mode: 'content-length' | 'chunked'): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const url = new URL('/graphql', base);
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(mode === 'content-length' ? { 'content-length': Buffer.byteLength(body) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
      },
    );
    // The server may answer 413 and close before reading everything: that is not a client failure.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (mode === 'chunked') {
      // Several chunks, so the size is only known by counting.
      for (let i = 0; i < body.length; i += 500) request.write(body.slice(i, i + 500));
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe(`request body limit (BODY_LIMIT_BYTES=${LIMIT})`, () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(LIMIT) } });
    base = await t.listen();
  });
  afterAll(() => t.close());

  for (const mode of ['content-length', 'chunked'] as const) {
    it(`${mode}: one byte over is refused with 413 BODY_TOO_LARGE`, async () => {
      const response = await send(base, t.token('DEPLOYER'), bodyOfSize(LIMIT + 1), mode);
      expect(response.status, response.text).toBe(413);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      const body = JSON.parse(response.text) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]!.extensions.code).toBe('BODY_TOO_LARGE');
      expect(body.errors[0]!.message).toContain(String(LIMIT));
    });

    it(`${mode}: one byte under passes`, async () => {
      const response = await send(base, t.token('DEPLOYER'), bodyOfSize(LIMIT - 1), mode);
      expect(response.status, response.text).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ data: { __typename: 'Query' } });
    });

    it(`${mode}: exactly the limit passes`, async () => {
      const response = await send(base, t.token('DEPLOYER'), bodyOfSize(LIMIT), mode);
      expect(response.status, response.text).toBe(200);
    });
  }

  it('the server keeps serving after refusing a large body', async () => {
    await send(base, t.token('DEPLOYER'), bodyOfSize(LIMIT * 50), 'chunked');
    const response = await send(base, t.token('DEPLOYER'), bodyOfSize(100), 'content-length');
    expect(response.status).toBe(200);
  });
});

const PERSISTED = 'query HardeningPersisted { viewer { email } }';
const PERSISTED_HASH = createHash('sha256').update(PERSISTED).digest('hex');
const SECOND = 'query HardeningPersistedTypename { __typename }';
const SECOND_HASH = createHash('sha256').update(SECOND).digest('hex');
const ARBITRARY = 'query HardeningArbitrary { viewer { id } }';

function persistedBody(hash: string) {
  return { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
}

function writeStore(): string {
  const file = path.join(tempDir('backtrack-persisted-'), 'operations.json');
  fs.writeFileSync(file, JSON.stringify({ [PERSISTED_HASH]: PERSISTED, [SECOND_HASH]: SECOND }));
  return file;
}

/** Subscribes over graphql-ws with a raw socket and returns the first answer to the operation. */
function overWebSocket(base: string, token: string, payload: Record<string, unknown>): Promise<{ type: string; payload?: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no answer over graphql-ws')), 10_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
      else if (message.id === '1' && (message.type === 'next' || message.type === 'error')) {
        clearTimeout(timer);
        socket.close(1000);
        resolve(message);
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`socket closed with ${code} before an answer`));
    });
    socket.on('error', reject);
  });
}

describe('persisted operations: require', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { PERSISTED_OPERATIONS: 'require', PERSISTED_OPERATIONS_FILE: writeStore() } });
    base = await t.listen();
  });
  afterAll(() => t.close());

  it('refuses an arbitrary query', async () => {
    const response = await post(t, 'DEPLOYER', { query: ARBITRARY });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.message).toBe('PersistedQueryOnly');
    expect(codes(response)).toEqual(['CANNOT_SEND_PQ_ID_AND_BODY']);
  });

  it('refuses an arbitrary query even when it is the text of a persisted one', async () => {
    const response = await post(t, 'DEPLOYER', { query: PERSISTED });
    expect(response.body.errors?.[0]?.message).toBe('PersistedQueryOnly');
  });

  it('runs a known hash', async () => {
    const response = await post(t, 'DEPLOYER', persistedBody(PERSISTED_HASH));
    expect(response.body.errors, response.text).toBeUndefined();
    expect(response.body.data).toEqual({ viewer: { email: 'dana.deployer@acme.example.com' } });
  });

  it('refuses an unknown hash', async () => {
    const response = await post(t, 'DEPLOYER', persistedBody('0'.repeat(64)));
    expect(response.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect(codes(response)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  it('refuses an arbitrary operation over graphql-ws too (the socket stays open)', async () => {
    const answer = await overWebSocket(base, t.token('DEPLOYER'), { query: ARBITRARY });
    expect(answer, JSON.stringify(answer)).toEqual({
      id: '1',
      type: 'next',
      payload: { errors: [{ message: 'PersistedQueryOnly', extensions: { code: 'CANNOT_SEND_PQ_ID_AND_BODY' } }] },
    });
  });

  it('refuses an arbitrary subscription over graphql-ws', async () => {
    const answer = await overWebSocket(base, t.token('DEPLOYER'), { query: 'subscription { rollbackRequestUpdated { change } }' });
    expect(JSON.stringify(answer)).toMatch(/PersistedQueryOnly/);
    expect(JSON.stringify(answer)).not.toMatch(/rollbackRequestUpdated/);
  });

  it('refuses an unknown hash over graphql-ws', async () => {
    const answer = await overWebSocket(base, t.token('DEPLOYER'), { query: '', ...persistedBody('f'.repeat(64)) });
    expect(JSON.stringify(answer)).toMatch(/PersistedQueryNotFound/);
  });

  it('runs known hashes over graphql-ws, each its own operation', async () => {
    for (let round = 0; round < 2; round++) {
      const first = await overWebSocket(base, t.token('DEPLOYER'), { query: '', ...persistedBody(PERSISTED_HASH) });
      expect(first, JSON.stringify(first)).toEqual({ id: '1', type: 'next', payload: { data: { viewer: { email: 'dana.deployer@acme.example.com' } } } });
      const second = await overWebSocket(base, t.token('DEPLOYER'), { query: '', ...persistedBody(SECOND_HASH) });
      expect(second, JSON.stringify(second)).toEqual({ id: '1', type: 'next', payload: { data: { __typename: 'Query' } } });
    }
  });
});

describe('persisted operations: allow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PERSISTED_OPERATIONS: 'allow', PERSISTED_OPERATIONS_FILE: writeStore() } });
  });
  afterAll(() => t.close());

  it('runs an arbitrary query', async () => {
    const response = await post(t, 'DEPLOYER', { query: ARBITRARY });
    expect(response.body.errors, response.text).toBeUndefined();
    expect(response.body.data).toEqual({ viewer: { id: expect.any(String) } });
  });

  it('runs a known hash', async () => {
    const response = await post(t, 'DEPLOYER', persistedBody(PERSISTED_HASH));
    expect(response.body.errors, response.text).toBeUndefined();
    expect(response.body.data).toEqual({ viewer: { email: 'dana.deployer@acme.example.com' } });
  });
});

describe('persisted operations: off (default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs an arbitrary query', async () => {
    const response = await post(t, 'DEPLOYER', { query: ARBITRARY });
    expect(response.body.errors, response.text).toBeUndefined();
  });
});
