import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { ViewerDocument } from '../kit/documents/workspace';

describe('viewer and authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('returns the caller with their project roles', async () => {
    const result = await t.gql('DEPLOYER', ViewerDocument);
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer.email).toBe('dana.deployer@acme.example.com');
    expect(result.data?.viewer.projectRoles).toEqual([{ role: 'DEPLOYER', project: { slug: 'shop' } }]);
  });

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const result = await t.gql(null, ViewerDocument);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
