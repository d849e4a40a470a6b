/**
 * Object identity for client caches: node(id:) and nodes(ids:) over the ids objects already have
 * (decoded by prefix, nothing re-encoded), null for what the caller may not read, and stable ids for
 * SyncStatus and ApprovalPolicy wherever they are read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isObjectType } from 'graphql';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/domain/admin';
import { nodeTypeOf } from '../../src/graphql/types/node';
import { sourceFiles } from '../architecture/import-graph';
import { createTestApp, type TestApp } from '../kit/app';
import { call, expectError, ok, type Caller } from '../kit/client';
import { OpenBreakGlassDocument, SetApprovalPolicyDocument } from '../kit/documents/governance';
import { SyncStatusChangedDocument, SyncStatusDocument } from '../kit/documents/live';
import { NodeDocument, NodeIdsDocument, NodesDocument } from '../kit/documents/nodes';
import { AddNoteDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { connectWs, outsider, PROD, STAGING, subscribeWs, untilLive } from '../live/helpers';
import { RequestPromotionDocument, RequestReleaseDocument } from '../kit/documents/approvals';
import { report, reportInput, requestTagRollback, tenantEnvironment } from '../live/scenario';

const ROOT = path.join(import.meta.dirname, '../..');

let t: TestApp;
/** One id of every kind of node, with the type it must resolve to. */
let known: Array<{ id: string; typename: string }>;
let ids: { prod: string; staging: string; prodSync: string; prodPolicy: string; stagingPolicy: string };

const nodes = async (caller: Caller, list: string[]) => ok(await call(t, caller, NodesDocument, { ids: list })).nodes;

beforeAll(async () => {
  t = await createTestApp();
  // An approved (and completed) request with a review and a note, and a break-glass session: every kind of object exists.
  const te = await tenantEnvironment(t, PROD);
  const request = await requestTagRollback(t, 'DEPLOYER', te.tagTarget);
  ok(await call(t, 'APPROVER', ReviewDocument, { input: { id: request.id, decision: 'APPROVE', comment: 'go' } }));
  ok(await call(t, 'DEPLOYER', AddNoteDocument, { id: request.id, note: 'root cause: an untested tag' }));
  const release = ok(
    await call(t, 'DEPLOYER', RequestReleaseDocument, {
      input: { ...PROD, services: [{ service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.5.1' }] }] },
    }),
  ).requestRelease;
  const promotion = ok(
    await call(t, 'DEPLOYER', RequestPromotionDocument, { input: { project: 'shop', tenant: 'acme', fromEnvironment: 'staging', toEnvironment: 'production', service: 'catalog' } }),
  ).requestPromotion;
  ok(await call(t, 'DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'identity test' } }));

  const data = ok(await call(t, 'APPROVER', NodeIdsDocument));
  const project = data.project!;
  const tes = project.tenantEnvironments;
  const of = (where: { tenant: string; environment: string }) => tes.find((x) => x.tenant === where.tenant && x.environment === where.environment)!;
  const withRequest = tes.flatMap((x) => x.rollbackRequests).find((r) => r.id === request.id)!;
  known = [
    { id: data.viewer.id, typename: 'User' },
    { id: project.id, typename: 'Project' },
    { id: project.organization.id, typename: 'Organization' },
    { id: of(PROD).id, typename: 'TenantEnvironment' },
    { id: of(PROD).syncStatus.id, typename: 'SyncStatus' },
    { id: of(PROD).approvalPolicy.id, typename: 'ApprovalPolicy' },
    { id: of(PROD).deployments.edges[0]!.node.id, typename: 'Deployment' },
    { id: withRequest.id, typename: 'RollbackRequest' },
    { id: release.id, typename: 'ReleaseRequest' },
    { id: promotion.id, typename: 'PromotionRequest' },
    { id: withRequest.reviews[0]!.id, typename: 'RollbackReview' },
    { id: withRequest.notes[0]!.id, typename: 'RollbackNote' },
    { id: project.breakGlassSessions[0]!.id, typename: 'BreakGlassSession' },
    { id: project.auditEvents.edges[0]!.node.id, typename: 'AuditEvent' },
  ];
  ids = {
    prod: of(PROD).id,
    staging: of(STAGING).id,
    prodSync: of(PROD).syncStatus.id,
    prodPolicy: of(PROD).approvalPolicy.id,
    stagingPolicy: of(STAGING).approvalPolicy.id,
  };
});
afterAll(() => t.close());

describe('node(id:) and nodes(ids:)', () => {
  it('cover every type that implements Node', () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8'));
    const implementations = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'))
      .map((type) => type.name);
    expect(known.map((k) => k.typename).sort()).toEqual(implementations.sort());
  });

  it('take the ids objects already have, unchanged, and answer in the order asked', async () => {
    expect(known.find((k) => k.typename === 'RollbackRequest')!.id).toMatch(/^rbk-/);
    expect(known.find((k) => k.typename === 'TenantEnvironment')!.id).toMatch(/^te-/);
    expect(known.find((k) => k.typename === 'Deployment')!.id).toMatch(/^dep-/);
    for (const { id, typename } of known) {
      const node = ok(await call(t, 'APPROVER', NodeDocument, { id })).node;
      expect(node, id).toMatchObject({ __typename: typename, id });
    }
    const reversed = [...known].reverse();
    expect((await nodes('APPROVER', reversed.map((k) => k.id))).map((n) => n && { __typename: n.__typename, id: n.id })).toEqual(
      reversed.map((k) => ({ __typename: k.typename, id: k.id })),
    );
    // The same object twice is the same answer twice.
    expect(await nodes('APPROVER', [ids.prod, ids.prod])).toEqual([expect.objectContaining({ id: ids.prod }), expect.objectContaining({ id: ids.prod })]);
  });

  it('answer null for unknown ids and for objects the caller may not read', async () => {
    const unknown = ['rbk-doesnotexist', 'te-nope', 'nonsense', '', 'sync:', 'sync:te-nope', 'policy:env-nope', '999999', '0', 'dep-'];
    expect(await nodes('APPROVER', unknown)).toEqual(unknown.map(() => null));
    expect(ok(await call(t, 'APPROVER', NodeDocument, { id: 'rbk-doesnotexist' })).node).toBeNull();

    // Someone of another organization reads none of shop's objects, but sees themself.
    const other = await outsider(t);
    expect(await nodes({ token: other.token }, known.map((k) => k.id))).toEqual(known.map(() => null));
    expect(await nodes({ token: other.token }, [other.userId])).toEqual([expect.objectContaining({ __typename: 'User', id: other.userId })]);

    // An agent scoped to acme/staging reads what it serves, and nothing of acme/production or of the project as a whole.
    const agent = await createAgent(t.app.backend, { projectId: known.find((k) => k.typename === 'Project')!.id, name: 'staging-only', tenantEnvironmentIds: [ids.staging] });
    const seen = await nodes({ token: agent.token }, [ids.staging, `sync:${ids.staging}`, ids.stagingPolicy, ids.prod, ids.prodSync, ids.prodPolicy]);
    expect(seen.map((n) => n?.__typename ?? null)).toEqual(['TenantEnvironment', 'SyncStatus', 'ApprovalPolicy', null, null, null]);
    const projectWide = known.filter((k) => ['User', 'BreakGlassSession', 'RollbackRequest', 'RollbackReview', 'RollbackNote', 'AuditEvent'].includes(k.typename));
    expect(await nodes({ token: agent.token }, projectWide.map((k) => k.id))).toEqual(projectWide.map(() => null));
  });

  it(`take at most 100 ids`, async () => {
    expectError(await call(t, 'APPROVER', NodesDocument, { ids: Array.from({ length: 101 }, () => ids.prod) }), { code: 'TOO_MANY_IDS', status: 400 });
  });

  it('know the type of every id prefix the domain makes, except those of objects that are not Nodes', () => {
    // Agents; tokens, tenants and environments (onboarding lists them with their ids, but they are not Nodes yet;
    // an environment's policy is, as ApprovalPolicy).
    // Deployment notes and the reviews of release/promotion requests are read through their deployment or request.
    const NOT_EXPOSED = new Set(['agt', 'tok', 'ten', 'env', 'dnote', 'crv', 'ntt']);
    const prefixes = new Set(
      sourceFiles(path.join(ROOT, 'src')).flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/newId\('([a-z]+)'/g)].map((m) => m[1]!)),
    );
    expect(prefixes.size).toBeGreaterThan(5);
    for (const prefix of prefixes) {
      if (NOT_EXPOSED.has(prefix)) expect(nodeTypeOf(`${prefix}-abc`), prefix).toBeNull();
      else expect(nodeTypeOf(`${prefix}-abc`), `the Node type of ${prefix}- ids`).not.toBeNull();
    }
  });
});

describe('ids for normalized client caches', () => {
  it('SyncStatus: the same id from TenantEnvironment.syncStatus, reportSyncStatus and syncStatusChanged', async () => {
    expect(ids.prodSync).toBe(`sync:${ids.prod}`);
    const queried = ok(await call(t, 'DEPLOYER', SyncStatusDocument, PROD)).tenantEnvironment!;
    expect(queried.syncStatus.id).toBe(ids.prodSync);

    const baseUrl = await t.listen();
    const socket = connectWs(baseUrl, t.token('DEPLOYER'));
    try {
      await socket.connected;
      const events = subscribeWs(socket, SyncStatusChangedDocument, { tenantEnvironmentId: ids.prod });
      const reported = await (async () => {
        let last: string | undefined;
        await untilLive([events], async () => {
          last = ok(await report(t, 'AGENT', reportInput(PROD, queried.headRevision!))).reportSyncStatus.id;
        });
        return last;
      })();
      events.stop();
      expect(reported).toBe(ids.prodSync);
      expect(events.events[0]!.syncStatusChanged.id).toBe(ids.prodSync);
    } finally {
      await socket.dispose();
    }
  });

  it("ApprovalPolicy: one id per environment, shared by that environment's tenant-environments", async () => {
    expect(ids.prodPolicy).toMatch(/^policy:env-/);
    expect(ids.stagingPolicy).not.toBe(ids.prodPolicy);
    const project = ok(await call(t, 'APPROVER', NodeIdsDocument)).project!;
    const globex = project.tenantEnvironments.find((x) => x.tenant === 'globex' && x.environment === 'production')!;
    expect(globex.approvalPolicy.id).toBe(ids.prodPolicy);
    expect(project.approvalPolicies.find((p) => p.environment === 'production')!.id).toBe(ids.prodPolicy);
    // A changed policy keeps its id: the cached object is updated, not replaced.
    ok(await call(t, 'ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true, quorum: 2 } }));
    expect(ok(await call(t, 'APPROVER', NodeDocument, { id: ids.prodPolicy })).node).toMatchObject({ __typename: 'ApprovalPolicy', id: ids.prodPolicy, quorum: 2 });
    const after = ok(await call(t, 'APPROVER', NodeIdsDocument)).project!;
    expect(after.tenantEnvironments.find((x) => x.tenant === 'acme' && x.environment === 'production')!.approvalPolicy.id).toBe(ids.prodPolicy);
  });
});
