/** Authorization by project role, and invisibility: a user of another project gets not-found everywhere. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { call, expectError, ok, type Caller } from '../kit/client';
import {
  AuditEventsDocument,
  BreakGlassSessionsDocument,
  CloseBreakGlassDocument,
  OpenBreakGlassDocument,
  SetApprovalPolicyDocument,
} from '../kit/documents/governance';
import { DeployReleaseDocument } from '../kit/documents/history';
import {
  AddNoteDocument,
  PreviewRollbackDocument,
  RequestRollbackDocument,
  RetryDocument,
  ReviewDocument,
  RollbackRequestDocument,
} from '../kit/documents/rollbacks';
import { ProjectDocument, TenantEnvironmentDocument } from '../kit/documents/workspace';
import { API_GATEWAY_VALUES, PROD, counts, makeUser, previousRevision, pushWithGitCli, requestTagRollback, review, tagRollback } from './helpers';

let t: TestApp;
let target: string;
/** Shop objects in every interesting state. */
let pending: string;
let completed: string;
let failed: string;
let session: string;

beforeAll(async () => {
  t = await createTestApp();
  target = await previousRevision(t);
  // FAILED: approved, but another tool changed the same field meanwhile.
  failed = (await requestTagRollback(t)).id;
  pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
  expectError(await review(t, 'APPROVER', failed, 'APPROVE'), { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500 });
  pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.2', 'tag: v2.1.1-rc0'));
  // COMPLETED, on acme/staging where no approval is needed.
  const staging = { ...PROD, environment: 'staging' };
  completed = ok(
    await t.gql('DEPLOYER', RequestRollbackDocument, {
      input: { rollback: { ...staging, mode: 'SERVICE', service: 'catalog', targetSha: await previousRevision(t, staging) }, justification: 'catalog ranking broken' },
    }),
  ).requestRollback.id;
  pending = (await requestTagRollback(t)).id;
  session = ok(await t.gql('ADMIN', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'drill' } })).openBreakGlassSession.id;
});
afterAll(() => t.close());

const stateOf = async (id: string) => ok(await t.gql('ADMIN', RollbackRequestDocument, { id })).rollbackRequest!.state;

describe('a user of another project', () => {
  let stranger: Caller;
  beforeAll(async () => {
    // An ADMIN of their own project, with every flag on its ENTERPRISE organization: only shop is out of reach.
    stranger = (await makeUser(t, 'ADMIN', 'elsewhere')).caller;
  });

  it('cannot see that shop, its tenant-environments or its requests exist', async () => {
    expect(ok(await call(t, stranger, ProjectDocument, { slug: 'shop' })).project).toBeNull();
    expect(ok(await call(t, stranger, ProjectDocument, { slug: 'no-such-project' })).project).toBeNull();
    expect(ok(await call(t, stranger, TenantEnvironmentDocument, PROD)).tenantEnvironment).toBeNull();
    expect(ok(await call(t, stranger, AuditEventsDocument, { slug: 'shop' })).project).toBeNull();
    expect(ok(await call(t, stranger, BreakGlassSessionsDocument, { slug: 'shop' })).project).toBeNull();
    for (const id of [pending, completed, failed, 'rbk-doesnotexist']) {
      expect(ok(await call(t, stranger, RollbackRequestDocument, { id })).rollbackRequest).toBeNull();
    }
  });

  it("gets not-found from every mutation on shop's objects, exactly as for objects that do not exist, and changes nothing", async () => {
    const before = await counts(t);
    const notFound = { code: 'NOT_FOUND', status: 404 };
    const same = async <R, V>(document: TypedDocumentNode<R, V>, real: V, unknown: V) => {
      const mine = expectError(await call(t, stranger, document, real), notFound);
      const none = expectError(await call(t, stranger, document, unknown), notFound);
      return [mine.message, none.message];
    };
    const elsewhere = { ...PROD, project: 'no-such-project' };

    let [mine, none] = await same(PreviewRollbackDocument, { input: tagRollback(target).input.rollback }, { input: tagRollback(target, elsewhere).input.rollback });
    expect(mine).toBe(none.replace('no-such-project', 'shop'));
    [mine, none] = await same(RequestRollbackDocument, tagRollback(target), tagRollback(target, elsewhere));
    expect(mine).toBe(none.replace('no-such-project', 'shop'));
    [mine, none] = await same(
      DeployReleaseDocument,
      { input: { ...PROD, services: [{ service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v9' }] }] } },
      { input: { ...elsewhere, services: [{ service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v9' }] }] } },
    );
    expect(mine).toBe(none.replace('no-such-project', 'shop'));

    for (const id of [pending, completed, failed]) {
      for (const decision of ['APPROVE', 'REJECT'] as const) {
        [mine, none] = await same(
          ReviewDocument,
          { input: { id, decision } },
          { input: { id: 'rbk-doesnotexist', decision } },
        );
        expect(mine).toBe(none.replace('rbk-doesnotexist', id));
      }
      [mine, none] = await same(RetryDocument, { id }, { id: 'rbk-doesnotexist' });
      expect(mine).toBe(none.replace('rbk-doesnotexist', id));
      [mine, none] = await same(AddNoteDocument, { id, note: 'hello' }, { id: 'rbk-doesnotexist', note: 'hello' });
      expect(mine).toBe(none.replace('rbk-doesnotexist', id));
    }

    [mine, none] = await same(OpenBreakGlassDocument, { input: { project: 'shop', justification: 'x' } }, { input: { project: 'no-such-project', justification: 'x' } });
    expect(mine).toBe(none.replace('no-such-project', 'shop'));
    [mine, none] = await same(CloseBreakGlassDocument, { id: session }, { id: 'bgs-doesnotexist' });
    expect(mine).toBe(none);
    [mine, none] = await same(
      SetApprovalPolicyDocument,
      { input: { project: 'shop', environment: 'production', approvalRequired: false } },
      { input: { project: 'no-such-project', environment: 'production', approvalRequired: false } },
    );
    expect(mine).toBe(none.replace('no-such-project', 'shop'));

    expect(await counts(t)).toEqual(before);
    expect(await stateOf(pending)).toBe('PENDING');
    expect(await stateOf(failed)).toBe('FAILED');
  });
});

describe('roles in the project', () => {
  let viewer: Caller;
  beforeAll(async () => {
    viewer = (await makeUser(t, 'VIEWER', 'shop')).caller;
  });

  it('a VIEWER reads everything', async () => {
    expect(ok(await call(t, viewer, ProjectDocument, { slug: 'shop' })).project!.slug).toBe('shop');
    expect(ok(await call(t, viewer, TenantEnvironmentDocument, PROD)).tenantEnvironment!.deployments.edges.length).toBeGreaterThan(0);
    expect(ok(await call(t, viewer, RollbackRequestDocument, { id: pending })).rollbackRequest!.state).toBe('PENDING');
    expect(ok(await call(t, viewer, AuditEventsDocument, { slug: 'shop' })).project!.auditEvents.edges.length).toBeGreaterThan(0);
    expect(ok(await call(t, viewer, BreakGlassSessionsDocument, { slug: 'shop' })).project!.breakGlassSessions).toHaveLength(1);
  });

  it('a VIEWER changes nothing: each mutation names the role it needs', async () => {
    const before = await counts(t);
    const needs = (role: string) => ({ code: 'INSUFFICIENT_ROLE', status: 403, message: `this operation requires the ${role} role in the project (you are VIEWER)` });
    expectError(await call(t, viewer, PreviewRollbackDocument, { input: tagRollback(target).input.rollback }), needs('DEPLOYER'));
    expectError(await call(t, viewer, RequestRollbackDocument, tagRollback(target)), needs('DEPLOYER'));
    expectError(await review(t, viewer, pending, 'APPROVE'), needs('APPROVER'));
    expectError(await call(t, viewer, RetryDocument, { id: failed }), needs('DEPLOYER'));
    expectError(await call(t, viewer, AddNoteDocument, { id: completed, note: 'n' }), needs('DEPLOYER'));
    expectError(await call(t, viewer, OpenBreakGlassDocument, { input: { project: 'shop', justification: 'x' } }), needs('DEPLOYER'));
    expectError(await call(t, viewer, CloseBreakGlassDocument, { id: session }), needs('DEPLOYER'));
    expectError(await call(t, viewer, SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: false } }), needs('ADMIN'));
    expect(await counts(t)).toEqual(before);
  });

  it('a DEPLOYER requests, previews, retries and notes, but neither reviews nor sets policies', async () => {
    expect(ok(await t.gql('DEPLOYER', PreviewRollbackDocument, { input: tagRollback(target).input.rollback })).previewRollback.previewHash).toBeTruthy();
    expectError(await review(t, 'DEPLOYER', pending, 'APPROVE'), { code: 'INSUFFICIENT_ROLE', status: 403 });
    expectError(await t.gql('DEPLOYER', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: false } }), {
      code: 'INSUFFICIENT_ROLE',
      status: 403,
    });
    expect(ok(await t.gql('DEPLOYER', AddNoteDocument, { id: completed, note: 'root cause: ranking config' })).addRollbackNote.notes).toHaveLength(1);
  });

  it('an APPROVER reviews but does not set policies; an ADMIN does everything', async () => {
    expectError(await t.gql('APPROVER', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true } }), {
      code: 'INSUFFICIENT_ROLE',
      status: 403,
    });
    ok(await t.gql('ADMIN', SetApprovalPolicyDocument, { input: { project: 'shop', environment: 'production', approvalRequired: true } }));
    expect(ok(await review(t, 'APPROVER', pending, 'REJECT')).reviewRollbackRequest.state).toBe('REJECTED');
  });

  it('a cluster agent reads requests of its tenant-environments but cannot request or review', async () => {
    expect(ok(await t.gql('AGENT', RollbackRequestDocument, { id: failed })).rollbackRequest!.id).toBe(failed);
    expectError(await t.gql('AGENT', RequestRollbackDocument, tagRollback(target)), { code: 'USER_REQUIRED', status: 403 });
    expectError(await review(t, 'AGENT', failed, 'APPROVE'), { code: 'USER_REQUIRED', status: 403 });
  });
});
