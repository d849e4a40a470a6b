/**
 * Refreshes docs/incident-screen.png, the README's picture of the incident screen: a fresh demo
 * server on a free port of 127.0.0.1, headless chromium (nothing beyond 127.0.0.1 reachable), the
 * demo incident up to the FIELD rollback's preview. Run by hand after changing the page:
 *   node_modules/.bin/tsx scripts/incident-screenshot.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureWebBuild } from './build-web';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = path.join(ROOT, 'docs/incident-screen.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function startServer(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start in 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on http:\/\/[^:]+:(\d+)\/graphql/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
  });
  const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8')) as { users: Array<{ email: string; token: string }> };
  return { child, baseUrl: `http://127.0.0.1:${port}`, tokenOf: (prefix: string) => tokens.users.find((u) => u.email.startsWith(prefix))!.token };
}

await ensureWebBuild();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-screenshot-'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-chromium-'));
const server = await startServer(dataDir);
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient')));
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.baseUrl}/incident`);
  await page.getByLabel('API token').fill(server.tokenOf('blake.'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  const rows = page.getByTestId('history').locator('tbody tr[data-revision]');
  await rows.nth(1).waitFor();
  const good = (await rows.nth(1).getAttribute('data-revision'))!.slice(0, 7);
  await page.getByRole('button', { name: `Roll back to ${good}` }).click();
  const wizard = page.getByTestId('wizard');
  await wizard.getByRole('radio', { name: /FIELD/ }).check();
  await wizard.getByRole('combobox', { name: 'Service to roll back' }).selectOption('api-gateway');
  await wizard.getByRole('checkbox', { name: /image\.tag/ }).check();
  await wizard.getByRole('button', { name: 'Preview' }).click();
  await page.getByTestId('preview').waitFor();
  await wizard.getByLabel('Justification (required)').fill('Bad image tag v2.1.1-rc0 causing 500 errors');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: OUTPUT, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1040 } });
  console.log(`wrote ${path.relative(ROOT, OUTPUT)}`);
} finally {
  await context.close();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
