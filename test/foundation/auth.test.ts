import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, hashToken } from '../../src/domain/auth';
import { createUserToken, userByEmail } from '../../src/domain/admin';
import { createTestApp, type TestApp } from '../kit/app';
import { TenantEnvironmentDocument, ViewerDocument } from '../kit/documents/workspace';


describe('bearer tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function withAuthorization(authorization: string | null, document = ViewerDocument, variables = {}) {
    const response = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  }

  it.each([
    ['no header', null],
    ['an unknown token', 'Bearer btu_unknown'],
    ['a token with one character changed', 'TOKEN_TAMPERED'],
    ['the token hash instead of the token', 'TOKEN_HASH'],
    ['another scheme', 'BASIC_SCHEME'],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with UNAUTHENTICATED and no data', async (_label, header) => {
    const deployer = t.token('DEPLOYER');
    const authorization =
      header === 'TOKEN_TAMPERED'
        ? `Bearer ${deployer.slice(0, -1)}${deployer.endsWith('A') ? 'B' : 'A'}`
        : header === 'TOKEN_HASH'
          ? `Bearer ${hashToken(deployer)}`
          : header === 'BASIC_SCHEME'
            ? `Basic ${Buffer.from(`x:${deployer}`).toString('base64')}`
            : header;
    const result = await withAuthorization(authorization);
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('accepts the scheme in any case', async () => {
    const result = await withAuthorization(`bearer ${t.token('APPROVER')}`);
    expect(result.errors).toBeUndefined();
    expect((result.data as { viewer: { email: string } }).viewer.email).toBe('alex.approver@acme.example.com');
  });

  it('gives every demo user their own role through viewer', async () => {
    const roles = await Promise.all(
      (['DEPLOYER', 'APPROVER', 'APPROVER2', 'ADMIN'] as const).map(async (role) => (await t.gql(role, ViewerDocument)).data?.viewer),
    );
    expect(roles.map((v) => v?.projectRoles.map((r) => r.role))).toEqual([['DEPLOYER'], ['APPROVER'], ['APPROVER'], ['ADMIN']]);
    expect(new Set(roles.map((v) => v?.email)).size).toBe(4);
  });

  it('stores a sha256 hash, never the token, and a new token works at once', async () => {
    const user = await userByEmail(t.app.backend, 'ada.admin@acme.example.com');
    const { id, token } = await createUserToken(t.app.backend, user.id, 'second laptop');
    const [row] = await t.app.database.query('select * from api_tokens where id = ?', [id]);
    expect(row!.token_hash).toBe(hashToken(token));
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    const actor = await authenticate(t.app.backend.stores, token);
    expect(actor?.kind === 'user' && actor.user.email).toBe('ada.admin@acme.example.com');
    const result = await withAuthorization(`Bearer ${token}`);
    expect((result.data as { viewer: { email: string } }).viewer.email).toBe('ada.admin@acme.example.com');
  });

  it('issues distinct random tokens each time', async () => {
    const user = await userByEmail(t.app.backend, 'ada.admin@acme.example.com');
    const issued = await Promise.all([1, 2, 3].map(() => createUserToken(t.app.backend, user.id, 'x')));
    expect(new Set(issued.map((i) => i.token)).size).toBe(3);
    for (const { token } of issued) expect(Buffer.from(token.slice(4), 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('lets the agent token read only the tenant-environments in its scope', async () => {
    const inScope = await t.gql('AGENT', TenantEnvironmentDocument, { project: 'shop', tenant: 'acme', environment: 'production' });
    expect(inScope.errors).toBeUndefined();
    expect(inScope.data?.tenantEnvironment?.headRevision).toMatch(/^[0-9a-f]{40}$/);
    const viewer = await t.gql('AGENT', ViewerDocument);
    expect(viewer.data ?? null).toBeNull();
    expect(viewer.errors?.[0]?.extensions?.code, JSON.stringify(viewer.errors)).toBe('USER_REQUIRED');
  });
});
