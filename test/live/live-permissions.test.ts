/**
 * Open WebSockets and SSE streams re-authenticate every WS_RECHECK_MS: a revoked token or changed
 * roles close the socket with 4403 (or end the stream with FORBIDDEN), so nothing keeps receiving
 * with permissions it no longer has; the others stay open and keep receiving. Shutdown ends streams.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser, createUserToken, grantRole, revokeUserTokens } from '../../src/domain/admin';
import { createTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { SyncStatusChangedDocument } from '../kit/documents/live';
import { connectWs, PROD, subscribeSse, subscribeWs, until, untilLive, type WsConnection } from './helpers';
import { report, reportInput, tenantEnvironment } from './scenario';

describe('WebSocket permission re-checks', () => {
  let t: TestApp;
  let baseUrl: string;
  const sockets: WsConnection[] = [];

  beforeEach(async () => {
    t = await createTestApp({ env: { WS_RECHECK_MS: '200' } });
    baseUrl = await t.listen();
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.dispose()));
    await t.close();
  });

  const viewer = async (email: string) => {
    const te = await tenantEnvironment(t, PROD);
    const userId = await createUser(t.app.backend, { email, name: email });
    await grantRole(t.app.backend, { userId, projectId: te.projectId, role: 'VIEWER' });
    return { userId, projectId: te.projectId, token: (await createUserToken(t.app.backend, userId, 'dashboard')).token };
  };

  const watch = async (token: string) => {
    const connection = connectWs(baseUrl, token);
    sockets.push(connection);
    await connection.connected;
    const stream = subscribeWs(connection, SyncStatusChangedDocument, { tenantEnvironmentId: (await tenantEnvironment(t, PROD)).id });
    return { connection, stream };
  };

  const sendReport = async () => ok(await report(t, 'AGENT', reportInput(PROD, (await tenantEnvironment(t, PROD)).head)));

  it('closes the sockets of a revoked token with 4403 and keeps the others receiving', async () => {
    const revoked = await viewer('revoked@acme.example.com');
    const kept = await viewer('kept@acme.example.com');
    const gone = await watch(revoked.token);
    const stays = await watch(kept.token);
    await untilLive([gone.stream, stays.stream], sendReport);

    expect(await revokeUserTokens(t.app.backend, revoked.userId)).toBe(1);
    expect(await gone.connection.closed).toEqual({ code: 4403, reason: 'Forbidden: the token no longer authenticates' });

    const before = stays.stream.events.length;
    await sendReport();
    await stays.stream.waitFor(before + 1);
    const afterClose = gone.stream.events.length;
    await sendReport();
    await stays.stream.waitFor(before + 2);
    expect(gone.stream.events.length).toBe(afterClose);
  });

  it('closes a socket whose roles changed with 4403; reconnecting gets the new permissions', async () => {
    const promoted = await viewer('promoted@acme.example.com');
    const first = await watch(promoted.token);
    await untilLive([first.stream], sendReport);

    await grantRole(t.app.backend, { userId: promoted.userId, projectId: promoted.projectId, role: 'DEPLOYER' });
    expect(await first.connection.closed).toEqual({ code: 4403, reason: 'Forbidden: permissions changed, reconnect' });

    const again = await watch(promoted.token);
    await untilLive([again.stream], sendReport);
    expect(again.stream.events.at(-1)?.syncStatusChanged.agentReachable).toBe(true);
  });
});

describe('SSE stream permission re-checks and shutdown', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeEach(async () => {
    t = await createTestApp({ env: { WS_RECHECK_MS: '200', SHUTDOWN_TIMEOUT_MS: '5000' } });
    baseUrl = await t.listen();
  });
  afterEach(() => t.close());

  const viewerToken = async (email: string) => {
    const te = await tenantEnvironment(t, PROD);
    const userId = await createUser(t.app.backend, { email, name: email });
    await grantRole(t.app.backend, { userId, projectId: te.projectId, role: 'VIEWER' });
    return { userId, projectId: te.projectId, token: (await createUserToken(t.app.backend, userId, 'dashboard')).token };
  };
  const sendReport = async () => ok(await report(t, 'AGENT', reportInput(PROD, (await tenantEnvironment(t, PROD)).head)));
  const sse = async (token: string) => subscribeSse(baseUrl, token, SyncStatusChangedDocument, { tenantEnvironmentId: (await tenantEnvironment(t, PROD)).id });

  it('ends the SSE stream of a revoked token with FORBIDDEN, and keeps the others streaming', async () => {
    const revoked = await viewerToken('sse-revoked@acme.example.com');
    const kept = await viewerToken('sse-kept@acme.example.com');
    const gone = await sse(revoked.token);
    const stays = await sse(kept.token);
    await untilLive([gone, stays], sendReport);

    expect(await revokeUserTokens(t.app.backend, revoked.userId)).toBe(1);
    await until(() => gone.completed, 'the revoked SSE stream to end');
    expect(JSON.stringify(gone.errors)).toMatch(/"code":"FORBIDDEN"/);
    expect(JSON.stringify(gone.errors)).toMatch(/the token no longer authenticates/);

    const seen = gone.events.length;
    const before = stays.events.length;
    await sendReport();
    await stays.waitFor(before + 1);
    expect(gone.events.length).toBe(seen);
  });

  it('ends the SSE stream of a user whose roles changed', async () => {
    const promoted = await viewerToken('sse-promoted@acme.example.com');
    const stream = await sse(promoted.token);
    await untilLive([stream], sendReport);
    await grantRole(t.app.backend, { userId: promoted.userId, projectId: promoted.projectId, role: 'DEPLOYER' });
    await until(() => stream.completed, 'the SSE stream to end');
    expect(JSON.stringify(stream.errors)).toMatch(/permissions changed/);
  });

  it('SIGTERM with an SSE stream open: the stream ends at once with SHUTTING_DOWN and the drain does not time out', async () => {
    const stream = await sse(t.token('DEPLOYER'));
    await untilLive([stream], sendReport);
    const started = Date.now();
    expect(await t.app.stop()).toEqual({ timedOut: false });
    expect(Date.now() - started).toBeLessThan(3000);
    await until(() => stream.completed, 'the SSE stream to end');
    expect(JSON.stringify(stream.errors)).toMatch(/"code":"SHUTTING_DOWN"/);
  });
});
