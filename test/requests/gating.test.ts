/** Feature gating by plan and flags for every mode, the approval workflow gate, and the wizard's mode list. */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { FEATURE_FLAGS, PLANS, ROLLBACK_MODES, type FeatureFlag, type Plan, type RollbackMode } from '../../src/domain/model';
import { createTestApp, type TestApp } from '../kit/app';
import { call, expectError, ok } from '../kit/client';
import { RollbackModesDocument } from '../kit/documents/governance';
import { PreviewRollbackDocument, RequestRollbackDocument, RetryDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import {
  ALL_FLAGS,
  API_GATEWAY_VALUES,
  PROD,
  commitMessage,
  counts,
  makeUser,
  previousRevision,
  pushWithGitCli,
  requestTagRollback,
  review,
  setOrganization,
} from './helpers';

/** The gates, written out independently: flags each mode needs and the lowest plan. */
const NEEDS: Record<RollbackMode, { flags: FeatureFlag[]; plan: Plan }> = {
  FULL: { flags: ['basic_rollback', 'rollback'], plan: 'FREE' },
  SERVICE: { flags: ['selective_rollback', 'rollback'], plan: 'PRO' },
  FIELD: { flags: ['selective_rollback', 'rollback'], plan: 'ENTERPRISE' },
};

type Expected = { allowed: true } | { allowed: false; code: 'FEATURE_NOT_ENABLED' | 'PLAN_REQUIRED'; message: string };

function expected(plan: Plan, flags: FeatureFlag[], mode: RollbackMode): Expected {
  const what = `${mode.toLowerCase()} rollback`;
  const missing = NEEDS[mode].flags.filter((f) => !flags.includes(f));
  if (missing.length === 1) return { allowed: false, code: 'FEATURE_NOT_ENABLED', message: `${what} requires the ${missing[0]} feature flag` };
  if (missing.length > 1) return { allowed: false, code: 'FEATURE_NOT_ENABLED', message: `${what} requires the ${missing.join(' and ')} feature flags` };
  if (PLANS.indexOf(plan) < PLANS.indexOf(NEEDS[mode].plan)) {
    return { allowed: false, code: 'PLAN_REQUIRED', message: `${what} requires the ${NEEDS[mode].plan} plan or higher (the organization is on ${plan})` };
  }
  return { allowed: true };
}

const FLAG_SETS: Array<[string, FeatureFlag[]]> = [
  ['all flags', ALL_FLAGS],
  ...FEATURE_FLAGS.map((flag): [string, FeatureFlag[]] => [`no ${flag}`, ALL_FLAGS.filter((f) => f !== flag)]),
  ['no flags', []],
];
const CASES = PLANS.flatMap((plan) => FLAG_SETS.flatMap(([label, flags]) => ROLLBACK_MODES.map((mode) => [plan, label, flags, mode] as const)));

describe('every gate for every plan', () => {
  let t: TestApp;
  let target: string;
  beforeAll(async () => {
    t = await createTestApp();
    target = await previousRevision(t);
  });
  afterAll(() => t.close());

  const rollbackInput = (mode: RollbackMode) => ({
    ...PROD,
    mode,
    targetSha: target,
    service: mode === 'FULL' ? undefined : 'api-gateway',
    fields: mode === 'FIELD' ? [{ file: 'values.yaml', path: 'image.tag' }] : undefined,
  });

  it.each(CASES)('%s with %s: %s rollback', async (plan, _label, flags, mode) => {
    await setOrganization(t, plan, [...flags]);
    const want = expected(plan, [...flags], mode);
    const before = await counts(t);
    const preview = await t.gql('DEPLOYER', PreviewRollbackDocument, { input: rollbackInput(mode) });
    if (want.allowed) {
      expect(ok(preview).previewRollback.affectedServices).toEqual(['api-gateway']);
    } else {
      expectError(preview, { code: want.code, status: 403, message: want.message });
      // A request is refused the same way, before anything is written.
      const request = await t.gql('DEPLOYER', RequestRollbackDocument, { input: { rollback: rollbackInput(mode), justification: 'incident' } });
      expectError(request, { code: want.code, status: 403, message: want.message });
    }
    expect(await counts(t)).toEqual(before);

    // The wizard says the same thing before the user even tries.
    const modes = ok(await t.gql('DEPLOYER', RollbackModesDocument, PROD));
    for (const list of [modes.project!.rollbackModes, modes.tenantEnvironment!.rollbackModes]) {
      const option = list.find((m) => m.mode === mode)!;
      expect(option.allowed).toBe(want.allowed);
      expect(option.reason).toBe(want.allowed ? null : want.message);
    }
  });

  it('checks the gate before the request shape: an empty field selection on PRO is PLAN_REQUIRED', async () => {
    await setOrganization(t, 'PRO', ALL_FLAGS);
    const input = { ...rollbackInput('FIELD'), fields: [] };
    expectError(await t.gql('DEPLOYER', PreviewRollbackDocument, { input }), { code: 'PLAN_REQUIRED', status: 403, message: /ENTERPRISE plan/ });
  });
});

async function withoutApproval(t: TestApp): Promise<void> {
  const project = (await t.app.backend.stores.projects.bySlug('shop'))!;
  const production = (await t.app.backend.stores.environments.bySlug(project.id, 'production'))!;
  await t.app.backend.transact(({ stores }) => stores.environments.setPolicy(production.id, { approvalRequired: false, quorum: 1, blockSelfApproval: true }));
}

describe('allowed modes really roll back on each plan', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['FREE', 'FULL'],
    ['PRO', 'SERVICE'],
    ['ENTERPRISE', 'FIELD'],
  ] as const)('%s: a %s rollback request executes (without rollback_approval, on an environment needing no approval)', async (plan, mode) => {
    await setOrganization(t, plan, ['basic_rollback', 'rollback', 'selective_rollback']);
    // Production keeps requiring approval without the flag (fail closed, see approval-framework.test.ts): turned off here.
    await withoutApproval(t);
    const target = await previousRevision(t);
    const input = {
      rollback: {
        ...PROD,
        mode,
        targetSha: target,
        service: mode === 'FULL' ? undefined : 'api-gateway',
        fields: mode === 'FIELD' ? [{ file: 'values.yaml', path: 'image.tag' }] : undefined,
      },
      justification: `bad tag, ${mode} rollback on ${plan}`,
    };
    const request = ok(await t.gql('DEPLOYER', RequestRollbackDocument, { input })).requestRollback;
    expect(request.state).toBe('COMPLETED');
    expect(request.approvalRequired).toBe(false);
    expect(request.mode).toBe(mode);
    expect(commitMessage(t, request.resultRevision!)).toContain(`\nMode: ${mode.toLowerCase()}\n`);
  });
});

describe('rollbackModes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists each mode with its blast radius in one sentence; all allowed for a DEPLOYER on ENTERPRISE', async () => {
    const { project, tenantEnvironment } = ok(await t.gql('DEPLOYER', RollbackModesDocument, PROD));
    expect(tenantEnvironment!.rollbackModes).toEqual(project!.rollbackModes);
    expect(project!.rollbackModes.map((m) => [m.mode, m.allowed, m.reason])).toEqual([
      ['FULL', true, null],
      ['SERVICE', true, null],
      ['FIELD', true, null],
    ]);
    const radius = Object.fromEntries(project!.rollbackModes.map((m) => [m.mode, m.blastRadius]));
    expect(radius.FULL).toMatch(/^High: /);
    expect(radius.SERVICE).toMatch(/^Medium: /);
    expect(radius.FIELD).toMatch(/^Minimal: /);
    for (const sentence of Object.values(radius)) expect(sentence.match(/\.(\s|$)/g)).toHaveLength(1);
  });

  it('gives the role as the reason for a VIEWER, and the flag or plan first when both apply', async () => {
    const viewer = await makeUser(t, 'VIEWER', 'shop');
    const { project } = ok(await call(t, viewer.caller, RollbackModesDocument, PROD));
    expect(project!.rollbackModes.map((m) => [m.mode, m.allowed, m.reason])).toEqual(
      ROLLBACK_MODES.map((mode) => [mode, false, 'requesting a rollback requires the DEPLOYER role or higher (you are VIEWER)']),
    );
    await setOrganization(t, 'FREE', ALL_FLAGS);
    const free = ok(await call(t, viewer.caller, RollbackModesDocument, PROD)).project!.rollbackModes;
    expect(free.map((m) => m.reason)).toEqual([
      'requesting a rollback requires the DEPLOYER role or higher (you are VIEWER)',
      'service rollback requires the PRO plan or higher (the organization is on FREE)',
      'field rollback requires the ENTERPRISE plan or higher (the organization is on FREE)',
    ]);
    await setOrganization(t, 'ENTERPRISE', ALL_FLAGS);
  });

  it('suggests the smaller scope when a FULL or SERVICE preview only changes one service or a few fields', async () => {
    const target = await previousRevision(t);
    const full = ok(await t.gql('DEPLOYER', PreviewRollbackDocument, { input: { ...PROD, mode: 'FULL', targetSha: target } })).previewRollback;
    expect(full.suggestion).toMatch(/FIELD rollback of image\.tag/);
    const service = ok(
      await t.gql('DEPLOYER', PreviewRollbackDocument, { input: { ...PROD, mode: 'SERVICE', service: 'api-gateway', targetSha: target } }),
    ).previewRollback;
    expect(service.suggestion).toMatch(/FIELD rollback of image\.tag/);
    const field = ok(
      await t.gql('DEPLOYER', PreviewRollbackDocument, {
        input: { ...PROD, mode: 'FIELD', service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }], targetSha: target },
      }),
    ).previewRollback;
    expect(field.suggestion).toBeNull();
  });
});

describe('a plan or flag lost after the request was made', () => {
  it('approving a FIELD request after a downgrade to PRO is refused before anything is written; rejecting still works', async ({ t }) => {
    const request = await requestTagRollback(t);
    await setOrganization(t, 'PRO', ALL_FLAGS);
    const before = await counts(t);
    expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), {
      code: 'PLAN_REQUIRED',
      status: 403,
      message: 'field rollback requires the ENTERPRISE plan or higher (the organization is on PRO)',
    });
    expect(await counts(t)).toEqual(before);
    expect(ok(await review(t, 'APPROVER', request.id, 'REJECT', 'no longer on our plan')).reviewRollbackRequest.state).toBe('REJECTED');
  });

  it('retrying a failed SERVICE request after selective_rollback was turned off is refused', async ({ t }) => {
    const target = await previousRevision(t);
    const request = ok(
      await t.gql('DEPLOYER', RequestRollbackDocument, {
        input: { rollback: { ...PROD, mode: 'SERVICE', service: 'api-gateway', targetSha: target }, justification: 'bad tag' },
      }),
    ).requestRollback;
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.1-rc0', 'tag: v2.1.2'));
    expectError(await review(t, 'APPROVER', request.id, 'APPROVE'), { code: 'APPROVAL_SAVED_EXECUTION_FAILED', status: 500 });
    pushWithGitCli(t, API_GATEWAY_VALUES, (s) => s.replace('tag: v2.1.2', 'tag: v2.1.1-rc0'));
    await setOrganization(t, 'ENTERPRISE', ['basic_rollback', 'rollback', 'rollback_approval']);
    const before = await counts(t);
    expectError(await t.gql('DEPLOYER', RetryDocument, { id: request.id }), {
      code: 'FEATURE_NOT_ENABLED',
      status: 403,
      message: 'service rollback requires the selective_rollback feature flag',
    });
    expect(await counts(t)).toEqual(before);
    await setOrganization(t, 'ENTERPRISE', ALL_FLAGS);
    expect(ok(await t.gql('DEPLOYER', RetryDocument, { id: request.id })).retryRollbackExecution.state).toBe('COMPLETED');
  });
});
