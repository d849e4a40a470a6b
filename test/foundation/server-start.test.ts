import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { tempDir } from '../kit/app';
import { ViewerDocument } from '../kit/documents/workspace';
import { startServer, type Finished, type RunningServer } from './processes';

const TIMEOUT = 180_000;

async function viewerOverHttp(url: string, token: string | null) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(ViewerDocument) }),
  });
  return (await response.json()) as {
    data?: { viewer: { email: string; projectRoles: Array<{ role: string; project: { slug: string } }> } } | null;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

function databaseFiles(dataDir: string): string[] {
  return fs.readdirSync(dataDir).filter((name) => name.startsWith('backtrack.sqlite'));
}

describe('npm start on a fresh data directory (spawned src/main.ts)', () => {
  let dataDir: string;
  let first: RunningServer;
  let firstExit: Finished;
  let tokens: string[];
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    dataDir = path.join(tempDir('backtrack-start-'), 'data');
    first = await startServer(env());
  }, TIMEOUT);
  afterAll(() => {
    if (first?.child.exitCode === null) first.child.kill('SIGKILL');
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('creates the data directory, seeds the demo and prints the URL and a token', () => {
    expect(first.banner).toMatch(/Seeding the demo workspace/);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.url).not.toMatch(/:0\//);
    expect(first.deployerToken).toMatch(/^btu_[A-Za-z0-9_-]{20,}$/);
    tokens = [...first.banner.matchAll(/\b(bt[ua]_[A-Za-z0-9_-]{20,})\b/g)].map((m) => m[1]!);
    expect(new Set(tokens).size).toBe(5); // deployer, two approvers, admin, agent
    expect(fs.existsSync(path.join(dataDir, 'backtrack.sqlite'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'repositories', 'shop.git', 'HEAD'))).toBe(true);
  });

  it('answers viewer over real HTTP with the printed token', async () => {
    const result = await viewerOverHttp(first.url, first.deployerToken);
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer.email).toBe('dana.deployer@acme.example.com');
    expect(result.data?.viewer.projectRoles).toEqual([{ role: 'DEPLOYER', project: { slug: 'shop' } }]);
  });

  it('refuses a missing or unknown token over HTTP with UNAUTHENTICATED', async () => {
    for (const token of [null, 'btu_not-a-real-token', `${first.deployerToken}x`]) {
      const result = await viewerOverHttp(first.url, token);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('serves GraphiQL on the same URL', async () => {
    const response = await fetch(first.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/graphiql/i);
  });

  it(
    'exits with code 0 on SIGTERM',
    async () => {
      firstExit = await first.stop();
      expect(firstExit.code, firstExit.stderr).toBe(0);
    },
    TIMEOUT,
  );

  it('stores only hashes of the tokens in the SQLite files', () => {
    expect(firstExit).toBeDefined();
    const files = databaseFiles(dataDir);
    expect(files).toContain('backtrack.sqlite');
    for (const name of files) {
      const bytes = fs.readFileSync(path.join(dataDir, name));
      for (const token of tokens) {
        expect(bytes.includes(Buffer.from(token)), `${name} contains a plain token`).toBe(false);
        // Nor any long piece of one (e.g. without its prefix).
        expect(bytes.includes(Buffer.from(token.slice(4, 30))), `${name} contains part of a token`).toBe(false);
      }
    }
    const sqlite = new Database(path.join(dataDir, 'backtrack.sqlite'), { readonly: true });
    try {
      const hashes = new Set(
        (sqlite.prepare('select token_hash from api_tokens').all() as Array<{ token_hash: string }>).map((r) => r.token_hash),
      );
      for (const token of tokens) expect(hashes.has(createHash('sha256').update(token).digest('hex'))).toBe(true);
    } finally {
      sqlite.close();
    }
  });

  it(
    'does not reseed on the second start, and the first tokens still work',
    async () => {
      const headBefore = git(path.join(dataDir, 'repositories', 'shop.git'), ['rev-parse', 'main']);
      const countRows = () => {
        const sqlite = new Database(path.join(dataDir, 'backtrack.sqlite'), { readonly: true });
        try {
          return sqlite
            .prepare(
              "select (select count(*) from organizations) o, (select count(*) from users) u, (select count(*) from api_tokens) t, (select count(*) from deployments) d",
            )
            .get();
        } finally {
          sqlite.close();
        }
      };
      const rowsBefore = countRows();
      const second = await startServer(env(), { tokens: false });
      try {
        expect(second.banner).not.toMatch(/Seeding/);
        // Tokens are printed on the start that seeded them only; later starts say where they are saved.
        expect(second.banner).not.toMatch(/bt[ua]_/);
        expect(second.banner).toContain(`Demo tokens: ${path.join(dataDir, 'demo-tokens.json')}`);
        const result = await viewerOverHttp(second.url, first.deployerToken);
        expect(result.data?.viewer.email).toBe('dana.deployer@acme.example.com');
      } finally {
        const exit = await second.stop();
        expect(exit.code, exit.stderr).toBe(0);
      }
      expect(git(path.join(dataDir, 'repositories', 'shop.git'), ['rev-parse', 'main'])).toBe(headBefore);
      expect(countRows()).toEqual(rowsBefore);
    },
    TIMEOUT,
  );
});
