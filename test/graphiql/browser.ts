/**
 * Headless Debian chromium driven by playwright-core, for tests of what a person sees in a browser.
 * Only 127.0.0.1 is reachable: every other request is aborted by routing and recorded, so a test can
 * assert that a page needs nothing from the internet. Never a downloaded browser: scripts/setup.sh
 * installs Debian's package.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or null when they can. Under CI a missing browser is a
 * failure of setup, not a reason to skip (see `browserTest`).
 */
export function browserMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: run scripts/setup.sh (as root it installs Debian's chromium)`;
}

export interface LocalBrowser {
  context: BrowserContext;
  page: Page;
  /** Every request the page tried to send anywhere but 127.0.0.1 (all of them were aborted). */
  outside: string[];
  close(): Promise<void>;
}

/** A fresh profile in headless chromium that can reach 127.0.0.1 only. */
export async function openLocalBrowser(): Promise<LocalBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's own background traffic (updates, sync, safe browsing) off: this machine has no network.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-gpu',
    ],
  });
  const outside: string[] = [];
  const isLocal = (url: URL) => url.hostname === '127.0.0.1';
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (isLocal(url)) return route.continue();
    outside.push(url.href);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket((url) => !isLocal(url), (socket) => {
    outside.push(socket.url());
    return socket.close();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    outside,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
