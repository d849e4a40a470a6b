/**
 * Cluster agents: scoped sync reports, the sync status an incident screen shows, agent silence,
 * rollbacks that are safe in Git but not yet synced, and deployments an agent reports DEGRADED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { createTestApp, type TestApp } from '../kit/app';
import { call, errorCode, ok } from '../kit/client';
import { SyncStatusChangedDocument, SyncStatusDocument } from '../kit/documents/live';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import {
  connectWs,
  GLOBEX_PROD,
  outsider,
  PROD,
  SAFE_IN_GIT,
  STAGING,
  subscribeWs,
  subscriberCount,
  untilSubscribers,
  type WsConnection,
} from './helpers';
import { approve, desiredLive, release, report, reportInput, requestTagRollback, tenantEnvironment, type Where } from './scenario';


/** A clock the test moves; the server reads it for report times, silence and "seconds since last seen". */
function movableClock() {
  let offsetMs = 0;
  return { now: () => new Date(Date.now() + offsetMs), advance: (seconds: number) => (offsetMs += seconds * 1000) };
}

describe('cluster agents and sync status', () => {
  let t: TestApp;
  const sockets: WsConnection[] = [];

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.dispose()));
    await t?.close();
  });

  const syncStatus = async (where: Where = PROD) => ok(await call(t, 'DEPLOYER', SyncStatusDocument, where)).tenantEnvironment!;
  const statusOf = async (where: Where, revision: string) =>
    ok(await call(t, 'DEPLOYER', TenantEnvironmentDocument, where)).tenantEnvironment!.deployments.edges.find((e) => e.node.revision === revision)!.node
      .status;

  it('accepts reports from agents for the tenant-environments they serve and refuses everyone else', async () => {
    t = await createTestApp();
    const te = await tenantEnvironment(t, PROD);
    const staging = await tenantEnvironment(t, STAGING);
    const live = await desiredLive(t, PROD, te.head);

    const before = await syncStatus();
    expect(before.syncStatus).toMatchObject({ reported: false, syncedHead: false, agentReachable: false, syncState: 'UNKNOWN', message: 'no sync report yet' });

    const reported = ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: live }))).reportSyncStatus;
    expect(reported).toMatchObject({
      reported: true,
      syncedRevision: te.head,
      headRevision: te.head,
      syncedHead: true,
      syncState: 'SYNCED',
      health: 'HEALTHY',
      agentReachable: true,
      secondsSinceLastSeen: 0,
      pendingSyncRollbacks: [],
      message: 'synced, healthy',
    });
    expect(reported.liveServices.find((s) => s.service === 'api-gateway')).toEqual({
      service: 'api-gateway',
      imageTag: 'v2.1.1-rc0',
      replicas: 3,
      values: { 'resources.limits.memory': '256Mi' },
    });

    // An agent made for acme/staging only.
    const narrow = await createAgent(t.app.backend, { projectId: te.projectId, name: 'staging-agent', tenantEnvironmentIds: [staging.id] });
    const refused = await report(t, { token: narrow.token }, reportInput(PROD, te.head));
    expect(errorCode(refused)).toBe('AGENT_OUT_OF_SCOPE');
    expect(refused.errors![0]!.extensions?.status).toBe(403);
    ok(await report(t, { token: narrow.token }, reportInput(STAGING, staging.head)));

    // Users (even admins), anonymous callers, another project's tenant-environment, unknown revisions.
    expect(errorCode(await report(t, 'ADMIN', reportInput(PROD, te.head)))).toBe('AGENT_REQUIRED');
    expect(errorCode(await report(t, 'DEPLOYER', reportInput(PROD, te.head)))).toBe('AGENT_REQUIRED');
    expect(errorCode(await report(t, null, reportInput(PROD, te.head)))).toBe('UNAUTHENTICATED');
    const other = await outsider(t);
    expect(errorCode(await report(t, 'AGENT', reportInput({ project: 'tps', tenant: 'acme', environment: 'production' }, te.head)))).toBe(
      'AGENT_OUT_OF_SCOPE',
    );
    expect(errorCode(await report(t, { token: other.token }, reportInput(PROD, te.head)))).toBe('AGENT_REQUIRED');
    expect(errorCode(await report(t, 'AGENT', reportInput(PROD, 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed')))).toBe('REVISION_NOT_FOUND');

    // Nothing refused was recorded: the status is still the AGENT's one report.
    const after = await syncStatus();
    expect(after.syncStatus).toMatchObject({ syncedRevision: te.head, health: 'HEALTHY', syncedHead: true });

    // syncStatus shows the latest report; a new release on main makes it out of date.
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { syncState: 'SYNCED', health: 'PROGRESSING', services: live })));
    expect((await syncStatus()).syncStatus).toMatchObject({ health: 'PROGRESSING', syncedHead: true });
    const next = await release(t, PROD, 'payments', 'v1.5.1');
    const stale = (await syncStatus()).syncStatus;
    expect(stale).toMatchObject({ syncedRevision: te.head, headRevision: next.revision, syncedHead: false, message: 'out of date with main' });
  });

  it('flips agentReachable after the configured silence, pushes syncStatusChanged, and flips back on the next report', async () => {
    const clock = movableClock();
    t = await createTestApp({ env: { AGENT_SILENCE_SECONDS: '1' }, now: clock.now });
    const baseUrl = await t.listen();
    const baseline = subscriberCount(t);
    const te = await tenantEnvironment(t, PROD);
    const socket = connectWs(baseUrl, t.token('DEPLOYER'));
    sockets.push(socket);
    const changes = subscribeWs(socket, SyncStatusChangedDocument, { tenantEnvironmentId: te.id });
    await untilSubscribers(t, baseline + 1);

    ok(await report(t, 'AGENT', reportInput(PROD, te.head)));
    expect((await changes.waitFor(1))[0]!.syncStatusChanged).toMatchObject({ agentReachable: true, secondsSinceLastSeen: 0 });

    clock.advance(5);
    const silent = (await changes.waitFor(2))[1]!.syncStatusChanged;
    expect(silent).toMatchObject({ agentReachable: false, message: 'agent unreachable: sync status cannot be confirmed' });
    expect(silent.secondsSinceLastSeen).toBeGreaterThanOrEqual(5);
    const status = (await syncStatus()).syncStatus;
    expect(status).toMatchObject({ reported: true, agentReachable: false, syncedRevision: te.head });
    expect(status.secondsSinceLastSeen).toBeGreaterThanOrEqual(5);

    ok(await report(t, 'AGENT', reportInput(PROD, te.head)));
    const back = (await changes.waitFor(3))[2]!.syncStatusChanged;
    expect(back).toMatchObject({ agentReachable: true, secondsSinceLastSeen: 0 });
    expect((await syncStatus()).syncStatus.agentReachable).toBe(true);

    // Silence again, with the real clock this time (AGENT_SILENCE_SECONDS=1).
    const again = (await changes.waitFor(4))[3]!.syncStatusChanged;
    expect(again.agentReachable).toBe(false);
    expect(changes.events.map((e) => e.syncStatusChanged.agentReachable)).toEqual([true, false, true, false]);
  });

  it('shows a completed rollback the agent has not synced as pending sync and safe in Git, not failed', async () => {
    const clock = movableClock();
    t = await createTestApp({ env: { AGENT_SILENCE_SECONDS: '60' }, now: clock.now });
    const te = await tenantEnvironment(t, PROD);
    ok(await report(t, 'AGENT', reportInput(PROD, te.head)));

    const request = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
    const done = ok(await approve(t, 'APPROVER', request.id)).reviewRollbackRequest;
    expect(done.state).toBe('COMPLETED');

    const pending = (await syncStatus()).syncStatus;
    expect(pending).toMatchObject({ agentReachable: true, syncedHead: false, headRevision: done.resultRevision, pendingSyncRollbacks: [request.id] });
    expect(pending.message).toContain('The rollback is safe in Git');
    expect(await statusOf(PROD, done.resultRevision!)).toBe('SUCCESS');

    // The agent goes silent: the spec's "Agent unreachable" row.
    clock.advance(120);
    const unreachable = (await syncStatus()).syncStatus;
    expect(unreachable).toMatchObject({ agentReachable: false, pendingSyncRollbacks: [request.id] });
    expect(unreachable.message).toContain(SAFE_IN_GIT);
    expect(unreachable.message).not.toMatch(/fail/i);
    expect(await statusOf(PROD, done.resultRevision!)).toBe('SUCCESS');

    // It reconnects and syncs the rollback commit.
    ok(await report(t, 'AGENT', reportInput(PROD, done.resultRevision!)));
    expect((await syncStatus()).syncStatus).toMatchObject({ agentReachable: true, syncedHead: true, pendingSyncRollbacks: [], message: 'synced, healthy' });

    // A later commit elsewhere on main that includes the rollback counts as synced too.
    const later = await release(t, GLOBEX_PROD, 'search', 'v0.9.5');
    ok(await report(t, 'AGENT', reportInput(PROD, later.revision)));
    expect((await syncStatus()).syncStatus).toMatchObject({ pendingSyncRollbacks: [], syncedHead: true });
  });

  it('shows a rollback completed before any agent ever reported as pending sync, safe in Git', async () => {
    t = await createTestApp();
    const staging = await tenantEnvironment(t, STAGING);
    const done = await requestTagRollback(t, 'DEPLOYER', staging.tagTarget, STAGING);
    expect(done.state).toBe('COMPLETED');
    const status = (await syncStatus(STAGING)).syncStatus;
    expect(status).toMatchObject({ reported: false, agentReachable: false, pendingSyncRollbacks: [done.id] });
    expect(status.message).toContain(SAFE_IN_GIT);
  });

  it('marks the deployment FAILED when the agent reports DEGRADED for its revision', async () => {
    t = await createTestApp();
    const te = await tenantEnvironment(t, PROD);
    expect(te.latest).toBe(te.head);
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { health: 'DEGRADED' })));
    expect(await statusOf(PROD, te.latest)).toBe('FAILED');
    expect(await statusOf(PROD, te.previous)).toBe('SUCCESS');

    // The agent reports the revision of main it synced, here a later commit that only touched globex:
    // the acme/staging deployment running at that revision is the one that failed.
    const staging = await tenantEnvironment(t, STAGING);
    const elsewhere = await release(t, { ...STAGING, tenant: 'globex' }, 'search', 'v0.9.5');
    ok(await report(t, 'AGENT', reportInput(STAGING, elsewhere.revision, { health: 'DEGRADED' })));
    expect(await statusOf(STAGING, staging.latest)).toBe('FAILED');
    expect(await statusOf(STAGING, staging.previous)).toBe('SUCCESS');
    expect(await statusOf({ ...STAGING, tenant: 'globex' }, elsewhere.revision)).toBe('SUCCESS');

    // HEALTHY and PROGRESSING reports change no deployment.
    const fresh = await release(t, STAGING, 'payments', 'v1.6.0');
    ok(await report(t, 'AGENT', reportInput(STAGING, fresh.revision, { health: 'PROGRESSING' })));
    ok(await report(t, 'AGENT', reportInput(STAGING, fresh.revision)));
    expect(await statusOf(STAGING, fresh.revision)).toBe('SUCCESS');
  });
});
