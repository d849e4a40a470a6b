/**
 * Failed authentications are logged (without the token) and limited per client address, with a
 * clear code and Retry-After; X-Forwarded-For counts only when TRUST_PROXY says a proxy sets it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { capturingLogger } from '../kit/logs';
import { issueToken } from '../../src/domain/auth';
import { connectWs } from '../live/helpers';

const LIMIT = 5;

async function withApp(env: Record<string, string>) {
  const capture = capturingLogger();
  const t = await createTestApp({ logger: capture.logger, env: { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: '60', ...env } });
  const base = await t.listen();
  const viewer = async (token: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ query: '{ viewer { email } }' }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> } };
  };
  return { t, base, capture, viewer };
}

describe('failed authentications', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('are logged without the token, and after the limit the address is refused with 429 and Retry-After, good token or not', async () => {
    const app = await withApp({});
    t = app.t;
    const guess = (i: number) => `btu_guessed-token-number-${i}-xxxxxxxxxxxxxxxx`;
    for (let i = 0; i < LIMIT; i++) {
      const answer = await app.viewer(guess(i));
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const refused = await app.viewer(guess(99));
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_FAILED_AUTHENTICATIONS');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await app.viewer(app.t.token('DEPLOYER'))).status).toBe(429);
    // graphql-ws from the same address is refused too.
    const socket = connectWs(app.base, app.t.token('DEPLOYER'));
    expect((await socket.closed).code).toBe(4429);

    const logged = app.capture.lines.filter((line) => line.msg === 'authentication failed: unknown, revoked or expired token');
    expect(logged).toHaveLength(LIMIT);
    expect(logged[0]).toMatchObject({ clientAddress: '127.0.0.1', transport: 'http', level: 40 });
    const everything = JSON.stringify(app.capture.lines);
    for (let i = 0; i <= 99; i++) expect(everything).not.toContain(guess(i));
  });

  it('X-Forwarded-For is ignored without TRUST_PROXY: it cannot dodge the limit', async () => {
    const app = await withApp({});
    t = app.t;
    for (let i = 0; i < LIMIT; i++) await app.viewer('btu_wrong', { 'x-forwarded-for': `10.0.0.${i}` });
    expect((await app.viewer('btu_wrong', { 'x-forwarded-for': '10.0.0.200' })).status).toBe(429);
  });

  it('with TRUST_PROXY the limit is per forwarded client address', async () => {
    const app = await withApp({ TRUST_PROXY: 'true' });
    t = app.t;
    for (let i = 0; i < LIMIT; i++) await app.viewer('btu_wrong', { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    expect((await app.viewer(app.t.token('DEPLOYER'), { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    const other = await app.viewer(app.t.token('DEPLOYER'), { 'x-forwarded-for': '198.51.100.9' });
    expect(other.status).toBe(200);
    expect(other.body.errors).toBeUndefined();
    expect(app.capture.lines.find((line) => line.msg?.toString().startsWith('authentication failed'))).toMatchObject({ clientAddress: '203.0.113.7' });
  });

  it('a missing token is not a failed authentication (anonymous introspection stays possible)', async () => {
    const app = await withApp({});
    t = app.t;
    for (let i = 0; i < LIMIT + 2; i++) {
      const response = await fetch(`${app.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(response.status).toBe(200);
    }
  });

  it('a refusal is UNAUTHENTICATED with a reason telling a missing and an unknown token apart; an expired one is TOKEN_EXPIRED', async () => {
    const app = await withApp({});
    t = app.t;
    const viewer = (await app.t.app.backend.stores.users.byEmail(app.t.credentials.users[0]!.email))!;
    const expiredToken = await app.t.app.backend.transact(({ stores }) =>
      issueToken(stores, { userId: viewer.id }, 'expired', new Date(Date.now() - 1000)),
    );
    const ask = async (authorization?: string) => {
      const response = await fetch(`${app.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: '{ viewer { email } }' }),
      });
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string; reason: string } }> };
      return body.errors[0]!;
    };
    expect(await ask()).toMatchObject({ message: 'a bearer token is required', extensions: { code: 'UNAUTHENTICATED', reason: 'MISSING' } });
    expect(await ask('Bearer btu_never-issued-xxxxxxxxxxxxxxxx')).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'UNKNOWN_OR_REVOKED' } });
    expect(await ask(`Bearer ${expiredToken.token}`)).toMatchObject({
      message: expect.stringContaining('the bearer token has expired'),
      extensions: { code: 'TOKEN_EXPIRED', reason: 'EXPIRED' },
    });
  });
});
