/**
 * The weaker HTTP items of issue 11: cross-site request forgery (forms, multipart, text/plain and
 * application/graphql cannot run operations), CORS only for configured origins, and /metrics
 * labelled by route, not by the client's Host header.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { git } from '../kit/git-cli';

const mutation = 'mutation { deployRelease(input: { project: "shop", tenant: "acme", environment: "staging", services: [{ service: "checkout", setFields: [{ path: "replicas", value: 9 }] }] }) { revision } }';

/** A raw request over a real socket, so the Host header is whatever the client says. */
function raw(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('cross-site requests', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
    url = `${await t.listen()}/graphql`;
  });
  afterAll(() => t.close());

  it.each([
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent(mutation)}`],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: mutation })}\r\n--x--\r\n`],
    ['text/plain', JSON.stringify({ query: mutation })],
  ])('a %s POST (what a form on another site can send) runs nothing', async (contentType, body) => {
    const head = git(t.repoDir, ['rev-parse', 'main']);
    const response = await raw(url, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${t.token('DEPLOYER')}` }, body });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/CSRF/);
    expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(head);
  });

  it('an application/graphql POST (the bare query as its body) runs nothing without the CSRF header', async () => {
    const head = git(t.repoDir, ['rev-parse', 'main']);
    const post = (headers: Record<string, string>) =>
      raw(url, { method: 'POST', headers: { authorization: `Bearer ${t.token('DEPLOYER')}`, ...headers }, body: mutation });
    for (const contentType of ['application/graphql', 'application/graphql; charset=utf-8', 'Application/GraphQL']) {
      const response = await post({ 'content-type': contentType });
      expect(response.status, contentType).toBe(403);
      expect(response.body).toMatch(/CSRF/);
    }
    expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(head);
    // A client that sends the header (no browser can, cross-site, without a preflight) may use the format.
    const allowed = await post({ 'content-type': 'application/graphql', 'x-graphql-yoga-csrf': '1' });
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body).data.deployRelease.revision).toBe(git(t.repoDir, ['rev-parse', 'main']));
  });

  it('sends no CORS headers to other origins by default (no reflection, no credentials)', async () => {
    const preflight = await raw(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const response = await raw(url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://dashboard.example.com, https://oncall.example.com' } });
    url = `${await t.listen()}/graphql`;
  });
  afterAll(() => t.close());

  it('allows exactly the configured origins', async () => {
    const preflight = (origin: string) =>
      raw(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });
    const allowed = await preflight('https://dashboard.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.example.com');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect((await preflight('https://oncall.example.com')).headers['access-control-allow-origin']).toBe('https://oncall.example.com');
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).not.toBe('https://evil.example');
  });

  it('refuses a malformed CORS_ORIGINS at start with one line naming it', async () => {
    const { loadConfig } = await import('../../src/config');
    expect(() => loadConfig({ CORS_ORIGINS: 'dashboard.example.com' })).toThrow(/CORS_ORIGINS must be a comma-separated list of origins/);
  });
});

describe('/metrics', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    base = await t.listen();
  });
  afterAll(() => t.close());

  it('labels request series by route: a client-chosen Host header adds no series', async () => {
    for (const host of ['a-1.attacker.example', 'a-2.attacker.example', 'a-3.attacker.example']) {
      const response = await raw(`${base}/graphql`, {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', authorization: `Bearer ${t.token('DEPLOYER')}` },
        body: '{"query":"query M { viewer { id } }"}',
      });
      expect(response.status).toBe(200);
    }
    const metrics = (await raw(`${base}/metrics`, { method: 'GET', headers: {} })).body;
    expect(metrics).not.toMatch(/attacker\.example/);
    expect(metrics).toMatch(/graphql_yoga_http_duration_count\{[^}]*route="\/graphql"[^}]*\}/);
  });
});
