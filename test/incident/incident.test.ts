/**
 * The incident screen in headless chromium against a spawned server, nothing reachable but
 * 127.0.0.1: the demo incident from "what is running" to "rolled back and synced" in two browser
 * contexts (deployer and approver), then a server restart the page survives, and a phone width.
 * Screenshots of each step go to test/incident/screenshots (git-ignored).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, openLocalBrowser, type LocalBrowser } from '../graphiql/browser';
import { killAllSpawned, spawnServer, type ServerProcess } from '../hardening/helpers';
import { tempDir } from '../kit/app';
import { RequestReleaseDocument } from '../kit/documents/approvals';
import { ReportSyncStatusDocument } from '../kit/documents/live';
import { tagEdit } from '../live/helpers';
import { createIncidentScreen } from '../../src/server/incident';
import { childEnv } from '../kit/child-env';
import { ROOT } from '../hardening/helpers';
import { graphqlCall, screenshots, signIn, TOKEN_KEY, untilText, webBuilt } from './helpers';

const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
const missing = browserMissing();
const runs = missing === null || process.env.CI === 'true';

let server: ServerProcess;
let baseUrl: string;
let dataDir: string;

beforeAll(async () => {
  await webBuilt();
  dataDir = tempDir('backtrack-incident-');
  server = await spawnServer(dataDir, { LOG_LEVEL: 'warn' });
  baseUrl = `http://127.0.0.1:${server.port}`;
}, 120_000);

afterAll(async () => {
  await killAllSpawned();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the incident screen as served', () => {
  test('is linked from /, and its page and assets come from this server with a same-origin policy', async () => {
    const landing = await fetch(`${baseUrl}/`);
    expect(landing.status).toBe(200);
    const landingHtml = await landing.text();
    expect(landingHtml).toContain('href="/incident"');
    // Nothing inline for the policy to refuse: no style or script in the page itself.
    expect(landingHtml).not.toMatch(/<script|<style|\sstyle=/);

    const page = await fetch(`${baseUrl}/incident`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.filter((url) => !url.startsWith('/incident/assets/') && !url.startsWith('data:'))).toEqual([]);
    for (const url of urls.filter((u) => u.startsWith('/incident/assets/'))) {
      const asset = await fetch(`${baseUrl}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      // No CDN and no absolute URL to load from in the bundle (the GraphQL endpoint is derived from location).
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[\w/-]*\.(js|css|woff2?)/i);
    }
    expect((await fetch(`${baseUrl}/incident/assets/build.json`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/incident/assets/..%2Fbuild.json`)).status).toBe(404);
  });

  test('answers 503 with the build command when the bundle was never built', async () => {
    const empty = tempDir('backtrack-no-web-');
    const screen = createIncidentScreen({ graphiql: false, webDir: empty });
    const plain = http.createServer((req, res) => screen.handle(req, res, new URL(req.url!, 'http://x').pathname));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/incident`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('scripts/build-web.ts');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!runs)('the incident screen in a browser, offline', () => {
  test('drives the demo incident in two contexts, survives a server restart, and reads on a phone', { timeout: 240_000 }, async () => {
    if (missing) throw new Error(missing);
    const shot = screenshots('incident');
    // The on-call responder who deploys and requests is Blake (APPROVER: deploys too, and may review others' requests
    // but not their own); Alex approves. Dana (DEPLOYER) checks a phone width at the end.
    const responder = server.tokens.users.find((u) => u.email.startsWith('blake.'))!;
    const deployerToken = responder.token;
    const approverToken = server.tokens.users.find((u) => u.email.startsWith('alex.'))!.token;
    const browsers: LocalBrowser[] = [];
    try {
      const deployer = await openLocalBrowser();
      browsers.push(deployer);
      const approver = await openLocalBrowser();
      browsers.push(approver);
      const d = deployer.page;
      const a = approver.page;
      await d.setViewportSize({ width: 1280, height: 800 });
      await a.setViewportSize({ width: 1280, height: 800 });

      // Sign-in: the token stays in sessionStorage, never in the URL or in localStorage.
      await signIn(d, baseUrl, deployerToken, 'Blake');
      expect(await d.getByTestId('viewer').innerText()).toContain('APPROVER in shop');
      expect(await d.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBe(deployerToken);
      expect(await d.evaluate(() => localStorage.length)).toBe(0);
      expect(d.url()).not.toContain(deployerToken);
      expect(d.url()).toMatch(/#\/shop\/acme\/production$/);
      await signIn(a, baseUrl, approverToken, 'Alex');
      expect(await a.getByTestId('viewer').innerText()).toContain('APPROVER in shop');
      // The agent has not reported yet: the header says so.
      expect(await d.getByTestId('sync-state').innerText()).toBe('Out of sync');
      expect(await d.getByTestId('agent').innerText()).toMatch(/Unreachable/);
      // A marker in the document: gone if the page ever reloads.
      await d.evaluate(() => ((window as unknown as { incidentMarker: boolean }).incidentMarker = true));
      await shot(d, 'deployer-signed-in');

      // The bad release is the newest row; the row before it is the last good state.
      const rows = d.getByTestId('history').locator('tbody tr[data-revision]');
      await expect.poll(() => rows.first().innerText()).toContain('api-gateway: image.tag v2.1.0 → v2.1.1-rc0');
      const good = (await rows.nth(1).getAttribute('data-revision'))!;
      const goodShort = good.slice(0, 7);

      // Compare with current: per service and per field, readable.
      await d.getByRole('button', { name: `Compare ${goodShort} with current` }).click();
      const compare = d.getByTestId('compare');
      await untilText(() => compare.innerText(), /api-gateway[\s\S]*image\.tag[\s\S]*v2\.1\.0[\s\S]*v2\.1\.1-rc0/);
      await shot(d, 'compare-with-current');

      // Roll back to it: the wizard, opened from the keyboard, FIELD scope on image.tag.
      await d.getByRole('button', { name: `Roll back to ${goodShort}` }).focus();
      await d.keyboard.press('Enter');
      const wizard = d.getByTestId('wizard');
      await expect.poll(() => d.evaluate(() => document.activeElement?.id)).toBe('wizard-title');
      await untilText(() => wizard.innerText(), /FULL[\s\S]*blast radius: High[\s\S]*SERVICE[\s\S]*FIELD[\s\S]*blast radius: Minimal/);
      await wizard.getByRole('radio', { name: /FIELD/ }).check();
      await wizard.getByRole('combobox', { name: 'Service to roll back' }).selectOption('api-gateway');
      await wizard.getByRole('checkbox', { name: /image\.tag/ }).check();
      await wizard.getByRole('button', { name: 'Preview' }).click();
      const preview = d.getByTestId('preview');
      await untilText(() => preview.innerText(), /Impact: 1 service\(s\)[\s\S]*api-gateway[\s\S]*image\.tag[\s\S]*v2\.1\.1-rc0[\s\S]*v2\.1\.0/);
      await shot(d, 'field-rollback-preview');
      await wizard.getByLabel('Justification (required)').fill('Bad image tag v2.1.1-rc0 causing 500 errors');
      await wizard.getByRole('button', { name: 'Submit rollback request' }).click();

      // The request appears on the deployer's page, PENDING, with its timeline.
      const newest = d.getByTestId('requests').locator('article[data-request-id]').first();
      await untilText(() => newest.innerText(), /PENDING[\s\S]*Created/);
      const requestId = (await newest.getAttribute('data-request-id'))!;
      expect(requestId).toMatch(/^rbk-/);
      // Pinned to this request: a newer one (the release below) tops the list later.
      const card = d.getByTestId('requests').locator(`article[data-request-id="${requestId}"]`);
      await shot(d, 'request-pending');

      // The approver's inbox shows it live (the page was open before it existed).
      const inboxItem = a.getByTestId('inbox').locator(`[data-request-id="${requestId}"]`);
      await untilText(() => inboxItem.innerText(), 'Bad image tag v2.1.1-rc0 causing 500 errors');
      await shot(a, 'approver-inbox');

      // Self-approval by the requester: the spec's 403 message.
      await card.getByRole('button', { name: 'Approve' }).click();
      await untilText(() => card.getByTestId('review-error').innerText(), 'cannot approve/reject your own rollback request');
      await shot(d, 'self-approval-refused');

      // The approver approves from the inbox.
      await inboxItem.getByLabel('Comment').fill('Confirmed with the error budget dashboard');
      await inboxItem.getByRole('button', { name: 'Approve' }).click();
      await untilText(() => a.getByTestId('inbox').innerText(), 'Nothing waits on your review.');
      await shot(a, 'approver-approved');

      // The deployer's page: the timeline reaches COMPLETED, a ROLLBACK row tops the history, without a reload.
      await untilText(() => card.getByTestId('request-state').innerText(), 'COMPLETED', 30_000);
      const timeline = await card.innerText();
      expect(timeline).toMatch(/Created[\s\S]*Reviewed: approved[\s\S]*Alex[\s\S]*Approved[\s\S]*Executing[\s\S]*Completed/);
      const resultShort = await card.getByTestId('result-revision').innerText();
      await untilText(() => rows.first().innerText(), /ROLLBACK/);
      expect(await rows.first().innerText()).toContain(resultShort);
      expect(await d.evaluate(() => (window as unknown as { incidentMarker?: boolean }).incidentMarker)).toBe(true);
      await shot(d, 'rollback-completed');

      // Committed, not yet synced: the header says it is safe in Git.
      await untilText(() => d.getByTestId('pending-sync').innerText(), `(${requestId}): safe in Git; sync will occur when the agent reconnects`);

      // The agent reports the rolled-back revision: the header flips to synced.
      const result = (await rows.first().getAttribute('data-revision'))!;
      await graphqlCall(baseUrl, server.tokens.agent.token, ReportSyncStatusDocument, {
        input: { ...PROD, revision: result, syncState: 'SYNCED', health: 'HEALTHY', services: [{ service: 'api-gateway', imageTag: 'v2.1.0' }] },
      });
      await untilText(() => d.getByTestId('sync-state').innerText(), 'Synced');
      await expect.poll(() => d.getByTestId('pending-sync').count()).toBe(0);
      await untilText(() => d.getByTestId('agent').innerText(), /Reachable/);
      expect(await d.getByTestId('synced-revision').innerText()).toBe(resultShort);
      expect(await d.getByTestId('health').innerText()).toBe('HEALTHY');
      await shot(d, 'synced');

      // A server restart mid-session: the same port and data directory.
      const port = server.port;
      await server.kill();
      await untilText(() => d.getByTestId('connection').innerText(), 'Connection lost');
      await shot(d, 'server-down');
      server = await spawnServer(dataDir, { LOG_LEVEL: 'warn', PORT: String(port) });
      // A release made while the page's socket is still reconnecting: the page refetches what it missed.
      // Production requires approval: Blake requests the release, Alex approves it from his inbox once both pages are back.
      const releaseRequest = await graphqlCall(baseUrl, deployerToken, RequestReleaseDocument, {
        input: { ...PROD, description: 'catalog v5.1.1', services: [tagEdit('catalog', 'v5.1.1')] },
      });
      const releaseId = releaseRequest.requestRelease.id;
      expect(releaseRequest.requestRelease.state).toBe('PENDING');
      await expect.poll(() => d.getByTestId('connection').count(), { timeout: 30_000 }).toBe(0);
      await expect.poll(() => a.getByTestId('connection').count(), { timeout: 30_000 }).toBe(0);
      const releaseItem = a.getByTestId('inbox').locator(`[data-request-id="${releaseId}"]`);
      await untilText(() => releaseItem.innerText(), /Release of catalog[\s\S]*Blake[\s\S]*catalog v5\.1\.1/);
      const releaseCard = d.getByTestId('requests').locator(`article[data-request-id="${releaseId}"]`);
      await untilText(() => releaseCard.innerText(), /PENDING[\s\S]*Created/);
      await releaseItem.getByRole('button', { name: 'Approve' }).click();
      await expect.poll(() => releaseItem.count(), { timeout: 15_000 }).toBe(0);
      // The deployer's card follows it live to its commit; a release takes no notes.
      await untilText(() => releaseCard.getByTestId('request-state').innerText(), 'COMPLETED', 30_000);
      expect(await releaseCard.innerText()).toMatch(/Created[\s\S]*Reviewed: approved[\s\S]*Alex[\s\S]*Approved[\s\S]*Completed/);
      expect(await releaseCard.getByLabel('Add a note').count()).toBe(0);
      await shot(d, 'release-completed');
      await untilText(() => rows.first().innerText(), 'catalog: image.tag v5.1.0 → v5.1.1');
      // Live again after the restart: a note added after the fact reaches the approver's page.
      await card.getByLabel('Add a note').fill('Root cause: rc tag promoted by mistake');
      await card.getByRole('button', { name: 'Add note' }).click();
      const approverCard = a.getByTestId('requests').locator(`article[data-request-id="${requestId}"]`);
      await untilText(() => approverCard.innerText(), 'Root cause: rc tag promoted by mistake');
      expect(await d.evaluate(() => (window as unknown as { incidentMarker?: boolean }).incidentMarker)).toBe(true);
      await shot(d, 'after-restart');

      // A phone width, signed out and in again as Dana (DEPLOYER): she may roll back but reviews nothing.
      await a.setViewportSize({ width: 390, height: 844 });
      await a.getByRole('button', { name: 'Sign out' }).click();
      expect(await a.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
      await signIn(a, baseUrl, server.token('DEPLOYER'), 'Dana');
      expect(await a.getByTestId('viewer').innerText()).toContain('DEPLOYER in shop');
      await untilText(() => a.getByTestId('requests').innerText(), 'Root cause: rc tag promoted by mistake');
      expect(await a.getByTestId('inbox').count()).toBe(0);
      expect(await a.getByTestId('requests').getByRole('button', { name: 'Approve' }).count()).toBe(0);
      expect(await a.getByRole('button', { name: /^Roll back to / }).count()).toBeGreaterThan(0);
      expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(a, 'phone');

      // Break-glass: a prominent banner while her session is open, gone once she closes it.
      await a.getByRole('button', { name: 'Open break-glass…' }).click();
      await a.getByLabel('Break-glass justification').fill('SEV1: checkout down, approvers unreachable');
      await a.getByRole('button', { name: 'Open break-glass', exact: true }).click();
      const banner = a.getByTestId('break-glass-banner');
      await untilText(() => banner.innerText(), /BREAK-GLASS OPEN[\s\S]*Dana[\s\S]*SEV1: checkout down/);
      await shot(a, 'break-glass-open');
      await banner.getByRole('button', { name: 'Close break-glass' }).click();
      await expect.poll(() => banner.count()).toBe(0);

      // The organization drops to PRO (the admin CLI, as an operator would): FIELD stays in the wizard, disabled, with the reason.
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'organization', 'update', '--slug', 'acme-corp', '--plan', 'PRO'], { cwd: ROOT, env: childEnv({ DATA_DIR: dataDir }) }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      await a.getByRole('button', { name: /^Roll back to / }).first().click();
      const narrowed = a.getByTestId('wizard');
      await expect.poll(() => narrowed.getByRole('radio', { name: /FIELD/ }).isDisabled(), { timeout: 15_000 }).toBe(true);
      expect(await narrowed.getByRole('radio', { name: /SERVICE/ }).isDisabled()).toBe(false);
      expect(await narrowed.innerText()).toMatch(/FIELD blast radius: Minimal[^\n]*— unavailable: .*ENTERPRISE/);
      await shot(a, 'field-unavailable');

      expect(deployer.outside, 'requests beyond 127.0.0.1').toEqual([]);
      expect(approver.outside, 'requests beyond 127.0.0.1').toEqual([]);
    } finally {
      for (const browser of browsers) await browser.close();
    }
  });
});
