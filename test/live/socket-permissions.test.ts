/**
 * Open WebSockets re-authenticate every WS_RECHECK_MS: a revoked token or changed roles close the
 * socket with 4403, so no socket keeps receiving with permissions it no longer has; sockets whose
 * permissions are unchanged stay open and keep receiving.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser, createUserToken, grantRole, revokeUserTokens } from '../../src/domain/admin';
import { createTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { SyncStatusChangedDocument } from '../kit/documents/live';
import { connectWs, PROD, subscribeWs, untilLive, type WsConnection } from './helpers';
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
