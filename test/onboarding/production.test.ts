/** Production defaults, on the real entry point: no demo, no GraphiQL, no introspection, no token printed but the bootstrap admin's once. */
import fs from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { ViewerDocument } from '../kit/documents/workspace';
import { tempDir } from '../kit/template';
import { runCli, startServer } from '../foundation/processes';

const TIMEOUT = 180_000;
const TOKEN = /\bbt[ua]_[A-Za-z0-9_-]{20,}\b/g;

async function post(url: string, token: string | null, query: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

describe('the mode decides the defaults', () => {
  it('demo unless NODE_ENV or BACKTRACK_MODE says production; what is asked for explicitly wins', () => {
    expect(loadConfig({})).toMatchObject({ mode: 'demo', SEED_DEMO: true, GRAPHIQL: true, INTROSPECTION: true });
    expect(loadConfig({ NODE_ENV: 'development' }).mode).toBe('demo');
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ mode: 'production', SEED_DEMO: false, GRAPHIQL: false, INTROSPECTION: false });
    expect(loadConfig({ BACKTRACK_MODE: 'production' })).toMatchObject({ mode: 'production', SEED_DEMO: false, GRAPHIQL: false, INTROSPECTION: false });
    expect(loadConfig({ NODE_ENV: 'production', BACKTRACK_MODE: 'demo' }).mode).toBe('demo');
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'yes' })).toMatchObject({ GRAPHIQL: true, INTROSPECTION: true, SEED_DEMO: false });
    expect(() => loadConfig({ BACKTRACK_MODE: 'staging' })).toThrow('invalid configuration: BACKTRACK_MODE must be one of demo, production (got "staging")');
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'nobody' })).toThrow(/BOOTSTRAP_ADMIN_EMAIL must be an email address/);
  });
});

describe('NODE_ENV=production on an empty data directory (spawned src/main.ts)', () => {
  it(
    'seeds nothing, serves no GraphiQL and no introspection, prints the bootstrap admin token once, and never again',
    async () => {
      const dataDir = path.join(tempDir('backtrack-production-'), 'data');
      const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' };
      try {
        const first = await startServer(env);
        let token: string;
        try {
          expect(first.banner).not.toMatch(/Seeding/);
          expect(first.banner).not.toMatch(/GraphiQL:/);
          expect(first.banner).toMatch(/Production mode: GraphiQL off, introspection off, demo not seeded/);
          expect(first.banner).toContain('bootstrap-admin@backtrack.invalid is the bootstrap admin');
          const tokens = [...first.banner.matchAll(TOKEN)].map((m) => m[0]);
          expect(tokens).toHaveLength(1);
          token = tokens[0]!;
          expect(fs.existsSync(path.join(dataDir, 'demo-tokens.json'))).toBe(false);
          expect(fs.readdirSync(path.join(dataDir, 'repositories'))).toEqual([]);

          const viewer = await post(first.url, token, print(ViewerDocument));
          expect(viewer.errors).toBeUndefined();
          expect(viewer.data?.viewer).toMatchObject({ email: 'bootstrap-admin@backtrack.invalid', projectRoles: [] });
          const introspection = await post(first.url, token, '{ __schema { queryType { name } } }');
          expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
          const page = await fetch(first.url, { headers: { accept: 'text/html' } });
          expect(await page.text()).not.toMatch(/graphiql/i);
        } finally {
          expect((await first.stop()).code).toBe(0);
        }

        const second = await startServer(env, { tokens: false });
        try {
          expect(second.banner).not.toMatch(TOKEN);
          expect(second.banner).not.toMatch(/bootstrap admin/);
          expect((await post(second.url, token, print(ViewerDocument))).data?.viewer).toMatchObject({ email: 'bootstrap-admin@backtrack.invalid' });
        } finally {
          expect((await second.stop()).code).toBe(0);
        }
      } finally {
        fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );

  it(
    'with BOOTSTRAP_ADMIN_EMAIL prints no token at all, only how to issue one; the CLI issues it for the running server',
    async () => {
      const dataDir = path.join(tempDir('backtrack-production-'), 'data');
      const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', BACKTRACK_MODE: 'production', BOOTSTRAP_ADMIN_EMAIL: 'Ops@Example.com' };
      const server = await startServer(env, { tokens: false });
      try {
        expect(server.banner).not.toMatch(TOKEN);
        expect(server.banner).toContain('ops@example.com is the bootstrap admin');
        expect(server.banner).toContain('token create --email ops@example.com --expires-in 30d');
        const issued = await runCli(['token', 'create', '--email', 'ops@example.com', '--expires-in', '30d'], { DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
        expect(issued.code, issued.stderr).toBe(0);
        const token = issued.stdout.trim();
        expect(token).toMatch(/^btu_/);
        expect((await post(server.url, token, print(ViewerDocument))).data?.viewer).toMatchObject({ email: 'ops@example.com' });
      } finally {
        expect((await server.stop()).code).toBe(0);
        fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});
