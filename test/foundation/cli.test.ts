import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { tempDir } from '../kit/app';
import { TenantEnvironmentDocument, ViewerDocument } from '../kit/documents/workspace';
import { runCli } from './processes';


const TIMEOUT = 120_000;

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim().length > 0);
}

describe('the admin CLI (spawned src/cli.ts)', () => {
  let root: string;
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const count = (sql: string) => {
    const sqlite = new Database(path.join(dataDir, 'backtrack.sqlite'), { readonly: true });
    try {
      return (sqlite.prepare(sql).get() as { n: number }).n;
    } finally {
      sqlite.close();
    }
  };

  /** Queries an app on the CLI's data directory with a token the CLI printed. */
  async function asToken<R, V>(token: string, document: import('@graphql-typed-document-node/core').TypedDocumentNode<R, V>, variables?: V) {
    const app: App = buildApp(loadConfig({ DATA_DIR: dataDir }), { logger: createLogger('silent') });
    try {
      const response = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
      return (await response.json()) as { data?: R | null; errors?: Array<{ extensions?: { code?: string } }> };
    } finally {
      await app.stopServices();
    }
  }

  beforeAll(() => {
    root = tempDir('backtrack-cli-');
    dataDir = path.join(root, 'data');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it(
    '--help prints every command and touches no data',
    async () => {
      const result = await runCli(['--help'], env());
      expect(result.code).toBe(0);
      for (const command of ['migrate', 'seed-demo', 'user create', 'token create', 'token revoke', 'agent create']) {
        expect(result.stdout).toContain(command);
      }
      expect(result.stderr).toBe('');
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'bad usage exits 1 with a message, without a stack trace and without creating data',
    async () => {
      const cases: Array<[string[], RegExp]> = [
        [['frobnicate'], /unknown command "frobnicate"/],
        [['user', 'create', '--email', 'x@example.com'], /--name is required/],
        [['user', 'create', '--emial', 'x@example.com', '--name', 'X'], /unknown option '--emial'/i],
      ];
      for (const [args, message] of cases) {
        const result = await runCli(args, env());
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'migrate --init creates the database; seed-demo seeds once',
    async () => {
      const migrate = await runCli(['migrate', '--init'], env());
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'backtrack.sqlite'))).toBe(true);
      expect(count('select count(*) n from organizations')).toBe(0);

      const seed = await runCli(['seed-demo'], env());
      expect(seed.code, seed.stderr).toBe(0);
      const printed = JSON.parse(seed.stdout) as { users: Array<{ token: string }>; agent: { token: string } };
      expect(printed.users).toHaveLength(4);
      expect(count('select count(*) n from organizations')).toBe(1);

      const again = await runCli(['seed-demo'], env());
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already exists/);
      expect(count('select count(*) n from organizations')).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'user create with a role, then token create: the token works and shows the role',
    async () => {
      const created = await runCli(['user', 'create', '--email', 'Robin.Ops@Example.com', '--name', 'Robin Ops', '--project', 'shop', '--role', 'approver'], env());
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^user \S+ created\n$/);

      const token = await runCli(['token', 'create', '--email', 'robin.ops@example.com'], env());
      expect(token.code, token.stderr).toBe(0);
      const plain = token.stdout.trim();
      expect(plain).toMatch(/^btu_[A-Za-z0-9_-]{40,}$/);

      const result = await asToken(plain, ViewerDocument);
      expect(result.errors).toBeUndefined();
      expect(result.data?.viewer).toEqual({
        id: expect.any(String),
        email: 'robin.ops@example.com',
        name: 'Robin Ops',
        projectRoles: [{ role: 'APPROVER', project: { slug: 'shop' } }],
      });

      // Stored hashed: the printed token is nowhere in the database.
      expect(count(`select count(*) n from api_tokens where token_hash = '${plain}'`)).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'token revoke: only the named token stops working, then all of the user\'s tokens',
    async () => {
      await runCli(['user', 'create', '--email', 'kim@example.com', '--name', 'Kim', '--project', 'shop', '--role', 'viewer'], env());
      const laptop = (await runCli(['token', 'create', '--email', 'kim@example.com', '--name', 'laptop'], env())).stdout.trim();
      const wall = (await runCli(['token', 'create', '--email', 'kim@example.com', '--name', 'wall screen'], env())).stdout.trim();

      const one = await runCli(['token', 'revoke', '--email', 'kim@example.com', '--name', 'laptop'], env());
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toBe('1 token of kim@example.com revoked\n');
      expect((await asToken(laptop, ViewerDocument)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await asToken(wall, ViewerDocument)).data?.viewer?.email).toBe('kim@example.com');

      const all = await runCli(['token', 'revoke', '--email', 'kim@example.com'], env());
      expect(all.stdout).toBe('1 token of kim@example.com revoked\n');
      expect((await asToken(wall, ViewerDocument)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const unknown = await runCli(['token', 'revoke', '--email', 'nobody@example.com'], env());
      expect(unknown.code).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'agent create with a scope: the agent token reads its tenant-environment and nothing else',
    async () => {
      const created = await runCli(['agent', 'create', '--project', 'shop', '--name', 'staging-agent', '--scope', 'globex/staging'], env());
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim().split('\n').at(-1)!;
      expect(token).toMatch(/^bta_[A-Za-z0-9_-]{40,}$/);

      const inScope = await asToken(token, TenantEnvironmentDocument, { project: 'shop', tenant: 'globex', environment: 'staging' });
      expect(inScope.errors).toBeUndefined();
      expect(inScope.data?.tenantEnvironment?.headRevision).toMatch(/^[0-9a-f]{40}$/);
      const outOfScope = await asToken(token, TenantEnvironmentDocument, { project: 'shop', tenant: 'acme', environment: 'production' });
      expect(outOfScope.data?.tenantEnvironment ?? null).toBeNull();
    },
    TIMEOUT,
  );

  it(
    'reports bad input clearly and changes nothing',
    async () => {
      const users = count('select count(*) n from users');
      const agents = count('select count(*) n from agents');
      const cases: Array<[string[], RegExp]> = [
        [['user', 'create', '--email', 'q@example.com', '--name', 'Q', '--project', 'shop', '--role', 'overlord'], /--role must be one of/],
        [['user', 'create', '--email', 'q@example.com', '--name', 'Q', '--project', 'nope', '--role', 'ADMIN'], /project nope not found/],
        [['user', 'create', '--email', 'q@example.com', '--name', 'Q', '--project', 'shop'], /--role is required/],
        [['user', 'create', '--email', 'ROBIN.OPS@example.com', '--name', 'Robin again'], /user robin\.ops@example\.com already exists/],
        [['token', 'create', '--email', 'nobody@example.com'], /user nobody@example\.com not found/],
        [['agent', 'create', '--project', 'shop', '--name', 'a'], /--scope TENANT\/ENV is required/],
        [['agent', 'create', '--project', 'shop', '--name', 'a', '--scope', 'acme/qa'], /unknown tenant-environment acme\/qa/],
      ];
      for (const [args, message] of cases) {
        const result = await runCli(args, env());
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(stderrLines(result.stderr)[0]).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      expect(count('select count(*) n from users')).toBe(users);
      expect(count('select count(*) n from agents')).toBe(agents);
    },
    TIMEOUT,
  );

  it(
    'reports a corrupt database in one line and leaves it as it was',
    async () => {
      const other = path.join(root, 'corrupt');
      fs.mkdirSync(other);
      const bytes = Buffer.concat([Buffer.from('not sqlite at all\n'), Buffer.alloc(4096, 7)]);
      fs.writeFileSync(path.join(other, 'backtrack.sqlite'), bytes);
      const result = await runCli(['migrate'], { DATA_DIR: other, LOG_LEVEL: 'silent' });
      expect(result.code).toBe(1);
      expect(stderrLines(result.stderr)).toEqual([`backtrack: cannot open database ${path.join(other, 'backtrack.sqlite')}: file is not a database`]);
      expect(fs.readFileSync(path.join(other, 'backtrack.sqlite'))).toEqual(bytes);
    },
    TIMEOUT,
  );
});

