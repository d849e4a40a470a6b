/**
 * Who may clone: users with any role in the project and the project's repository read tokens, which
 * ADMINs manage through GraphQL (created once, listed, revoked, optionally expiring, audited). Agents
 * are refused with 403, tokens of other projects get 404, expired and revoked ones 401.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createProject, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { issueToken } from '../../src/domain/auth';
import { argoCdRepositorySnippet } from '../../src/domain/repository-tokens';
import { allAuditEvents } from '../kit/db';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import {
  CreateRepositoryTokenDocument,
  RepositoryTokensDocument,
  RepositoryUrlDocument,
  RevokeRepositoryTokenDocument,
  ViewerEmailDocument,
} from './documents';
import { basicUrl, bearer, data, gitOk, gqlAs, rawRequest, runGit } from './helpers';

let t: TestApp;
let base: string;
let work: string;
let shopId: string;
let clones = 0;
const nextDir = () => path.join(work, `clone-${++clones}`);

beforeAll(async () => {
  t = await createTestApp();
  base = await t.listen();
  work = tempDir('backtrack-git-access-');
  shopId = (await t.app.backend.stores.projects.bySlug('shop'))!.id;
  const organization = await t.app.backend.stores.organizations.bySlug('acme-corp');
  await createProject(t.app.backend, { organizationId: organization!.id, slug: 'billing', name: 'Billing' });
});

afterAll(async () => {
  await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Whether the token clones `project`: the exit code and what git said. */
async function clone(project: string, token: string) {
  return runGit(['clone', '--bare', basicUrl(base, project, token), nextDir()]);
}

async function createToken(name: string, expiresInDays?: number) {
  return data(await t.gql('ADMIN', CreateRepositoryTokenDocument, { input: { project: 'shop', name, expiresInDays } })).createRepositoryToken;
}

function errorOf(result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown>; message: string }> }) {
  expect(result.errors, 'an error').toBeDefined();
  return { code: result.errors![0]!.extensions?.code, status: result.errors![0]!.extensions?.status, message: result.errors![0]!.message };
}

describe('repository read tokens', () => {
  it('an ADMIN creates one (shown once), it clones the project, and the list shows it without its secret, with its last use', async () => {
    const created = await createToken('argocd-prod');
    expect(created.token).toMatch(/^btr_[A-Za-z0-9_-]{43}$/);
    expect(created.repositoryToken).toMatchObject({ name: 'argocd-prod', expiresAt: null, lastUsedAt: null, revokedAt: null, active: true });

    const run = await clone('shop', created.token);
    expect(run.code, run.stderr).toBe(0);
    const listed = data(await t.gql('ADMIN', RepositoryTokensDocument, { project: 'shop' })).project!.repositoryTokens;
    const mine = listed.find((token) => token.id === created.repositoryToken.id)!;
    expect(mine).toMatchObject({ name: 'argocd-prod', active: true, revokedAt: null });
    expect(mine.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    // Stored hashed: the database never holds the token itself.
    const rows = await t.app.database.query('select * from api_tokens where id = ?', [created.repositoryToken.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(rows[0]).toMatchObject({ project_id: shopId, user_id: null, agent_id: null, expires_at: null });
  });

  it('only ADMINs create, list and revoke them; a user without a role in the project gets not found', async () => {
    const input = { project: 'shop', name: 'nope' };
    for (const role of ['DEPLOYER', 'APPROVER'] as const) {
      expect(errorOf(await t.gql(role, CreateRepositoryTokenDocument, { input }))).toMatchObject({ code: 'INSUFFICIENT_ROLE', status: 403 });
      expect(errorOf(await t.gql(role, RepositoryTokensDocument, { project: 'shop' }))).toMatchObject({ code: 'INSUFFICIENT_ROLE', status: 403 });
    }
    const { repositoryToken } = await createToken('kept');
    expect(errorOf(await t.gql('DEPLOYER', RevokeRepositoryTokenDocument, { id: repositoryToken.id }))).toMatchObject({ code: 'INSUFFICIENT_ROLE' });
    expect(errorOf(await t.gql('AGENT', CreateRepositoryTokenDocument, { input }))).toMatchObject({ code: 'USER_REQUIRED', status: 403 });
    const outsider = await createUser(t.app.backend, { email: 'outsider@example.com', name: 'Outsider' });
    const { token } = await createUserToken(t.app.backend, outsider, 'laptop');
    expect(errorOf(await gqlAs(t, token, CreateRepositoryTokenDocument, { input }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(errorOf(await gqlAs(t, token, RevokeRepositoryTokenDocument, { id: repositoryToken.id }))).toMatchObject({ code: 'NOT_FOUND' });
    // User tokens are not repository tokens: not found here, even for an ADMIN.
    const adminTokenId = (await t.app.database.query('select id from api_tokens where user_id is not null limit 1'))[0]!.id as string;
    expect(errorOf(await t.gql('ADMIN', RevokeRepositoryTokenDocument, { id: adminTokenId }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('bad names and expiries are refused', async () => {
    for (const [input, code] of [
      [{ project: 'shop', name: '  ' }, 'INVALID_TOKEN_NAME'],
      [{ project: 'shop', name: 'x'.repeat(101) }, 'INVALID_TOKEN_NAME'],
      [{ project: 'shop', name: 'argocd', expiresInDays: 0 }, 'INVALID_EXPIRY'],
      [{ project: 'shop', name: 'argocd', expiresInDays: 3651 }, 'INVALID_EXPIRY'],
    ] as const) {
      expect(errorOf(await t.gql('ADMIN', CreateRepositoryTokenDocument, { input }))).toMatchObject({ code, status: 400 });
    }
  });

  it('a revoked token gets 401 at once; revoking twice is refused; creation and revocation are audited', async () => {
    const { token, repositoryToken } = await createToken('to-revoke');
    expect((await clone('shop', token)).code).toBe(0);
    const revoked = data(await t.gql('ADMIN', RevokeRepositoryTokenDocument, { id: repositoryToken.id })).revokeRepositoryToken;
    expect(revoked).toMatchObject({ id: repositoryToken.id, active: false });
    expect(revoked.revokedAt).not.toBeNull();
    const refused = await clone('shop', token);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed/);
    expect(errorOf(await t.gql('ADMIN', RevokeRepositoryTokenDocument, { id: repositoryToken.id }))).toMatchObject({ code: 'TOKEN_ALREADY_REVOKED', status: 400 });

    const events = (await allAuditEvents(t, shopId)).filter((e) => e.targetId === repositoryToken.id);
    const adminId = (await t.app.backend.stores.users.byEmail('ada.admin@acme.example.com'))!.id;
    expect(events.map((e) => [e.action, e.actorUserId, e.targetType])).toEqual([
      ['repository_token.created', adminId, 'RepositoryToken'],
      ['repository_token.revoked', adminId, 'RepositoryToken'],
    ]);
    expect(events[0]!.details).toEqual({ name: 'to-revoke', expiresAt: null });
  });

  it('an expiring token clones until it expires, then gets 401 and is listed as inactive', async () => {
    const { token, repositoryToken } = await createToken('weekly', 7);
    const created = new Date(repositoryToken.createdAt).getTime();
    expect(new Date(repositoryToken.expiresAt!).getTime() - created).toBeGreaterThan(7 * 86_400_000 - 5_000);
    expect((await clone('shop', token)).code).toBe(0);
    const realNow = t.app.backend.now;
    t.app.backend.now = () => new Date(realNow().getTime() + 8 * 86_400_000);
    try {
      const refused = await clone('shop', token);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Authentication failed/);
      const listed = data(await t.gql('ADMIN', RepositoryTokensDocument, { project: 'shop' })).project!.repositoryTokens;
      expect(listed.find((r) => r.id === repositoryToken.id)).toMatchObject({ active: false, revokedAt: null });
    } finally {
      t.app.backend.now = realNow;
    }
  });

  it('expiry holds for every kind of token: an expired user token gets 401 saying TOKEN_EXPIRED over Git and TOKEN_EXPIRED over GraphQL', async () => {
    const userId = (await t.app.backend.stores.users.byEmail('dana.deployer@acme.example.com'))!.id;
    const past = new Date(t.app.backend.now().getTime() - 1000);
    const { token } = await t.app.backend.transact(({ stores }) => issueToken(stores, { userId }, 'expired laptop', past));
    const response = await rawRequest(base, { path: '/git/shop.git/info/refs?service=git-upload-pack', headers: bearer(token) });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="Backtrack"');
    expect(response.body.toString()).toContain('TOKEN_EXPIRED');
    expect(errorOf(await gqlAs(t, token, ViewerEmailDocument))).toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
  });

  it('a repository token reads nothing through the GraphQL API', async () => {
    const { token } = await createToken('git only');
    expect(errorOf(await gqlAs(t, token, ViewerEmailDocument))).toMatchObject({ code: 'USER_REQUIRED', status: 403 });
    expect(data(await gqlAs(t, token, RepositoryUrlDocument, { project: 'shop' })).project).toBeNull();
  });
});

describe('who may clone', () => {
  it('any role in the project clones, VIEWER included', async () => {
    const viewer = await createUser(t.app.backend, { email: 'vera.viewer@example.com', name: 'Vera' });
    await grantRole(t.app.backend, { userId: viewer, projectId: shopId, role: 'VIEWER' });
    const { token } = await createUserToken(t.app.backend, viewer, 'laptop');
    for (const caller of [token, t.token('DEPLOYER'), t.token('APPROVER'), t.token('ADMIN')]) {
      const run = await clone('shop', caller);
      expect(run.code, run.stderr).toBe(0);
    }
  });

  it('an agent token cannot clone: 403 with a message saying why', async () => {
    const run = await clone('shop', t.token('AGENT'));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/403/);
    expect(run.stderr).toMatch(/cluster agent tokens cannot read the repository/);
    // Whatever the project: nothing about other projects is told to an agent either.
    for (const project of ['billing', 'no-such-project']) {
      const response = await rawRequest(base, { path: `/git/${project}.git/info/refs?service=git-upload-pack`, headers: bearer(t.token('AGENT')) });
      expect(response.status).toBe(403);
    }
  });

  it("a repository token of project A cannot clone project B, nor can a user without a role in it: not found, as for a project that does not exist", async () => {
    const billing = await argoCdRepositorySnippet(t.app.backend, { project: 'billing' });
    const shop = await createToken('shop only');
    expect((await clone('billing', billing.token)).code).toBe(0);
    for (const [project, token] of [
      ['shop', billing.token],
      ['billing', shop.token],
      ['billing', t.token('DEPLOYER')],
      ['no-such-project', shop.token],
    ] as const) {
      const run = await clone(project, token);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/repository '.*' not found/);
      const response = await rawRequest(base, { path: `/git/${project}.git/info/refs?service=git-upload-pack`, headers: bearer(token) });
      expect([project, response.status]).toEqual([project, 404]);
    }
  });
});

describe('discoverable', () => {
  it('Project.repositoryUrl names the clone URL: the bound port by default, PUBLIC_URL when set', async () => {
    const url = data(await t.gql('DEPLOYER', RepositoryUrlDocument, { project: 'shop' })).project!.repositoryUrl;
    expect(url).toBe(`${base.replace('127.0.0.1', 'localhost')}/git/shop.git`);
    const behindProxy = await createTestApp({ env: { PUBLIC_URL: 'https://backtrack.example.com/ops/' } });
    try {
      expect(data(await behindProxy.gql('AGENT', RepositoryUrlDocument, { project: 'shop' })).project!.repositoryUrl).toBe(
        'https://backtrack.example.com/ops/git/shop.git',
      );
    } finally {
      await behindProxy.close();
    }
  });

  it('argoCdRepositorySnippet: the URL, a new repository token that clones, the argocd repo add command and an Application for a tenant-environment', async () => {
    const snippet = await argoCdRepositorySnippet(t.app.backend, { project: 'shop' });
    expect(snippet.url).toBe(data(await t.gql('DEPLOYER', RepositoryUrlDocument, { project: 'shop' })).project!.repositoryUrl);
    expect(snippet.token).toMatch(/^btr_/);
    expect(snippet.argocdCommand).toBe(`argocd repo add ${snippet.url} --username argocd --password ${snippet.token}`);
    const application = parseYaml(snippet.applicationManifest) as {
      kind: string;
      metadata: { name: string };
      spec: { source: { repoURL: string; targetRevision: string; path: string; directory: { include: string } }; destination: { namespace: string } };
    };
    expect(application).toMatchObject({
      kind: 'Application',
      metadata: { name: 'shop-acme-production' },
      spec: {
        source: { repoURL: snippet.url, targetRevision: 'main', path: 'tenants/acme/production', directory: { include: 'manifests/*.yaml' } },
        destination: { namespace: 'acme-production' },
      },
    });
    // What Argo CD does with it: fetch main over HTTP with the username and password given.
    const dir = nextDir();
    await gitOk(['clone', '--depth', '1', '--branch', 'main', basicUrl(base, 'shop', snippet.token, snippet.username), dir]);
    expect(fs.readdirSync(path.join(dir, application.spec.source.path, 'manifests')).length).toBeGreaterThan(0);

    const globex = await argoCdRepositorySnippet(t.app.backend, { project: 'shop', tenant: 'globex', environment: 'staging', tokenName: 'argocd-staging' });
    expect(globex.applicationManifest).toContain('    path: tenants/globex/staging\n');
    await expect(argoCdRepositorySnippet(t.app.backend, { project: 'shop', tenant: 'nobody', environment: 'staging' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(argoCdRepositorySnippet(t.app.backend, { project: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const audited = (await allAuditEvents(t, shopId)).find((e) => e.targetId === snippet.tokenId)!;
    expect(audited).toMatchObject({ action: 'repository_token.created', actorUserId: null, details: { name: 'argocd', expiresAt: null, via: 'admin CLI' } });
  });
});
