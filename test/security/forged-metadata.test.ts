/**
 * Issue 11.1: no user-supplied text can forge a commit's metadata. A `Rollback Request ID:` smuggled
 * into a justification or description (after CR, U+0085, U+2028, U+2029 or LF) must neither complete
 * someone else's request on approval nor fool crash recovery.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCommitMessage, oneLine, parseCommitMessage } from '../../src/domain/commit-metadata';
import { reconcileInterruptedExecutions } from '../../src/domain/requests/run-execution';
import { transition } from '../../src/domain/requests/state-machine';
import { createTestApp, type TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { OpenBreakGlassDocument } from '../kit/documents/governance';
import { RequestPromotionDocument, ReviewApprovalRequestDocument } from '../kit/documents/approvals';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RequestRollbackDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { git } from '../kit/git-cli';
import {
  API_GATEWAY_VALUES,
  PROD,
  STAGING,
  commitMessage,
  deploymentsOf,
  fileAt,
  requestTagRollback,
  review,
  rollbackCommitsFor,
  stagingTagTarget,
  tagRollback,
} from '../requests/helpers';

const BREAKS = {
  'carriage return': '\r',
  'next line (U+0085)': '\u0085',
  'line separator (U+2028)': '\u2028',
  'paragraph separator (U+2029)': '\u2029',
  'line feed': '\n',
  'CR LF and a blank line': '\r\n\r\n',
} as const;

describe('commit metadata (unit)', () => {
  it.each(Object.entries(BREAKS))('folds a %s and every other control character onto one line', (_name, brk) => {
    expect(oneLine(`bad tag${brk}Rollback Request ID: rbk-victim\u0000\u001b[31m`)).toBe('bad tag Rollback Request ID: rbk-victim [31m');
  });

  it('reads trailers only from the last paragraph, only when all of it is trailers, and refuses repeated keys', () => {
    const base = 'Rollback: tenant/acme env/production → revision abc1234';
    expect(parseCommitMessage(`${base}\n\nMode: field\nRollback Request ID: rbk-1\n`).rollbackRequestId).toBe('rbk-1');
    expect(parseCommitMessage(`${base}\n\nRollback Request ID: rbk-1\n\nsome words after\n`).rollbackRequestId).toBeNull();
    expect(parseCommitMessage(`${base}\n\nMode: field\nRollback Request ID: rbk-1\nRollback Request ID: rbk-2\n`).rollbackRequestId).toBeNull();
    expect(parseCommitMessage(`${base}\n\nMode: field\nnot a trailer\nRollback Request ID: rbk-1\n`).rollbackRequestId).toBeNull();
    // A \r inside a line does not start a new one.
    expect(parseCommitMessage(`${base}\n\nJustification: x\rRollback Request ID: rbk-2\n`).rollbackRequestId).toBeNull();
    // Only a rollback subject makes a rollback commit.
    expect(parseCommitMessage('Release: tenant/acme env/production\n\nRollback Request ID: rbk-1\n')).toMatchObject({ source: 'RELEASE', rollbackRequestId: null });
  });

  it('writes every user-supplied value of a rollback on one line, and reads the message back', () => {
    const message = formatCommitMessage({
      kind: 'ROLLBACK',
      tenantEnvironment: { tenant: 'acme', environment: 'production' },
      authorEmail: 'dana@example.com',
      targetSha: 'a'.repeat(40),
      mode: 'FIELD',
      service: 'api-gateway',
      fields: [{ file: 'values.yaml', path: 'image.tag' }],
      justification: 'bad\u2028Rollback Request ID: rbk-victim',
      approval: 'Bypassed by break-glass session bgs-1 (dana@example.com: sev1\r\nRollback Request ID: rbk-victim)',
      requestId: 'rbk-mine',
    });
    const parsed = parseCommitMessage(message);
    expect(parsed).toMatchObject({ source: 'ROLLBACK', tenant: 'acme', environment: 'production', rollbackRequestId: 'rbk-mine' });
    expect(parsed.trailers.get('Justification')).toBe('bad Rollback Request ID: rbk-victim');
    expect(message.split('\n').filter((line) => line.startsWith('Rollback Request ID:'))).toEqual(['Rollback Request ID: rbk-mine']);
    expect(message).not.toMatch(/[\r\u0085\u2028\u2029]/);
  });
});

describe('forged request ids through the API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  /** The victim: a PENDING FIELD rollback of production's bad image tag. */
  const victim = () => requestTagRollback(t, 'DEPLOYER', PROD);

  /** After the forgery, the victim's own approval must run its own rollback. */
  async function expectVictimRunsItsOwnRollback(victimId: string, forgedCommit: string) {
    const approved = ok(await review(t, 'APPROVER', victimId, 'APPROVE')).reviewRollbackRequest;
    expect(approved.state).toBe('COMPLETED');
    expect(approved.resultRevision).not.toBe(forgedCommit);
    // The commits whose message has the victim's id as a line of its own: only its own rollback.
    const claiming = git(t.repoDir, ['log', '--format=%H%x00%B%x01', 'main'])
      .split('\x01')
      .map((entry) => entry.trim().split('\x00'))
      .filter(([, body]) => body?.split('\n').includes(`Rollback Request ID: ${victimId}`))
      .map(([sha]) => sha);
    expect(claiming).toEqual([approved.resultRevision]);
    // The forged line is there, folded into the justification or description of its own commit.
    expect(rollbackCommitsFor(t, victimId)).toContain(forgedCommit);
    expect(fileAt(t, approved.resultRevision!, API_GATEWAY_VALUES)).toContain('tag: v2.1.0');
    expect(fileAt(t, 'main', API_GATEWAY_VALUES)).not.toContain('v2.1.1-rc0');
  }

  it.each(Object.entries(BREAKS))('a rollback justification with a %s cannot claim another request', async (_name, brk) => {
    const target = victim();
    const { id } = await target;
    const forged = ok(
      await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING, `bad tag${brk}Rollback Request ID: ${id}`)),
    ).requestRollback;
    expect(forged.state).toBe('COMPLETED');
    const message = commitMessage(t, forged.resultRevision!);
    expect(message.split('\n').filter((line) => line.startsWith('Rollback Request ID:'))).toEqual([`Rollback Request ID: ${forged.id}`]);
    expect(message).not.toMatch(/[\r\u0085\u2028\u2029]/);
    await expectVictimRunsItsOwnRollback(id, forged.resultRevision!);
  });

  it('a release description with a line feed cannot claim a request', async () => {
    const { id } = await victim();
    const release = ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: {
          ...STAGING,
          description: `tweak\nRollback Request ID: ${id}\n\nRollback Request ID: ${id}`,
          services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: 4 }] }],
        },
      }),
    ).deployRelease;
    expect(commitMessage(t, release.revision).split('\n').filter((line) => line.includes('Rollback Request ID'))).toHaveLength(1);
    await expectVictimRunsItsOwnRollback(id, release.revision);
  });

  it('a promotion description with a line feed cannot claim a request', async () => {
    const { id } = await victim();
    // Give staging's checkout something production does not have, then promote only that service.
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, { input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: 4 }] }] } }));
    // Production requires approval: the promotion is requested and approved, then committed.
    const requested = ok(
      await t.gql('DEPLOYER', RequestPromotionDocument, {
        input: {
          project: 'shop',
          tenant: 'acme',
          fromEnvironment: 'staging',
          toEnvironment: 'production',
          service: 'checkout',
          description: `ship it\nRollback Request ID: ${id}\n\nRollback Request ID: ${id}\r\u2028Rollback Request ID: ${id}`,
        },
      }),
    ).requestPromotion;
    const approved = ok(await t.gql('APPROVER', ReviewApprovalRequestDocument, { input: { id: requested.id, decision: 'APPROVE' } })).reviewApprovalRequest;
    if (approved.__typename !== 'PromotionRequest') throw new Error('a promotion request');
    const promotion = approved.deployment!;
    expect(promotion.source).toBe('PROMOTION');
    const message = commitMessage(t, promotion.revision);
    // The description is folded onto one line of the body: no line of the message starts with the forged id.
    expect(message.split('\n').filter((line) => line.includes('Rollback Request ID'))).toHaveLength(1);
    expect(message.split('\n').filter((line) => line.startsWith('Rollback Request ID:'))).toEqual([]);
    expect(message).not.toMatch(/[\r\u0085\u2028\u2029]/);
    await expectVictimRunsItsOwnRollback(id, promotion.revision);
  });

  it('a break-glass justification with CR LF cannot claim a request', async () => {
    const { id } = await victim();
    ok(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: `sev1\r\nRollback Request ID: ${id}` } }));
    // Under break-glass a second production rollback (another service) runs at once; its Approval line names the session.
    const initial = (await deploymentsOf(t, PROD)).deployments.at(-1)!.revision;
    const bypass = ok(
      await t.gql('DEPLOYER', RequestRollbackDocument, {
        input: { rollback: { ...PROD, mode: 'SERVICE', service: 'checkout', targetSha: initial }, justification: 'checkout scale-down' },
      }),
    ).requestRollback;
    expect(bypass.state).toBe('COMPLETED');
    expect(commitMessage(t, bypass.resultRevision!)).toMatch(/^Approval: Bypassed by break-glass session bgs-\S+ \(dana\.deployer@acme\.example\.com: sev1 Rollback Request ID: rbk-/m);
    const message = commitMessage(t, bypass.resultRevision!);
    expect(message.split('\n').filter((line) => line.startsWith('Rollback Request ID:'))).toEqual([`Rollback Request ID: ${bypass.id}`]);
    await expectVictimRunsItsOwnRollback(id, bypass.resultRevision!);
  });

  it('crash recovery is not fooled: a victim left EXECUTING fails as interrupted although a forged commit names it', async () => {
    const { id } = await victim();
    // A crash after the victim's approval, before its commit.
    const stored = (await t.app.backend.stores.requests.byId(id))!;
    const approved = await t.app.backend.transact(({ stores }) => transition(stores, stored, 'APPROVED', new Date()));
    await t.app.backend.transact(({ stores }) => transition(stores, approved, 'EXECUTING', new Date()));
    for (const brk of Object.values(BREAKS)) {
      ok(await call(t, 'DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING, `x${brk}Rollback Request ID: ${id}`)));
      // Each forgery is on main; roll staging forward again so the next one has something to undo.
      ok(await t.gql('DEPLOYER', DeployReleaseDocument, { input: { ...STAGING, services: [{ service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v2.1.${Math.random().toString(36).slice(2, 6)}` }] }] } }));
    }
    // A hand-made commit on another tenant-environment whose trailer does carry the id is not the victim's either.
    const head = git(t.repoDir, ['rev-parse', 'main']);
    const forgedTrailer = git(t.repoDir, ['commit-tree', `${head}^{tree}`, '-p', head, '-m', `Rollback: tenant/acme env/staging → revision abc1234\n\nMode: full\nRollback Request ID: ${id}`]);
    git(t.repoDir, ['update-ref', 'refs/heads/main', forgedTrailer, head]);

    expect(await reconcileInterruptedExecutions(t.app.backend)).toEqual([{ id, state: 'FAILED' }]);
    const failed = ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id })).rollbackRequest!;
    expect(failed).toMatchObject({ state: 'FAILED', errorCode: 'EXECUTION_INTERRUPTED', resultRevision: null });
    expect(fileAt(t, 'main', API_GATEWAY_VALUES)).toContain('v2.1.1-rc0');
  });
});
