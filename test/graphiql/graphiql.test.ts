/**
 * GraphiQL as a person uses it, in headless chromium with no network beyond 127.0.0.1: the page
 * loads from the server's own assets, runs the README's query with the token pasted into the
 * headers editor, and shows a rollbackRequestUpdated event that another client caused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import { describe, expect } from 'vitest';
import { test } from '../kit/fixtures';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { PROD, subscriberCount, until, untilSubscribers } from '../live/helpers';
import { tagRollbackInput, tenantEnvironment } from '../live/scenario';
import { browserMissing, openLocalBrowser, type LocalBrowser } from './browser';

const README = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
/** The query the README tells people to paste into GraphiQL. */
const INCIDENT_QUERY = /```graphql\n(query Incident \{[\s\S]*?)```/.exec(README)?.[1];

const missing = browserMissing();
// Where setup ran the browser is there; under CI its absence is a failure, never a skip.
const runs = missing === null || process.env.CI === 'true';

/** GraphiQL's editors are Monaco: text is pasted, as a person would (typing would auto-close brackets). */
function graphiql(browser: LocalBrowser) {
  const { page } = browser;
  const paste = async (editor: string, text: string) => {
    await page.locator(`${editor} .monaco-editor`).click();
    await page.evaluate((value) => navigator.clipboard.writeText(value), text);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
  };
  /** Monaco draws spaces as no-break spaces. */
  const response = async () => (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
  return {
    async open(baseUrl: string) {
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
      await page.goto(`${baseUrl}/graphql`);
      await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    },
    async setHeaders(headers: Record<string, string>) {
      await page.getByText('Headers', { exact: true }).click();
      await paste('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify(headers));
    },
    /** Pastes the operation and waits until GraphiQL has parsed it (its tab is named after the operation). */
    async setOperation(text: string) {
      await paste('.graphiql-query-editor', text);
      const name = /^(?:query|mutation|subscription)\s+(\w+)/m.exec(text)![1]!;
      await expect.poll(() => page.locator('.graphiql-tab-active').innerText(), { timeout: 15_000 }).toBe(name);
    },
    run: () => page.locator('.graphiql-execute-button').click(),
    response,
    /** Waits until the result pane shows every one of `texts`. */
    async untilShown(texts: string[], timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const shown = await response();
        if (texts.every((text) => shown.includes(text))) return shown;
        if (Date.now() > deadline) throw new Error(`the result pane does not show ${JSON.stringify(texts)}; it shows:\n${shown}`);
        await page.waitForTimeout(100);
      }
    },
  };
}

describe('the GraphiQL page', () => {
  test('is rendered by the server with its title and every asset inline: nothing to load from elsewhere', async ({ t }) => {
    const response = await t.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>Backtrack</title>');
    expect(html).not.toContain('__TITLE__');
    // No script, stylesheet or icon from another origin: the page's own tags (inline code left out) name no URL but data: ones.
    const tags = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1').replace(/(<style\b[^>]*>)[\s\S]*?<\/style>/g, '$1');
    expect(tags.match(/<script\b[^>]*>/g)).toEqual(['<script>']);
    const external = [...tags.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((url) => !/^(data|blob):/.test(url!));
    expect(external).toEqual([]);
    expect(html).toContain('"subscriptionsProtocol":"SSE"');
  });

  test('is not served with GRAPHIQL=false', async ({ openApp }) => {
    const t = await openApp({ env: { GRAPHIQL: 'false' } });
    const response = await t.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toContain('<title>');
  });
});

describe.skipIf(!runs)('GraphiQL in a browser, offline', () => {
  test('loads from the server alone, runs the README query with a pasted token, and shows a live rollbackRequestUpdated event', { timeout: 90_000 }, async ({ t }) => {
    if (missing) throw new Error(missing);
    expect(INCIDENT_QUERY, 'the README shows the Incident query').toBeDefined();
    const baseUrl = await t.listen();
    const te = await tenantEnvironment(t, PROD);
    const baseline = subscriberCount(t);
    const browser = await openLocalBrowser();
    const { page } = browser;
    try {
      const ui = graphiql(browser);
      await ui.open(baseUrl);
      expect(await page.title()).toBe('Backtrack');
      await expect.poll(() => page.locator('.graphiql-logo').innerText(), { timeout: 15_000 }).toContain('Backtrack');

      // The README's query, with the DEPLOYER's token typed into the headers editor.
      await ui.setHeaders({ Authorization: `Bearer ${t.token('DEPLOYER')}` });
      await ui.setOperation(INCIDENT_QUERY!);
      const answered = page.waitForResponse((r) => r.url() === `${baseUrl}/graphql` && r.request().method() === 'POST' && r.request().postData()?.includes('Incident') === true);
      await ui.run();
      const result = (await (await answered).json()) as { data?: { viewer: { email: string }; tenantEnvironment: { id: string; deployments: { edges: unknown[] } } }; errors?: unknown };
      expect(result.errors).toBeUndefined();
      expect(result.data!.viewer.email).toBe('dana.deployer@acme.example.com');
      expect(result.data!.tenantEnvironment.id).toBe(te.id);
      expect(result.data!.tenantEnvironment.deployments.edges.length).toBeGreaterThan(0);
      await ui.untilShown(['"viewer"', 'dana.deployer@acme.example.com']);

      // A subscription in the same tab, with the same headers: it streams over SSE.
      await ui.setOperation(
        `subscription Watch {\n  rollbackRequestUpdated(tenantEnvironmentId: "${te.id}") {\n    change\n    state\n    request { id justification }\n  }\n}\n`,
      );
      await ui.run();
      await untilSubscribers(t, baseline + 1);

      // Another client (GraphQL over HTTP) requests a rollback; the event appears on the page.
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token('DEPLOYER')}` },
        body: JSON.stringify({ query: print(RequestRollbackDocument), variables: { input: tagRollbackInput(te.tagTarget, PROD, 'Bad image tag, seen in GraphiQL') } }),
      });
      const created = ((await response.json()) as { data: { requestRollback: { id: string } } }).data.requestRollback;
      await ui.untilShown([created.id, '"change": "CREATED"', '"state": "PENDING"', 'Bad image tag, seen in GraphiQL']);

      // Stopping it in GraphiQL ends the stream on the server.
      await ui.run();
      await until(() => subscriberCount(t) === baseline, 'the subscription to end on the server');

      expect(browser.outside, 'requests beyond 127.0.0.1').toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
