/**
 * A real server on its own database (a SQLite file, or on the postgres project a PostgreSQL database
 * of the run's cluster: see dialect.ts) and bare repositories. Seeded apps start from a copy of the
 * demo workspace, seeded once per test run (see template.ts), so a test pays for a copy, not a seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { buildApp, type App, type AppOptions } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { seedDemo, type DemoCredentials } from '../../src/domain/seed/seed-demo';
import { createLogger } from '../../src/logger';
import { databaseUrlOf, dropDatabaseFor, ensureDatabaseForSync, testDialect } from './dialect';
import { copyDataDirAsync, sharedTemplate, tempDir } from './template';

export { tempDir } from './template';

export type DemoRole = 'DEPLOYER' | 'APPROVER' | 'APPROVER2' | 'ADMIN' | 'AGENT';

export interface TestApp {
  app: App;
  config: Config;
  dataDir: string;
  repoDir: string;
  credentials: DemoCredentials;
  token(role: DemoRole): string;
  /** Runs a typed document through yoga.fetch (the full HTTP pipeline, no socket). */
  gql<R, V>(role: DemoRole | null, document: TypedDocumentNode<R, V>, variables?: V): Promise<ExecutionResult<R>>;
  /** Starts listening on 127.0.0.1 on a free port and returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const EMPTY_CREDENTIALS: DemoCredentials = { users: [], agent: { name: '', token: '' } };

/** Runs a typed document through `app.yoga.fetch` with a bearer token (or none). */
export async function postDocument<R, V>(app: App, token: string | null, document: TypedDocumentNode<R, V>, variables?: V): Promise<ExecutionResult<R>> {
  const response = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  return (await response.json()) as ExecutionResult<R>;
}

/** Compute runs on the event loop unless a test asks for worker threads (COMPUTE_THREADS): starting them costs more than most tests' work. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', COMPUTE_THREADS: '0', ...dialectEnv(dataDir), ...env });
}

/** On the postgres project: the data directory's own database (created when it has none yet). */
export function dialectEnv(dataDir: string): Record<string, string> {
  if (testDialect() !== 'postgres') return {};
  ensureDatabaseForSync(dataDir);
  return { DATABASE_URL: databaseUrlOf(dataDir) };
}

/** The demo workspace as `npm start` seeds it, built once per run. */
export function demoTemplate() {
  return sharedTemplate('demo', async (dataDir) => {
    const app = buildApp(testConfig(dataDir), { logger: createLogger('silent') });
    const credentials = await seedDemo(app.backend);
    await app.stopServices();
    return credentials;
  });
}

export type TestAppOptions = AppOptions & { env?: Record<string, string>; seed?: boolean };

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const seeded = options.seed === false ? null : await demoTemplate();
  const dataDir = seeded ? await copyDataDirAsync(seeded.dataDir) : tempDir();
  return openTestApp(dataDir, seeded?.info ?? EMPTY_CREDENTIALS, options);
}

/** An app on an existing data directory (a copy of a template, or one a test prepared). */
export function openTestApp(dataDir: string, credentials: DemoCredentials, options: AppOptions & { env?: Record<string, string> } = {}): TestApp {
  const config = testConfig(dataDir, options.env);
  const app = buildApp(config, { logger: createLogger('silent'), ...options });
  let listening = false;
  const token = (role: DemoRole) => {
    if (role === 'AGENT') return credentials.agent.token;
    const approvers = credentials.users.filter((u) => u.role === 'APPROVER');
    if (role === 'APPROVER2') return approvers[1]!.token;
    return credentials.users.find((u) => u.role === role)!.token;
  };
  return {
    app,
    config,
    dataDir,
    repoDir: path.join(config.repositoriesDir, 'shop.git'),
    credentials,
    token,
    gql: (role, document, variables) => postDocument(app, role ? token(role) : null, document, variables),
    async listen() {
      const port = await app.start(0, '127.0.0.1');
      listening = true;
      return `http://127.0.0.1:${port}`;
    },
    async close() {
      if (listening) await app.stop();
      else await app.stopServices();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (config.DATABASE_URL) await dropDatabaseFor(dataDir).catch(() => undefined);
    },
  };
}
