/**
 * vitest fixtures: a test names what it needs (`async ({ t }) => …`) and gets its own copy, made
 * for it alone and closed after it. Suites that share one app across tests keep `beforeAll`.
 */
import { test as base } from 'vitest';
import { createFixture } from '../rollback/fixture';
import { createTestApp, type TestApp, type TestAppOptions } from './app';

export const test = base
  /** A seeded app: a copy of the demo workspace. */
  .extend('t', async ({}, { onCleanup }) => {
    const t = await createTestApp();
    onCleanup(() => t.close());
    return t;
  })
  /** Opens further apps for the test (other settings, a second server); each is closed after it. */
  .extend('openApp', async ({}, { onCleanup }) => {
    const apps: TestApp[] = [];
    onCleanup(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });
    return async (options: TestAppOptions = {}) => {
      const app = await createTestApp(options);
      apps.push(app);
      return app;
    };
  })
  /** The small rollback workspace of test/rollback/fixture.ts. */
  .extend('fx', async ({}, { onCleanup }) => {
    const fx = await createFixture();
    onCleanup(() => fx.close());
    return fx;
  });

export const it = test;
