/** The incident screen's test kit: a spawned server, GraphQL calls as another client would make them, the page's sign-in, screenshots. */
import fs from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureWebBuild } from '../../scripts/build-web';

export const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
export const TOKEN_KEY = 'backtrack.incident.token';

/** Builds dist/web when it is missing or older than web/ (a targeted test run needs no other step). */
export async function webBuilt(): Promise<void> {
  await ensureWebBuild();
}

export async function graphqlCall<R, V>(baseUrl: string, token: string, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: R; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** Screenshots of each step, numbered in the order taken, into the git-ignored screenshots folder. */
export function screenshots(prefix: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  let n = 0;
  return async (page: Page, step: string) => {
    n += 1;
    await page.screenshot({ path: path.join(SCREENSHOTS, `${prefix}-${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
}

/** Signs in as a person does: the token typed into the form, sent with the keyboard. */
export async function signIn(page: Page, baseUrl: string, token: string, viewerName: string): Promise<void> {
  await page.goto(`${baseUrl}/incident`);
  const field = page.getByLabel('API token');
  await field.fill(token);
  await field.press('Enter');
  await expect.poll(() => page.getByTestId('viewer').innerText(), { timeout: 15_000 }).toContain(viewerName);
  await page.getByRole('heading', { name: 'What is running now' }).waitFor({ timeout: 15_000 });
}

/** Polls a locator's text until it matches. */
export async function untilText(read: () => Promise<string>, pattern: RegExp | string, timeout = 15_000): Promise<string> {
  let last = '';
  await expect
    .poll(
      async () => {
        last = await read().catch(() => '');
        return typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last);
      },
      { timeout, interval: 100 },
    )
    .toBe(true)
    .catch(() => {
      throw new Error(`expected ${String(pattern)}; the page shows:\n${last}`);
    });
  return last;
}
