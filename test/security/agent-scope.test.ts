/**
 * Issue 11.4: a cluster agent reads only the tenant-environments it serves, everywhere. Checked by
 * walking every field of the schema reachable from `project` (generated from the schema itself, so
 * a field added later is walked too) with a token of an agent scoped to acme/staging, and looking
 * for anything of the other tenant-environments or of the project as a whole in the answer.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { schema } from '../../src/graphql';
import { createTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { OpenBreakGlassDocument } from '../kit/documents/governance';
import { RequestRollbackDocument } from '../kit/documents/rollbacks';
import { previousRevision, PROD, requestTagRollback, STAGING, stagingTagTarget, tagRollback } from '../requests/helpers';

/** A sample value for an argument, or undefined to leave an optional one out. */
function sampleArgument(name: string, type: GraphQLInputType, revision: string): string | undefined {
  const named = getNamedType(type);
  if (!isNonNullType(type) && name !== 'first') return undefined;
  if (name === 'first') return '5';
  if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) return JSON.stringify(revision);
  if (isScalarType(named) && named.name === 'Int') return '5';
  if (isScalarType(named) && named.name === 'Boolean') return 'false';
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) throw new Error(`no sample for input ${named.name} of ${name}`);
  return JSON.stringify(revision);
}

/** Every field below `type`, each object type at most twice on a path, down to `depth`. */
function selectAll(type: GraphQLObjectType, depth: number, revision: string, path: string[] = []): string {
  const fields = Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>;
  const selections = fields.flatMap((field) => {
    const named = getNamedType(field.type);
    const args = field.args
      .map((arg) => [arg.name, sampleArgument(arg.name, arg.type, revision)] as const)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}: ${value}`);
    const head = args.length ? `${field.name}(${args.join(', ')})` : field.name;
    if (isScalarType(named) || isEnumType(named)) return [head];
    if (depth === 0 || path.filter((seen) => seen === named.name).length >= 2) return [];
    if (isObjectType(named)) {
      const inner = selectAll(named, depth - 1, revision, [...path, named.name]);
      return inner ? [`${head} { ${inner} }`] : [];
    }
    if (isInterfaceType(named) || isUnionType(named)) return [`${head} { __typename }`];
    return [];
  });
  return selections.join(' ');
}

describe('an agent scoped to one tenant-environment', () => {
  let t: TestApp;
  let agentToken: string;
  const secrets: Record<string, string> = {};
  let ids: { staging: string; others: string[] };
  let walkQuery: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_DEPTH: '40', MAX_TOKENS: '200000', MAX_COST: '10000000', MAX_ALIASES: '1000' } });
    const backend = t.app.backend;
    const project = (await backend.stores.projects.bySlug('shop'))!;
    const all = await backend.stores.tenantEnvironments.ofProject(project.id);
    const staging = all.find((te) => te.ref.tenant === 'acme' && te.ref.environment === 'staging')!;
    ids = { staging: staging.id, others: all.filter((te) => te.id !== staging.id).map((te) => te.id) };
    ({ token: agentToken } = await createAgent(backend, { projectId: project.id, name: 'staging-only', tenantEnvironmentIds: [staging.id] }));

    // Things of other tenant-environments and of the project as a whole, each with a text to look for.
    secrets.productionJustification = 'SECRET-production-justification';
    const pending = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await previousRevision(t, PROD), PROD, secrets.productionJustification))).requestRollback;
    secrets.productionRequestId = pending.id;
    secrets.breakGlassJustification = 'SECRET-break-glass-justification';
    ok(await t.gql('APPROVER', OpenBreakGlassDocument, { input: { project: 'shop', justification: secrets.breakGlassJustification } }));
    // And one of its own, which it may read.
    const own = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING, 'staging-own-justification'))).requestRollback;
    expect(own.state).toBe('COMPLETED');
    await requestTagRollback(t, 'DEPLOYER', { project: 'shop', tenant: 'globex', environment: 'production' }).catch(() => undefined);

    const revision = (await backend.repositories.forProject('shop').then((git) => git.head()))!;
    const queryType = schema.getQueryType()!;
    const projectField = queryType.getFields().project!;
    walkQuery = `{ project(slug: "shop") { ${selectAll(getNamedType(projectField.type) as GraphQLObjectType, 6, revision)} } }`;
  });
  afterAll(() => t.close());

  it('walks a large part of the schema (the generated query is not trivial)', () => {
    expect(walkQuery.length).toBeGreaterThan(2000);
    for (const field of ['tenantEnvironments', 'auditEvents', 'breakGlassSessions', 'deployments', 'rollbackRequests', 'approvalPolicies']) {
      expect(walkQuery).toContain(field);
    }
  });

  it('sees nothing of the other tenant-environments or of the project as a whole', async () => {
    const response = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ query: walkQuery }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { data?: { project: Record<string, unknown> | null }; errors?: unknown[] };
    expect(body.data?.project, text.slice(0, 2000)).toBeTruthy();
    // Its own tenant-environment is there…
    expect(text).toContain(ids.staging);
    expect(text).toContain('staging-own-justification');
    // …and nothing of the others, of their requests, or of project-wide break-glass sessions.
    for (const other of ids.others) expect(text).not.toContain(other);
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    const project = body.data!.project!;
    expect((project.tenantEnvironments as Array<{ id: string }>).map((te) => te.id)).toEqual([ids.staging]);
    expect(project.breakGlassSessions).toEqual([]);
    const audit = (project.auditEvents as { edges: Array<{ node: { tenantEnvironmentId: string | null } }> }).edges;
    expect(audit.length).toBeGreaterThan(0);
    for (const { node } of audit) expect(node.tenantEnvironmentId).toBe(ids.staging);
  });

  it('cannot open another tenant-environment by slug or request id', async () => {
    const query = `{ tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { id } rollbackRequest(id: "${secrets.productionRequestId}") { id } }`;
    const response = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ query }),
    });
    expect(await response.json()).toEqual({ data: { tenantEnvironment: null, rollbackRequest: null } });
  });
});
