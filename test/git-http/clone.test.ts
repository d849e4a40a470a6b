/**
 * The real `git` client against Backtrack's Git smart HTTP endpoint: clones over protocol v0 and v2,
 * Basic (token as password) and Bearer authentication, shallow clones, a fetch after a rollback made
 * through the GraphQL API, and what is refused: wrong credentials (401), pushes (403) and path tricks (404).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger';
import { git } from '../kit/git-cli';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { HistoryDocument, RequestRollbackDocument, ReviewDocument } from './documents';
import {
  basic,
  basicUrl,
  bearer,
  bearerConfig,
  data,
  gitOk,
  gitProcessesServing,
  plainUrl,
  rawRequest,
  runGit,
} from './helpers';

let t: TestApp;
let base: string;
let work: string;
const logLines: string[] = [];
let clones = 0;
const nextDir = () => path.join(work, `clone-${++clones}`);

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await createTestApp({ logger: pino(loggerOptions('debug'), sink) });
  base = await t.listen();
  work = tempDir('backtrack-git-http-');
});

afterAll(async () => {
  await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const mainOfServer = () => git(t.repoDir, ['rev-parse', 'refs/heads/main']);

describe('cloning over Git smart HTTP', () => {
  it.each([0, 2])('clones with protocol v%i and Basic auth (any username, the token as password)', async (version) => {
    const dir = nextDir();
    const run = await runGit(['-c', `protocol.version=${version}`, 'clone', basicUrl(base, 'shop', t.token('DEPLOYER')), dir], {
      env: { GIT_TRACE_PACKET: '1' },
    });
    expect(run.code, run.stderr).toBe(0);
    // v2 is negotiated through the Git-Protocol header; v0 never mentions it.
    if (version === 2) expect(run.stderr).toMatch(/git< version 2/);
    else expect(run.stderr).not.toMatch(/version 2/);
    expect(await gitOk(['-C', dir, 'rev-parse', 'HEAD'])).toBe(mainOfServer());
    expect(await gitOk(['-C', dir, 'symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    expect(fs.existsSync(path.join(dir, 'tenants/acme/production/services/api-gateway/values.yaml'))).toBe(true);
    await gitOk(['-C', dir, 'fsck', '--strict']);
  });

  it('clones with a Bearer header (git -c http.extraHeader=…)', async () => {
    const dir = nextDir();
    await gitOk([...bearerConfig(t.token('APPROVER')), 'clone', '--bare', plainUrl(base, 'shop'), dir]);
    expect(await gitOk(['--git-dir', dir, 'rev-parse', 'refs/heads/main'])).toBe(mainOfServer());
  });

  it('clones with the token from a credential helper, after the 401 challenge', async () => {
    const dir = nextDir();
    const helper = `!f() { echo username=argocd; echo password=${t.token('ADMIN')}; }; f`;
    await gitOk(['-c', `credential.helper=${helper}`, 'clone', '--bare', plainUrl(base, 'shop'), dir]);
    expect(await gitOk(['--git-dir', dir, 'rev-parse', 'refs/heads/main'])).toBe(mainOfServer());
  });

  it('serves shallow clones (--depth 1), over v0 and v2', async () => {
    for (const version of [0, 2]) {
      const dir = nextDir();
      await gitOk(['-c', `protocol.version=${version}`, 'clone', '--depth', '1', basicUrl(base, 'shop', t.token('DEPLOYER')), dir]);
      expect(await gitOk(['-C', dir, 'rev-parse', '--is-shallow-repository'])).toBe('true');
      expect(await gitOk(['-C', dir, 'rev-list', '--count', 'HEAD'])).toBe('1');
      expect(await gitOk(['-C', dir, 'rev-parse', 'HEAD'])).toBe(mainOfServer());
    }
  });

  it('after a rollback requested and approved through the GraphQL API, git fetch + git log -1 show the rollback commit and its metadata', async () => {
    const dir = nextDir();
    await gitOk(['clone', basicUrl(base, 'shop', t.token('DEPLOYER')), dir]);
    const where = { project: 'shop', tenant: 'acme', environment: 'production' };
    const history = data(await t.gql('DEPLOYER', HistoryDocument, where)).tenantEnvironment!;
    const target = history.deployments.edges[1]!.node.revision;
    const requested = data(
      await t.gql('DEPLOYER', RequestRollbackDocument, {
        input: {
          rollback: { ...where, mode: 'FIELD', service: 'api-gateway', targetSha: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] },
          justification: 'Bad image tag v2.1.1-rc0 causing ImagePullBackOff',
        },
      }),
    ).requestRollback;
    expect(requested.state).toBe('PENDING');
    const approved = data(await t.gql('APPROVER', ReviewDocument, { input: { id: requested.id, decision: 'APPROVE', comment: 'go' } })).reviewRollbackRequest;
    expect(approved).toMatchObject({ state: 'COMPLETED', error: null });

    await gitOk(['-C', dir, 'fetch', 'origin']);
    const [sha, ...message] = (await gitOk(['-C', dir, 'log', '-1', '--format=%H%n%B', 'origin/main'])).split('\n');
    expect(sha).toBe(approved.resultRevision);
    const body = message.join('\n');
    expect(body).toMatch(/^Rollback: tenant\/acme env\/production → revision [0-9a-f]{7}/);
    expect(body).toContain('\nMode: field\n');
    expect(body).toContain('\nService: api-gateway\n');
    expect(body).toContain('\nJustification: Bad image tag v2.1.1-rc0 causing ImagePullBackOff\n');
    expect(body).toContain('\nAuthor: dana.deployer@acme.example.com\n');
    expect(body).toContain('\nApproval: Approved by alex.approver@acme.example.com (quorum: 1/1)\n');
    expect(body).toContain(`\nRollback Request ID: ${requested.id}`);
    await gitOk(['-C', dir, 'merge', '--ff-only', 'origin/main']);
    expect(fs.readFileSync(path.join(dir, 'tenants/acme/production/services/api-gateway/values.yaml'), 'utf8')).not.toContain('v2.1.1-rc0');
    await gitOk(['-C', dir, 'fsck', '--strict']);
  });
  it('passes gzip request bodies through (git compresses large negotiations)', async () => {
    const request = `0032want ${mainOfServer()}\n00000009done\n`;
    for (const [body, encoding] of [
      [Buffer.from(request), null],
      [gzipSync(request), 'gzip'],
    ] as const) {
      const response = await rawRequest(base, {
        method: 'POST',
        path: '/git/shop.git/git-upload-pack',
        headers: {
          ...bearer(t.token('DEPLOYER')),
          'content-type': 'application/x-git-upload-pack-request',
          ...(encoding ? { 'content-encoding': encoding } : {}),
        },
        body,
      });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-git-upload-pack-result');
      expect(response.body.startsWith('0008NAK\nPACK')).toBe(true);
    }
  });
});

describe('refused', () => {
  it('a wrong token: git fails with an authentication error; no token: 401 with a Basic challenge', async () => {
    const wrong = await runGit(['ls-remote', basicUrl(base, 'shop', 'btu_not-a-real-token')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed for/);
    const wrongBearer = await runGit([...bearerConfig('btu_not-a-real-token'), 'ls-remote', plainUrl(base, 'shop')]);
    expect(wrongBearer.code).not.toBe(0);
    expect(wrongBearer.stderr).toMatch(/could not read Username|Authentication failed/);
    const none = await runGit(['ls-remote', plainUrl(base, 'shop')]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/could not read Username/);

    for (const headers of [{}, basic('btu_not-a-real-token'), bearer('btu_not-a-real-token'), { authorization: 'Digest x' }]) {
      const response = await rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="Backtrack"');
    }
    // Without valid credentials nothing tells whether a project exists.
    const unknown = await rawRequest(base, { path: '/git/no-such-project.git/info/refs?service=git-upload-pack', headers: basic('btu_nope') });
    expect(unknown.status).toBe(401);
  });

  it('failed authentications are logged with project, client address and reason; tokens never are', async () => {
    const secret = 'btu_this-token-must-never-be-logged';
    await runGit(['ls-remote', basicUrl(base, 'shop', secret)]);
    await rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers: bearer(secret) });
    await gitOk(['ls-remote', basicUrl(base, 'shop', t.token('DEPLOYER'))]);
    const refused = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'git http: access refused');
    expect(refused).toContainEqual(expect.objectContaining({ project: 'shop', client: '127.0.0.1', reason: 'unknown or revoked token', status: 401, level: 40 }));
    const everything = logLines.join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(t.token('DEPLOYER'));
    expect(everything).not.toContain(Buffer.from(`argocd:${secret}`).toString('base64'));
    // Served requests are logged too, by token id.
    expect(logLines.some((line) => line.includes('"msg":"git http request"') && line.includes('"project":"shop"'))).toBe(true);
  });

  it('git push is refused with 403 before anything is spawned, and main stays where it was', async () => {
    const before = mainOfServer();
    const dir = nextDir();
    const url = basicUrl(base, 'shop', t.token('ADMIN'));
    await gitOk(['clone', url, dir]);
    fs.writeFileSync(path.join(dir, 'tenants/acme/production/environment.yaml'), 'pushed: true\n');
    await gitOk(['-C', dir, 'commit', '-qam', 'sneaky push']);
    const push = await runGit(['-C', dir, 'push', 'origin', 'HEAD:main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);
    expect(push.stderr).toMatch(/pushing is not allowed/);
    for (const request of [
      { method: 'GET', path: '/git/shop.git/info/refs?service=git-receive-pack' },
      { method: 'POST', path: '/git/shop.git/git-receive-pack' },
    ]) {
      // Whoever asks, even without credentials: the answer is Backtrack's own, not http-backend's.
      for (const headers of [{}, bearer(t.token('ADMIN'))]) {
        const response = await rawRequest(base, { ...request, headers });
        expect(response.status).toBe(403);
        expect(response.body).toMatch(/^pushing is not allowed/);
      }
    }
    expect(gitProcessesServing(t.config.repositoriesDir)).toEqual([]);
    expect(mainOfServer()).toBe(before);
  });

  it('path tricks get 404 and never reach the filesystem outside the repositories directory', async () => {
    // A bare repository in the directory that is no project of the database is not served either.
    git(path.join(t.config.repositoriesDir, 'stray.git'), ['init', '--bare', '-q']);
    const upload = 'info/refs?service=git-upload-pack';
    const paths = [
      `/git/shop.git/../stray.git/${upload}`,
      `/git/../repositories/shop.git/${upload}`,
      `/git/%2e%2e/shop.git/${upload}`,
      `/git/.%2e/backtrack.sqlite.git/${upload}`,
      `/git/shop.git%2Finfo%2Frefs?service=git-upload-pack`,
      `/git/shop%2Egit/${upload}`,
      `/git/..%2F..%2Fetc.git/${upload}`,
      `/git//etc/passwd.git/${upload}`,
      `/git/%2Fetc%2Fpasswd.git/${upload}`,
      `/git/${encodeURIComponent(t.config.repositoriesDir)}%2Fshop.git/${upload}`,
      `/git/shop.git/info/refs/../../../../../etc/passwd`,
      `/git/shop.git/./${upload}`,
      `/git/Shop.git/${upload}`,
      `/git/stray.git/${upload}`,
      `/git/no-such-project.git/${upload}`,
      '/git/shop.git',
      '/git/shop.git/',
      '/git/shop.git/HEAD',
      '/git/shop.git/objects/info/packs',
      '/git/shop.git/info/refs',
      '/git/shop.git/info/refs?service=git-upload-archive',
    ];
    for (const requestPath of paths) {
      const response = await rawRequest(base, { path: requestPath, headers: bearer(t.token('ADMIN')) });
      expect([requestPath, response.status, response.body]).toEqual([requestPath, 404, 'repository not found\n']);
    }
    const clone = await runGit(['clone', basicUrl(base, 'stray', t.token('ADMIN')), nextDir()]);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/not found/);
  });
});
