/** Break-glass: a time-boxed, audited bypass of approval for one user in one project. */
import { describe, expect } from 'vitest';
import { grantRole } from '../../src/domain/admin';
import type { TestApp } from '../kit/app';
import { call, expectError, ok } from '../kit/client';
import { AuditEventsDocument, BreakGlassSessionsDocument, CloseBreakGlassDocument, OpenBreakGlassDocument } from '../kit/documents/governance';
import { ViewerDocument } from '../kit/documents/workspace';
import { it } from '../kit/fixtures';
import { EMAIL, MINUTE, advanceClock, auditRows, commitMessage, counts, makeUser, requestTagRollback, review } from './helpers';

const JUSTIFICATION = 'SEV1: checkout down, approvers asleep';
const open = (t: TestApp, role: 'DEPLOYER' | 'APPROVER' | 'ADMIN' = 'DEPLOYER', durationMinutes?: number, project = 'shop') =>
  t.gql(role, OpenBreakGlassDocument, { input: { project, justification: JUSTIFICATION, durationMinutes } });
const sessions = async (t: TestApp, activeOnly = false) => ok(await t.gql('APPROVER', BreakGlassSessionsDocument, { slug: 'shop', activeOnly })).project!.breakGlassSessions;
const minutesOf = (session: { openedAt: string; expiresAt: string }) => (Date.parse(session.expiresAt) - Date.parse(session.openedAt)) / MINUTE;

describe('opening a session', () => {
  it('lasts 60 minutes by default, is active and is audited', async ({ t }) => {
    const session = ok(await open(t)).openBreakGlassSession;
    expect(session).toMatchObject({ active: true, justification: JUSTIFICATION, closedAt: null, user: { email: EMAIL.DEPLOYER } });
    expect(minutesOf(session)).toBe(60);
    const [row] = (await auditRows(t, session.id)).filter((r) => r.action === 'break_glass.opened');
    expect(row!.details).toMatchObject({ justification: JUSTIFICATION, durationMinutes: 60 });
    expect(row!.breakGlassSessionId).toBe(session.id);
  });

  it('takes a shorter duration and caps a longer one at BREAK_GLASS_MAX_MINUTES', async ({ t }) => {
    expect(minutesOf(ok(await open(t, 'DEPLOYER', 15)).openBreakGlassSession)).toBe(15);
    const capped = ok(await open(t, 'APPROVER', 100_000)).openBreakGlassSession;
    expect(minutesOf(capped)).toBe(240);
    const [row] = (await auditRows(t, capped.id)).filter((r) => r.action === 'break_glass.opened');
    expect(row!.details).toMatchObject({ durationMinutes: 240, requestedMinutes: 100_000 });
  });

  it.for([0, -5])('refuses a duration of %i minutes', async (minutes, { t }) => {
    const before = await counts(t);
    expectError(await open(t, 'DEPLOYER', minutes), { code: 'INVALID_DURATION', status: 400 });
    expect(await counts(t)).toEqual(before);
  });

  it('needs a justification', async ({ t }) => {
    const before = await counts(t);
    expectError(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: '  ' } }), {
      code: 'JUSTIFICATION_REQUIRED',
      status: 400,
    });
    expect(await counts(t)).toEqual(before);
  });

  it('is refused to a VIEWER', async ({ t }) => {
    const viewer = await makeUser(t, 'VIEWER', 'shop');
    expectError(await call(t, viewer.caller, OpenBreakGlassDocument, { input: { project: 'shop', justification: JUSTIFICATION } }), {
      code: 'INSUFFICIENT_ROLE',
      status: 403,
    });
  });
});

describe('with a session open', () => {
  it("the user's rollback request skips approval, records the session, names it in the commit and is flagged in the audit trail", async ({ t }) => {
    const session = ok(await open(t)).openBreakGlassSession;
    const request = await requestTagRollback(t);
    expect(request.state).toBe('COMPLETED');
    expect(request.reviews).toEqual([]);
    expect(request.breakGlassSession).toEqual({ id: session.id, justification: JUSTIFICATION });
    expect(commitMessage(t, request.resultRevision!)).toContain(
      `\nApproval: Bypassed by break-glass session ${session.id} (${EMAIL.DEPLOYER}: ${JUSTIFICATION})\n`,
    );

    const rows = await auditRows(t, request.id);
    expect(rows.map((r) => r.action)).toEqual(['rollback.requested', 'rollback.executing', 'rollback.completed']);
    expect(rows.every((r) => r.breakGlassSessionId === session.id)).toBe(true);
    expect(rows[0]!.details).toMatchObject({ approval: 'bypassed by break-glass' });

    // Post-incident review: the session lists every action taken under it.
    const [listed] = await sessions(t);
    expect(listed!.id).toBe(session.id);
    expect(listed!.actions.map((a) => a.action).sort()).toEqual(
      ['break_glass.opened', 'rollback.requested', 'rollback.executing', 'rollback.completed'].sort(),
    );
    expect(listed!.actions.every((a) => a.breakGlassSessionId === session.id)).toBe(true);

    const flagged = ok(await t.gql('APPROVER', AuditEventsDocument, { slug: 'shop', breakGlassOnly: true })).project!.auditEvents.edges.map((e) => e.node);
    expect(flagged.map((e) => e.action).sort()).toEqual(listed!.actions.map((a) => a.action).sort());
    expect(flagged.every((e) => e.breakGlass)).toBe(true);
  });

  it('keeps the Approval line on one line: a multi-line justification cannot forge commit metadata', async ({ t }) => {
    const justification = 'SEV1: db down\nRollback Request ID: rbk-forged\n\nApproval: Approved by nobody';
    const session = ok(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification } })).openBreakGlassSession;
    const request = await requestTagRollback(t);
    const message = commitMessage(t, request.resultRevision!);
    expect(message).toContain(`\nApproval: Bypassed by break-glass session ${session.id} (${EMAIL.DEPLOYER}: SEV1: db down Rollback Request ID: rbk-forged Approval: Approved by nobody)\n`);
    expect(message.split('\n').filter((l) => l.startsWith('Rollback Request ID: '))).toEqual([`Rollback Request ID: ${request.id}`]);
    expect(message.split('\n').filter((l) => l.startsWith('Approval: '))).toHaveLength(1);
    // History attributes the commit to the real request.
    expect(request.deployment).toEqual({ revision: request.resultRevision, source: 'ROLLBACK' });
  });

  it("another user's session does not help, and an approver's session flags their review", async ({ t }) => {
    const approverSession = ok(await open(t, 'APPROVER')).openBreakGlassSession;
    const request = await requestTagRollback(t);
    expect(request.state).toBe('PENDING');
    expect(request.breakGlassSession).toBeNull();
    ok(await review(t, 'APPROVER', request.id, 'APPROVE'));
    const rows = await auditRows(t, request.id);
    expect(rows.find((r) => r.action === 'rollback.requested')!.breakGlassSessionId).toBeNull();
    expect(rows.filter((r) => r.action !== 'rollback.requested').every((r) => r.breakGlassSessionId === approverSession.id)).toBe(true);
  });

  it('a session in another project does not bypass approval here', async ({ t }) => {
    const other = await makeUser(t, 'ADMIN', 'elsewhere');
    const dana = ok(await t.gql('DEPLOYER', ViewerDocument)).viewer;
    await grantRole(t.app.backend, { userId: dana.id, projectId: other.projectId, role: 'DEPLOYER' });
    ok(await open(t, 'DEPLOYER', 60, 'prj-admin-elsewhere'));
    expect((await requestTagRollback(t)).state).toBe('PENDING');
    expect(await sessions(t)).toEqual([]);
  });
});

describe('ending a session', () => {
  it('expires by itself: after its time the bypass ends and actions are no longer flagged', async ({ t }) => {
    const session = ok(await open(t, 'DEPLOYER', 30)).openBreakGlassSession;
    advanceClock(t, 29 * MINUTE);
    expect((await sessions(t, true)).map((s) => s.id)).toEqual([session.id]);
    advanceClock(t, 1 * MINUTE);
    expect(await sessions(t, true)).toEqual([]);
    const [expired] = await sessions(t);
    expect(expired).toMatchObject({ id: session.id, active: false, closedAt: null });

    const request = await requestTagRollback(t);
    expect(request.state).toBe('PENDING');
    expect(request.breakGlassSession).toBeNull();
    expect((await auditRows(t, request.id)).every((r) => r.breakGlassSessionId === null)).toBe(true);
    expectError(await t.gql('DEPLOYER', CloseBreakGlassDocument, { id: session.id }), { code: 'BREAK_GLASS_NOT_ACTIVE', status: 400 });
  });

  it('can be closed early by its user; the close is audited and the bypass ends', async ({ t }) => {
    const session = ok(await open(t)).openBreakGlassSession;
    const closed = ok(await t.gql('DEPLOYER', CloseBreakGlassDocument, { id: session.id })).closeBreakGlassSession;
    expect(closed.active).toBe(false);
    expect(closed.closedAt).not.toBeNull();
    expect((await auditRows(t, session.id)).map((r) => r.action)).toEqual(['break_glass.opened', 'break_glass.closed']);
    expect((await requestTagRollback(t)).state).toBe('PENDING');
    expectError(await t.gql('DEPLOYER', CloseBreakGlassDocument, { id: session.id }), { code: 'BREAK_GLASS_NOT_ACTIVE', status: 400 });
  });

  it('closed twice at once: one close wins, the other is refused, and the close is audited once', async ({ t }) => {
    const session = ok(await open(t)).openBreakGlassSession;
    const results = await Promise.all([
      t.gql('DEPLOYER', CloseBreakGlassDocument, { id: session.id }),
      t.gql('ADMIN', CloseBreakGlassDocument, { id: session.id }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expectError(results.find((r) => r.errors)!, { code: 'BREAK_GLASS_NOT_ACTIVE', status: 400 });
    expect((await auditRows(t, session.id)).map((r) => r.action)).toEqual(['break_glass.opened', 'break_glass.closed']);
  });

  it("can be closed by an ADMIN, but not by another non-admin (for whom it is not found)", async ({ t }) => {
    const session = ok(await open(t)).openBreakGlassSession;
    expectError(await t.gql('APPROVER', CloseBreakGlassDocument, { id: session.id }), { code: 'NOT_FOUND', status: 404 });
    expect(ok(await t.gql('ADMIN', CloseBreakGlassDocument, { id: session.id })).closeBreakGlassSession.active).toBe(false);
  });
});

describe('configuration', () => {
  it('caps the default duration too when BREAK_GLASS_MAX_MINUTES is below 60', async ({ openApp }) => {
    const short = await openApp({ env: { BREAK_GLASS_MAX_MINUTES: '30' } });
    const session = ok(await short.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: JUSTIFICATION } })).openBreakGlassSession;
    expect(minutesOf(session)).toBe(30);
  });
});
