/**
 * The on-call commands as people on call and their scripts run them: a child process of the CLI
 * against one spawned demo server, every command in text and JSON, refusals with their codes and
 * exit codes, an unreachable server and a refused token.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../../src/cli/graphql-client';
import { ReportSyncStatusDocument } from '../kit/documents/live';
import { tempDir } from '../kit/template';
import { ROOT, runScript, startServer, type Finished, type RunningServer } from '../foundation/processes';

const TIMEOUT = 120_000;
const ANSI = /\u001b\[/;
const SELF_REVIEW = 'backtrack: cannot approve/reject your own rollback request (SELF_REVIEW_FORBIDDEN)\n';

interface DemoTokens {
  users: Array<{ email: string; token: string }>;
  agent: { token: string };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe('the on-call CLI against a running server', () => {
  let root: string;
  let configHome: string;
  let server: RunningServer;
  let tokens: Record<'dana' | 'alex' | 'blake' | 'ada' | 'agent', string>;

  /** Runs the CLI as `who` (a demo user, or a token), with nothing saved by login unless the test did. */
  function backtrack(who: keyof typeof tokens | null, args: string[], env: Record<string, string> = {}): Promise<Finished> {
    return runScript('src/cli.ts', args, {
      XDG_CONFIG_HOME: configHome,
      BACKTRACK_URL: server.url,
      ...(who ? { BACKTRACK_TOKEN: tokens[who] } : {}),
      ...env,
    });
  }
  async function succeeds(who: keyof typeof tokens | null, ...args: string[]): Promise<string> {
    const result = await backtrack(who, args);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout;
  }
  async function json<T>(who: keyof typeof tokens | null, ...args: string[]): Promise<T> {
    const stdout = await succeeds(who, ...args, '--output', 'json');
    expect(stdout).not.toMatch(ANSI);
    return JSON.parse(stdout) as T;
  }
  /** The revision `back` deployments before the head. */
  async function revisionBefore(target: string, back: number): Promise<string> {
    return (await json<Array<{ revision: string }>>('dana', 'history', target))[back]!.revision;
  }

  beforeAll(async () => {
    root = tempDir('backtrack-oncall-cli-');
    configHome = path.join(root, 'config');
    const dataDir = path.join(root, 'data');
    server = await startServer({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8')) as DemoTokens;
    const of = (name: string) => demo.users.find((u) => u.email.startsWith(`${name}.`))!.token;
    tokens = { dana: of('dana'), alex: of('alex'), blake: of('blake'), ada: of('ada'), agent: demo.agent.token };
  }, TIMEOUT);
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(
    'history: newest first, --limit, and the deployments as JSON',
    async () => {
      const text = await succeeds('dana', 'history', 'shop/acme/production', '--limit', '3');
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^REVISION\s+TIME\s+SOURCE\s+STATUS\s+AUTHOR\s+CHANGES$/);
      expect(lines[1]).toMatch(/^[0-9a-f]{7}\s+\S+\s+RELEASE\s+SUCCESS\s+dana\.deployer@acme\.example\.com\s+api-gateway: image\.tag v2\.1\.0 → v2\.1\.1-rc0$/);
      expect(lines).toHaveLength(5);
      expect(lines[4]).toBe('(older deployments with --limit 6)');

      const deployments = await json<Array<{ revision: string; source: string; changes: string[] }>>('dana', 'history', 'shop/acme/production');
      expect(deployments.length).toBeGreaterThanOrEqual(6);
      expect(deployments[0]!.changes).toEqual(['api-gateway: image.tag v2.1.0 → v2.1.1-rc0']);
      expect(deployments.map((d) => d.source)).toContain('PROMOTION');
    },
    TIMEOUT,
  );

  it(
    'compare: a revision with the head or with another revision, coloured only with --color or on a terminal',
    async () => {
      const base = await revisionBefore('shop/acme/production', 2);
      const [plain, coloured] = await Promise.all([
        succeeds('dana', 'compare', 'shop/acme/production', base.slice(0, 7)),
        succeeds('dana', 'compare', 'shop/acme/production', base, '--color'),
      ]);
      expect(plain).not.toMatch(ANSI);
      expect(plain).toMatch(new RegExp(`^shop/acme/production: ${base.slice(0, 7)} → [0-9a-f]{7} \\(head\\): 2 services, 0 bindings, 0 variables, 4 files\n`));
      expect(plain).toContain('MODIFIED services/api-gateway/values.yaml (+1 -1)\n');
      expect(plain).toContain('\n-  tag: v2.1.0\n+  tag: v2.1.1-rc0\n');

      expect(coloured).toContain('\u001b[32m+  tag: v2.1.1-rc0\u001b[39m');
      expect(coloured).toContain('\u001b[31m-  tag: v2.1.0\u001b[39m');

      const between = await json<{ base: string; head: string; counts: { files: number } }>('dana', 'compare', 'shop/acme/production', base, await revisionBefore('shop/acme/production', 1), '--color');
      expect(between.base).toBe(base);
      expect(between.counts.files).toBe(2);

      // A terminal gets colour without asking; NO_COLOR turns it off.
      const script = (env: Record<string, string>) =>
        execFileSync('script', ['-qec', `${path.join(ROOT, 'node_modules/.bin/tsx')} src/cli.ts compare shop/acme/production ${base}`, '/dev/null'], {
          cwd: ROOT,
          env: { ...process.env, XDG_CONFIG_HOME: configHome, BACKTRACK_URL: server.url, BACKTRACK_TOKEN: tokens.dana, ...env },
          encoding: 'utf8',
        });
      expect(script({})).toMatch(ANSI);
      expect(script({ NO_COLOR: '1' })).not.toMatch(ANSI);
    },
    TIMEOUT,
  );

  it(
    'rollback preview: the fields, the impact, the coloured diff and the hash to request with; JSON for scripts',
    async () => {
      const target = await revisionBefore('shop/acme/production', 2);
      const args = ['rollback', 'preview', 'shop/acme/production', '--to', target, '--service', 'api-gateway', '--field', 'image.tag'];
      const [text, coloured, preview] = await Promise.all([
        succeeds('dana', ...args),
        succeeds('dana', ...args, '--color'),
        json<{ mode: string; previewHash: string; affectedServices: string[] }>('dana', ...args, '--color'),
      ]);
      expect(text).toMatch(new RegExp(`^Rollback preview: shop/acme/production → ${target.slice(0, 7)}, FIELD api-gateway \\(on head [0-9a-f]{7}\\)\n`));
      expect(text).toContain('Affected services: api-gateway\nImpact: 1 service, 0 bindings, 0 variables, 2 files\n');
      expect(text).toContain('  services/api-gateway/values.yaml image.tag: v2.1.1-rc0 → v2.1.0\n');
      expect(text).toContain('\n-  tag: v2.1.1-rc0\n+  tag: v2.1.0\n');
      expect(text).toMatch(/\nPreview hash: [0-9a-f]{32} /);
      expect(coloured).toContain('\u001b[32m+  tag: v2.1.0\u001b[39m');
      expect(preview).toMatchObject({ mode: 'FIELD', affectedServices: ['api-gateway'] });
      expect(text).toContain(`Preview hash: ${preview.previewHash} `);
    },
    TIMEOUT,
  );

  it(
    'rollback request (field mode, previewed) waits for an approver; requests lists it for approvers only; approve runs it',
    async () => {
      const target = await revisionBefore('shop/acme/production', 2);
      const rollback = ['shop/acme/production', '--to', target, '--service', 'api-gateway', '--field', 'values.yaml:image.tag'];
      const { previewHash } = await json<{ previewHash: string }>('dana', 'rollback', 'preview', ...rollback);
      const requested = await succeeds('dana', 'rollback', 'request', ...rollback, '--justification', 'Bad image tag v2.1.1-rc0', '--preview-hash', previewHash);
      const id = /^(rbk-\S+) PENDING: 0\/1 approvals\n/.exec(requested)?.[1];
      expect(id, requested).toBeDefined();
      expect(requested).toContain(`  shop/acme/production → ${target.slice(0, 7)}, FIELD api-gateway (values.yaml image.tag)\n  requested by dana.deployer@acme.example.com: Bad image tag v2.1.1-rc0\n`);

      const waiting = await succeeds('alex', 'requests');
      expect(waiting).toMatch(/^ID\s+TARGET\s+TO\s+SCOPE\s+APPROVALS\s+REQUESTED BY\s+CREATED\s+JUSTIFICATION\n/);
      expect(waiting).toMatch(new RegExp(`\n${id}\\s+shop/acme/production\\s+${target.slice(0, 7)}\\s+FIELD api-gateway \\(values.yaml image.tag\\)\\s+0/1\\s+dana`));
      expect((await json<Array<{ id: string }>>('alex', 'requests', '--project', 'shop')).map((r) => r.id)).toContain(id);
      expect(await json('alex', 'requests', '--project', 'other')).toEqual([]);
      // A DEPLOYER reviews nothing.
      expect(await succeeds('dana', 'requests')).toBe('nothing waits on you\n');
      const refused = await backtrack('dana', ['approve', id!]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^backtrack: .* \(INSUFFICIENT_ROLE\)\n$/);

      const approved = await json<{ state: string; resultRevision: string; reviews: Array<{ reviewer: { email: string } }> }>('alex', 'approve', id!, '--comment', 'go');
      expect(approved.state).toBe('COMPLETED');
      expect(approved.reviews.map((r) => r.reviewer.email)).toEqual(['alex.approver@acme.example.com']);
      const history = await json<Array<{ revision: string; source: string }>>('dana', 'history', 'shop/acme/production');
      expect(history[0]).toMatchObject({ revision: approved.resultRevision, source: 'ROLLBACK' });
      expect((await json<Array<{ id: string }>>('alex', 'requests')).map((r) => r.id)).not.toContain(id);

      // Reviewed once is enough: a second approval is refused with the server's code.
      const again = await backtrack('blake', ['approve', id!]);
      expect([again.code, again.stderr]).toEqual([2, 'backtrack: rollback request is not pending approval (REQUEST_NOT_PENDING)\n']);
    },
    TIMEOUT,
  );

  it(
    'self-approval is refused (SELF_REVIEW_FORBIDDEN, exit 2) and the request is not listed for its requester; another approver rejects it',
    async () => {
      // The last change there was to notifications: SERVICE mode takes it back.
      const target = await revisionBefore('shop/globex/production', 1);
      const request = await json<{ id: string; state: string; mode: string }>('alex', 'rollback', 'request', 'shop/globex/production', '--to', target, '--service', 'notifications', '--justification', 'service mode');
      expect(request).toMatchObject({ state: 'PENDING', mode: 'SERVICE' });

      const [self, selfJson, alexWaits, blakeWaits] = await Promise.all([
        backtrack('alex', ['approve', request.id]),
        backtrack('alex', ['approve', request.id, '--output', 'json']),
        json<Array<{ id: string }>>('alex', 'requests'),
        json<Array<{ id: string }>>('blake', 'requests'),
      ]);
      expect([self.code, self.stdout, self.stderr]).toEqual([2, '', SELF_REVIEW]);
      expect([selfJson.code, selfJson.stdout, selfJson.stderr]).toEqual([2, '', SELF_REVIEW]);
      expect(alexWaits.map((r) => r.id)).not.toContain(request.id);
      expect(blakeWaits.map((r) => r.id)).toContain(request.id);

      const rejected = await succeeds('blake', 'reject', request.id, '--comment', 'not the culprit');
      expect(rejected).toBe(
        `${request.id} REJECTED\n  shop/globex/production → ${target.slice(0, 7)}, SERVICE notifications\n` +
          '  requested by alex.approver@acme.example.com: service mode\n  rejected by blake.approver@acme.example.com: not the culprit\n',
      );
    },
    TIMEOUT,
  );

  it(
    'a full rollback where no approval is needed runs at once',
    async () => {
      const target = await revisionBefore('shop/acme/staging', 1);
      const done = await succeeds('dana', 'rollback', 'request', 'shop/acme/staging', '--to', target, '--justification', 'staging is broken');
      expect(done).toMatch(new RegExp(`^rbk-\\S+ COMPLETED: commit [0-9a-f]{7}\n  shop/acme/staging → ${target.slice(0, 7)}, FULL\n`));
      const bad = await backtrack('dana', ['rollback', 'request', 'shop/acme/staging', '--to', 'ffffffff', '--justification', 'x']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/\(INVALID_TARGET_REVISION\)\n$/);
      const mode = await backtrack('dana', ['rollback', 'preview', 'shop/acme/staging', '--to', target, '--mode', 'everything']);
      expect([mode.code, mode.stderr]).toEqual([1, 'backtrack: --mode must be full, service or field (got "everything")\n(backtrack rollback preview --help shows its options)\n']);
    },
    TIMEOUT,
  );

  it(
    'break-glass open lets a request skip approval; close ends it, and closing again is refused',
    async () => {
      const opened = await json<{ id: string; active: boolean; user: { email: string } }>('dana', 'break-glass', 'open', 'shop', '--justification', 'INC-42: checkout down', '--duration', '15');
      expect(opened).toMatchObject({ active: true, user: { email: 'dana.deployer@acme.example.com' } });
      const target = await revisionBefore('shop/globex/production', 1);
      const request = await json<{ state: string }>('dana', 'rollback', 'request', 'shop/globex/production', '--to', target, '--service', 'notifications', '--justification', 'INC-42');
      expect(request.state).toBe('COMPLETED');

      const closed = await succeeds('dana', 'break-glass', 'close', 'shop');
      expect(closed).toMatch(new RegExp(`^break-glass session ${opened.id} of dana\\.deployer@acme\\.example\\.com: closed at \\S+\n  INC-42: checkout down\n$`));
      const [again, byId] = await Promise.all([backtrack('dana', ['break-glass', 'close', 'shop']), backtrack('dana', ['break-glass', 'close', 'shop', '--id', opened.id])]);
      expect([again.code, again.stderr]).toEqual([2, 'backtrack: you have no open break-glass session in shop (BREAK_GLASS_NOT_ACTIVE)\n']);
      expect([byId.code, byId.stderr]).toEqual([2, 'backtrack: the break-glass session is already closed or expired (BREAK_GLASS_NOT_ACTIVE)\n']);
    },
    TIMEOUT,
  );

  it(
    'status: no report yet, then what the agent reported and where the live values drift',
    async () => {
      // The full rollback of staging above, if it ran, is safe in Git but not synced yet.
      expect(await succeeds('dana', 'status', 'shop/acme/staging')).toMatch(
        /^shop\/acme\/staging: head [0-9a-f]{7}, services .+\nSync: UNKNOWN; no agent has reported\n  .+\n(Rollbacks not synced yet: rbk-\S+ \(safe in Git; they sync when the agent does\)\n)?Drift: none\n$/,
      );

      const agent = new GraphQLClient(server.url, tokens.agent);
      const before = await json<{ headRevision: string; services: string[] }>('dana', 'status', 'shop/acme/staging');
      await agent.request(ReportSyncStatusDocument, {
        input: { project: 'shop', tenant: 'acme', environment: 'staging', revision: before.headRevision, syncState: 'SYNCED', health: 'HEALTHY', services: [{ service: 'api-gateway', imageTag: 'v0.0.1-live' }] },
      });
      const text = await succeeds('dana', 'status', 'shop/acme/staging');
      expect(text).toMatch(/\nSync: SYNCED, HEALTHY, synced the head; agent reachable, last seen \d+s ago\n/);
      // The agent reported api-gateway alone: its tag drifts, and the other services are missing.
      expect(text).toMatch(/\nDrift: 4 fields\n  SERVICE\s+FIELD\s+DESIRED\s+LIVE\n  api-gateway\s+image\.tag\s+v2\.1\.0\s+v0\.0\.1-live\n  catalog\s+\(service\)\s+running\s+\(absent\)\n/);
      const status = await json<{ syncStatus: { syncedHead: boolean; agentReachable: boolean; pendingSyncRollbacks: string[] }; drift: Array<{ service: string; live: unknown }> }>('dana', 'status', 'shop/acme/staging');
      expect(status.syncStatus).toMatchObject({ syncedHead: true, agentReachable: true, pendingSyncRollbacks: [] });
      expect(status.drift).toContainEqual({ service: 'api-gateway', field: 'image.tag', desired: 'v2.1.0', live: 'v0.0.1-live' });
    },
    TIMEOUT,
  );

  it(
    'login checks the token and saves it readable by its owner only; the commands then need no environment; logout forgets it',
    async () => {
      const refused = await backtrack(null, ['login', '--url', server.url.replace(/\/graphql$/, ''), '--token', 'btu_not-a-token'], { BACKTRACK_URL: '' });
      expect([refused.code, refused.stderr]).toEqual([3, 'backtrack: the bearer token is unknown or revoked (UNAUTHENTICATED)\n']);
      const file = path.join(configHome, 'backtrack', 'config.json');
      expect(fs.existsSync(file)).toBe(false);

      const login = await backtrack(null, ['login', '--url', server.url.replace(/\/graphql$/, '')], { BACKTRACK_URL: '', BACKTRACK_TOKEN: tokens.alex });
      expect(login.code, login.stderr).toBe(0);
      expect(login.stdout).toBe(`logged in to ${server.url} as alex.approver@acme.example.com (APPROVER in shop)\nsaved in ${file}\n`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ url: server.url, token: tokens.alex });

      const saved = await backtrack(null, ['requests', '--output', 'json'], { BACKTRACK_URL: '' });
      expect(saved.code, saved.stderr).toBe(0);
      expect(JSON.parse(saved.stdout)).toBeInstanceOf(Array);
      // The environment wins over the saved login.
      expect(await succeeds('dana', 'requests')).toBe('nothing waits on you\n');

      expect(await succeeds(null, 'logout')).toBe(`removed ${file}\n`);
      const none = await backtrack(null, ['requests'], { BACKTRACK_URL: '' });
      expect([none.code, none.stderr]).toEqual([3, 'backtrack: no server configured: run backtrack login --url <url>, or set BACKTRACK_URL and BACKTRACK_TOKEN (NOT_LOGGED_IN)\n']);
    },
    TIMEOUT,
  );

  it(
    'exit codes scripts can test: 3 for an unreachable server or a refused token, 2 for a refusal, 1 for a usage error',
    async () => {
      const port = await freePort();
      const [unreachable, badToken, notFound, noRequest, target, format, missing] = await Promise.all([
        backtrack('dana', ['history', 'shop/acme/production', '--output', 'json'], { BACKTRACK_URL: `http://127.0.0.1:${port}` }),
        backtrack(null, ['status', 'shop/acme/production'], { BACKTRACK_TOKEN: 'btu_bogus' }),
        backtrack('dana', ['history', 'shop/acme/nowhere']),
        backtrack('alex', ['approve', 'rbk-nope', '-o', 'json']),
        backtrack('dana', ['history', 'shop/acme']),
        backtrack('dana', ['status', 'shop/acme/production', '--output', 'yaml']),
        backtrack('dana', ['rollback', 'request', 'shop/acme/production', '--to', 'abc']),
      ]);
      expect([unreachable.code, unreachable.stdout, unreachable.stderr]).toEqual([3, '', `backtrack: cannot reach the server at http://127.0.0.1:${port}/graphql: ECONNREFUSED (UNREACHABLE)\n`]);
      expect([badToken.code, badToken.stderr]).toEqual([3, 'backtrack: the bearer token is unknown or revoked (UNAUTHENTICATED)\n']);
      expect([notFound.code, notFound.stderr]).toEqual([2, 'backtrack: tenant-environment shop/acme/nowhere not found (NOT_FOUND)\n']);
      expect([noRequest.code, noRequest.stderr]).toEqual([2, 'backtrack: rollback request rbk-nope not found (NOT_FOUND)\n']);
      expect([target.code, target.stderr]).toEqual([1, 'backtrack: the target must be PROJECT/TENANT/ENV, e.g. shop/acme/production (got "shop/acme")\n(backtrack history --help shows its options)\n']);
      expect([format.code, format.stderr]).toEqual([1, 'backtrack: --output must be text or json (got "yaml")\n(backtrack status --help shows its options)\n']);
      expect([missing.code, missing.stderr]).toEqual([1, 'backtrack: --justification is required\n(backtrack rollback request --help shows its options)\n']);
    },
    TIMEOUT,
  );

  it(
    'repo argocd asks the server for the repository URL and a new read token (ADMIN); the token clones, a DEPLOYER is refused (exit 2)',
    async () => {
      const snippet = await json<{ url: string; username: string; token: string; argocdCommand: string; repositorySecret: string; applicationManifest: string }>(
        'ada',
        'repo',
        'argocd',
        '--project',
        'shop',
        '--tenant',
        'acme',
        '--environment',
        'staging',
      );
      expect(snippet.url).toMatch(/\/git\/shop\.git$/);
      expect(snippet.argocdCommand).toBe(`argocd repo add ${snippet.url} --username argocd --password ${snippet.token}`);
      expect(snippet.repositorySecret).toContain(`  password: ${snippet.token}\n`);
      expect(snippet.applicationManifest).toContain('    path: tenants/acme/staging\n');
      // What Argo CD would do with it: list main over Git HTTP with the token as the password.
      const withToken = new URL(snippet.url);
      withToken.username = snippet.username;
      withToken.password = snippet.token;
      const listed = execFileSync('git', ['ls-remote', withToken.toString(), 'refs/heads/main'], { encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
      expect(listed).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main\n$/);

      const refused = await backtrack('dana', ['repo', 'argocd', '--project', 'shop']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/\(INSUFFICIENT_ROLE\)\n$/);

      // Listed, then revoked: the same clone fails.
      const listedTokens = await json<Array<{ id: string; name: string; active: boolean }>>('ada', 'repo', 'tokens', 'shop');
      const mine = listedTokens.find((token) => token.name === 'argocd' && token.active)!;
      expect(mine).toBeDefined();
      expect(await succeeds('ada', 'repo', 'revoke-token', mine.id)).toMatch(new RegExp(`^revoked: ${mine.id}  argocd  created \\S+  revoked \\S+`));
      expect(() => execFileSync('git', ['ls-remote', withToken.toString()], { stdio: 'pipe', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } })).toThrow(/Authentication failed|401/);
    },
    TIMEOUT,
  );

  it(
    'the help lists the on-call commands with their arguments beside the admin commands, which keep working',
    async () => {
      const [help, approveHelp, admin] = await Promise.all([
        succeeds(null, '--help'),
        succeeds(null, 'approve', '--help'),
        backtrack(null, ['project', 'list'], { DATA_DIR: path.join(root, 'data') }),
      ]);
      expect(help).toContain('  history <target> [--limit <n>] [--output <format>] [--color]\n');
      expect(help).toContain('  rollback request <target> --to <revision> [--mode <mode>] [--service <service>] [--field <[file:]path>] --justification <text> [--preview-hash <hash>] [--output <format>] [--color]\n');
      expect(help).toContain('  break-glass open <project> --justification <text>');
      expect(help).toContain('  organization create --slug <slug>');
      expect(help).toContain('Exit codes: 0 ok, 1 usage error, 2 the server refused');
      expect(approveHelp).toMatch(/^Usage: backtrack approve \[options\] <request-id>\n/);
      expect(admin.code, admin.stderr).toBe(0);
      expect(admin.stdout).toContain('shop');
    },
    TIMEOUT,
  );
});
