/**
 * Query abuse limits: each refuses a query one step over with its own code and lets one step under
 * (exactly at the limit) through; introspection and GraphiQL switch off by config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { codes, post } from './helpers';

/** `{ __typename __typename … }`: n fields, n + 2 tokens, cost n, depth 1. */
const typenames = (n: number) => `{ ${Array.from({ length: n }, () => '__typename').join(' ')} }`;
/** `{ a0: __typename a1: __typename … }`: n aliases. */
const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
/** n directives, one per (merged) field. */
const directed = (n: number) => `{ ${Array.from({ length: n }, () => '__typename @include(if: true)').join(' ')} }`;

function expectRefused(response: Awaited<ReturnType<typeof post>>, code: string, message: RegExp): void {
  expect(response.status, response.text).toBe(400);
  expect(response.body.data ?? null).toBeNull();
  expect(codes(response), response.text).toEqual([code]);
  expect(response.body.errors![0]!.message).toMatch(message);
  // A limit names itself, never the parser: no "Syntax Error" for a well-formed query.
  expect(response.body.errors![0]!.message).not.toMatch(/Syntax Error/);
}

function expectPassed(response: Awaited<ReturnType<typeof post>>): void {
  expect(response.body.errors, response.text).toBeUndefined();
  expect(response.status).toBe(200);
  expect(response.body.data).toBeTruthy();
}

/** One app per limit, with only that limit lowered, so no other limit interferes. */
function withApp(env: Record<string, string>): () => TestApp {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env });
  });
  afterAll(() => t.close());
  return () => t;
}

describe('depth limit (MAX_DEPTH=3)', () => {
  const app = withApp({ MAX_DEPTH: '3' });

  it('4 levels is refused with MAX_DEPTH_EXCEEDED', async () => {
    const response = await post(app(), 'DEPLOYER', { query: '{ viewer { projectRoles { project { slug } } } }' });
    expectRefused(response, 'MAX_DEPTH_EXCEEDED', /depth limit of 3 exceeded, found 4/);
  });

  it('3 levels passes', async () => {
    const response = await post(app(), 'DEPLOYER', { query: '{ viewer { projectRoles { role } } }' });
    expectPassed(response);
    expect(response.body.data).toEqual({ viewer: { projectRoles: [{ role: 'DEPLOYER' }] } });
  });

  it('a fragment does not hide levels', async () => {
    const response = await post(app(), 'DEPLOYER', {
      query: 'query Q { viewer { ...Roles } } fragment Roles on User { projectRoles { project { slug } } }',
    });
    expectRefused(response, 'MAX_DEPTH_EXCEEDED', /depth limit of 3 exceeded, found 4/);
  });
});

describe('aliases limit (MAX_ALIASES=3)', () => {
  const app = withApp({ MAX_ALIASES: '3' });

  it('4 aliases is refused with MAX_ALIASES_EXCEEDED', async () => {
    expectRefused(await post(app(), 'DEPLOYER', { query: aliased(4) }), 'MAX_ALIASES_EXCEEDED', /Aliases limit of 3 exceeded, found 4/);
  });

  it('3 aliases passes', async () => {
    const response = await post(app(), 'DEPLOYER', { query: aliased(3) });
    expectPassed(response);
    expect(Object.keys(response.body.data!)).toEqual(['a0', 'a1', 'a2']);
  });
});

describe('tokens limit (MAX_TOKENS=10)', () => {
  const app = withApp({ MAX_TOKENS: '10' });

  it('11 tokens is refused with MAX_TOKENS_EXCEEDED', async () => {
    expectRefused(await post(app(), 'DEPLOYER', { query: typenames(9) }), 'MAX_TOKENS_EXCEEDED', /Token limit of 10 exceeded/);
  });

  it('10 tokens passes', async () => {
    expectPassed(await post(app(), 'DEPLOYER', { query: typenames(8) }));
  });
});

describe('cost limit (MAX_COST=20)', () => {
  const app = withApp({ MAX_COST: '20' });

  it('cost 21 is refused with MAX_COST_EXCEEDED', async () => {
    expectRefused(await post(app(), 'DEPLOYER', { query: typenames(21) }), 'MAX_COST_EXCEEDED', /Cost limit of 20 exceeded, found 21\./);
  });

  it('cost 20 passes', async () => {
    expectPassed(await post(app(), 'DEPLOYER', { query: typenames(20) }));
  });

  it('list sizes count: `first: 10` multiplies its selection', async () => {
    // tenantEnvironment: 2 + 1.5 × deployments; deployments(first: 10), weight 10: 10 × (2 + 10 + 1.5 × edges);
    // edges: 2 + 1.5 × node; node: 2 + 1.5 × 1 — 2 + 1.5 × 10 × (12 + 1.5 × 7.25) = 345.125
    const response = await post(app(), 'DEPLOYER', {
      query: '{ tenantEnvironment(project: "shop", tenant: "acme", environment: "staging") { deployments(first: 10) { edges { node { revision } } } } }',
    });
    expectRefused(response, 'MAX_COST_EXCEEDED', /Cost limit of 20 exceeded, found 345\.125\./);
  });
});

describe('directives limit (fixed at 50)', () => {
  const app = withApp({});

  it('51 directives is refused with MAX_DIRECTIVES_EXCEEDED', async () => {
    expectRefused(await post(app(), 'DEPLOYER', { query: directed(51) }), 'MAX_DIRECTIVES_EXCEEDED', /Directives limit of 50 exceeded, found 51/);
  });

  it('50 directives passes', async () => {
    expectPassed(await post(app(), 'DEPLOYER', { query: directed(50) }));
  });
});

describe('limits apply before authentication and execution', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_DEPTH: '3' } });
  });
  afterAll(() => t.close());

  it('an anonymous over-deep query gets the limit code, not a resolver error', async () => {
    const response = await post(t, null, { query: '{ viewer { projectRoles { project { slug } } } }' });
    expect(codes(response)).toEqual(['MAX_DEPTH_EXCEEDED']);
  });
});

describe('introspection and GraphiQL', () => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await createTestApp();
    off = await createTestApp({ env: { INTROSPECTION: 'false', GRAPHIQL: 'false' } });
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  const introspection = '{ __schema { queryType { name } } }';

  it('introspection is on by default', async () => {
    const response = await post(on, 'DEPLOYER', { query: introspection });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('INTROSPECTION=false refuses __schema', async () => {
    const response = await post(off, 'DEPLOYER', { query: introspection });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('INTROSPECTION=false refuses __type', async () => {
    const response = await post(off, 'DEPLOYER', { query: '{ __type(name: "Query") { name } }' });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('INTROSPECTION=false does not suggest field names', async () => {
    const response = await post(off, 'DEPLOYER', { query: '{ viewr { id } }' });
    expect(response.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const suggested = await post(on, 'DEPLOYER', { query: '{ viewr { id } }' });
    expect(suggested.body.errors?.[0]?.message).toMatch(/Did you mean "viewer"/);
  });

  it('GraphiQL is served to a browser by default', async () => {
    const response = await on.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/graphiql/i);
  });

  it('GRAPHIQL=false does not serve GraphiQL', async () => {
    const response = await off.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    const text = await response.text();
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(text).not.toMatch(/graphiql/i);
  });
});

describe('weighted cost (the default MAX_COST)', () => {
  const app = withApp({});
  const history = (alias: string, first: string) =>
    `${alias}: tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { deployments(first: ${first}) { edges { node { revision compareWithCurrent { files { path unifiedDiff } } } } } }`;

  it('refuses two aliases of a history page with a diff per row (it would take seconds and megabytes)', async () => {
    expectRefused(await post(app(), 'DEPLOYER', { query: `{ ${history('a', '50')} ${history('b', '50')} }` }), 'MAX_COST_EXCEEDED', /Cost limit of 20000 exceeded/);
  });

  it('counts a page size given as a variable', async () => {
    const response = await post(app(), 'DEPLOYER', { query: `query($n: Int) { ${history('a', '$n')} }`, variables: { n: 100 } });
    expectRefused(response, 'MAX_COST_EXCEEDED', /Cost limit of 20000 exceeded/);
  });

  it('lets a short page of diffs and a long page of plain rows through', async () => {
    expectPassed(await post(app(), 'DEPLOYER', { query: `{ ${history('a', '5')} }` }));
    expectPassed(await post(app(), 'DEPLOYER', { query: '{ tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { deployments(first: 100) { edges { node { revision changes author { email } } } } } }' }));
  });
});
