/**
 * A SERVICE or FIELD rollback is planned, and a write through the generic path finished, in the
 * compute pool from the changed services' inputs only (their files and manifests, variables.yaml,
 * environment.yaml): the result must be exactly the one made from every file, and when the change
 * reaches other services' manifests the task says so (the caller then sends every file).
 */
import { describe, expect, it } from 'vitest';
import { computeTasks, type PlanRollbackInput } from '../../src/domain/compute-tasks';
import type { RollbackMode, SelectedField } from '../../src/domain/model';
import { normalizeScope } from '../../src/domain/rollback/plan';
import { demoFiles } from '../../src/domain/seed/demo-files';
import { changedFiles, serviceInputFiles, servicesIn, withRegeneratedManifests, type FileMap } from '../../src/domain/tenant-environment-files';
import { serviceOfPath } from '../../src/domain/layout';

const REF = { project: 'shop', tenant: 'acme', environment: 'staging' };

function withManifests(files: FileMap): FileMap {
  return withRegeneratedManifests(files, servicesIn(files), REF);
}

function edited(files: FileMap, edits: Record<string, string | null>): FileMap {
  const result = new Map(files);
  for (const [path, content] of Object.entries(edits)) {
    if (content === null) result.delete(path);
    else result.set(path, content);
  }
  return result;
}

const demo = demoFiles('acme', 'staging');
const replaced = (path: string, from: string | RegExp, to: string) => demo.get(path)!.replace(from, to);

/** The target: older api-gateway tag and timeout, other checkout bindings, catalog still there, no search. */
const target = withManifests(
  edited(demo, {
    'services/api-gateway/values.yaml': replaced('services/api-gateway/values.yaml', /tag: .*/, 'tag: v1.0.0'),
    'variables.yaml': replaced('variables.yaml', 'TIMEOUT_MS: "3000"', 'TIMEOUT_MS: "1500"'),
    'services/checkout/bindings.yaml': `${demo.get('services/checkout/bindings.yaml')}extra: true\n`,
  }),
);
/** Head: catalog removed, search added. */
const head = withManifests(
  edited(demo, {
    'services/catalog/values.yaml': null,
    'services/catalog/bindings.yaml': null,
    'services/search/values.yaml': 'image:\n  tag: v3.0.0\n',
  }),
);

const scope = (mode: RollbackMode, service: string, fields: SelectedField[] = []) => normalizeScope({ mode, service, fields });

function plannedBothWays(input: Omit<PlanRollbackInput, 'current' | 'target'> & { current: FileMap; target: FileMap }) {
  const service = input.scope.service!;
  const whole = computeTasks.planRollback(input);
  const partial = computeTasks.planRollback({
    ...input,
    current: serviceInputFiles(input.current, [service]),
    target: serviceInputFiles(input.target, [service]),
    servicesNow: servicesIn(input.current),
  });
  return { whole, partial };
}

describe('planning from the service’s inputs only', () => {
  const scopes = [
    scope('SERVICE', 'api-gateway'),
    scope('SERVICE', 'catalog'),
    scope('SERVICE', 'search'),
    scope('SERVICE', 'checkout'),
    scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'image.tag' }]),
    scope('FIELD', 'api-gateway', [{ file: 'variables.yaml', path: 'TIMEOUT_MS' }]),
    scope('FIELD', 'checkout', [{ file: 'bindings.yaml', path: 'extra' }]),
  ];
  for (const s of scopes) {
    it(`${s.mode} ${s.service} ${s.fields.map((f) => `${f.file}:${f.path}`).join(' ')}: the same changes, diff and preview hash`, () => {
      for (const textDiffs of ['all', 'hash'] as const) {
        const { whole, partial } = plannedBothWays({ scope: s, ref: REF, targetSha: 'a'.repeat(40), current: head, target, textDiffs });
        expect(whole!.changed.length).toBeGreaterThan(0);
        expect(partial).toEqual(whole);
      }
    });
  }

  it('a service removed since comes back with its manifest; one added since goes with its manifest', () => {
    const { partial: restored } = plannedBothWays({ scope: scope('SERVICE', 'catalog'), ref: REF, targetSha: 'a'.repeat(40), current: head, target, textDiffs: 'all' });
    expect(restored!.changed.map(([path]) => path)).toEqual(['manifests/catalog.yaml', 'services/catalog/bindings.yaml', 'services/catalog/values.yaml']);
    expect(restored!.diff.services.map((s) => [s.service, s.kind])).toEqual([['catalog', 'ADDED']]);
    const { partial: removed } = plannedBothWays({ scope: scope('SERVICE', 'search'), ref: REF, targetSha: 'a'.repeat(40), current: head, target, textDiffs: 'all' });
    expect(removed!.changed).toEqual([
      ['manifests/search.yaml', null],
      ['services/search/values.yaml', null],
    ]);
    expect(removed!.diff.services.map((s) => [s.service, s.kind])).toEqual([['search', 'REMOVED']]);
  });

  it('a change that reaches another service’s manifest (a global key aliasing the service’s value) is planned again with every file', () => {
    const aliased = (timeout: string) =>
      `services:\n  api-gateway:\n    TIMEOUT_MS: &timeout "${timeout}"\n  checkout:\n    TIMEOUT_MS: "3000"\n  payments: {}\n  catalog: {}\nDEFAULT_TIMEOUT_MS: *timeout\n`;
    const now = withManifests(edited(demo, { 'variables.yaml': aliased('3000') }));
    const then = withManifests(edited(demo, { 'variables.yaml': aliased('1500') }));
    const { whole, partial } = plannedBothWays({
      scope: scope('FIELD', 'api-gateway', [{ file: 'variables.yaml', path: 'TIMEOUT_MS' }]),
      ref: REF,
      targetSha: 'a'.repeat(40),
      current: now,
      target: then,
      textDiffs: 'all',
    });
    expect(partial).toBeNull();
    expect(whole!.changed.map(([path]) => path)).toEqual([...servicesIn(now).map((service) => `manifests/${service}.yaml`), 'variables.yaml']);
  });
});

/** As a write through the generic path calls finishChange: with the changed services' inputs, and with every file. */
function finishedBothWays(current: FileMap, desired: FileMap) {
  const changed = changedFiles(current, desired);
  const input = { ref: REF, changed, regenerateManifests: true };
  const touched = changed.map(([path]) => serviceOfPath(path)).filter((service) => service !== null);
  const whole = computeTasks.finishChange({ ...input, current });
  const partial = computeTasks.finishChange({ ...input, current: serviceInputFiles(current, touched, changed.map(([path]) => path)), servicesNow: servicesIn(current) });
  return { whole, partial };
}

describe('finishing a write from the changed services’ inputs only', () => {
  const withReadme = edited(head, { 'README.md': '# acme staging\n' });
  const cases: Array<[string, FileMap, FileMap]> = [
    ['a field of one service', head, edited(head, { 'services/api-gateway/values.yaml': head.get('services/api-gateway/values.yaml')!.replace(/tag: .*/, 'tag: v9.9.9') })],
    ['a new service', head, edited(head, { 'services/ledger/values.yaml': 'image:\n  tag: v1.0.0\n' })],
    ['a service removed', head, edited(head, { 'services/checkout/values.yaml': null, 'services/checkout/bindings.yaml': null })],
    ['the service’s own variables', head, edited(head, { 'services/payments/values.yaml': `${head.get('services/payments/values.yaml')}# note\n`, 'variables.yaml': head.get('variables.yaml')!.replace('TIMEOUT_MS: "5000"', 'TIMEOUT_MS: "7000"') })],
    ['a file outside the services removed', withReadme, edited(withReadme, { 'README.md': null })],
  ];
  for (const [name, current, desired] of cases) {
    it(`${name}: the same change set and field changes`, () => {
      const { whole, partial } = finishedBothWays(current, desired);
      expect(whole!.changed.length).toBeGreaterThan(0);
      expect(partial).toEqual(whole);
    });
  }

  it('another service’s variables, or a global variable: finished again with every file, every manifest that changes regenerated', () => {
    const scoped = finishedBothWays(head, edited(head, { 'variables.yaml': head.get('variables.yaml')!.replace('TIMEOUT_MS: "5000"', 'TIMEOUT_MS: "7000"') }));
    expect(scoped.partial).toBeNull();
    expect(scoped.whole!.changed.map(([path]) => path)).toEqual(['manifests/payments.yaml', 'variables.yaml']);
    const global = finishedBothWays(head, edited(head, { 'variables.yaml': head.get('variables.yaml')!.replace('REGION: eu-west-1', 'REGION: us-east-1') }));
    expect(global.partial).toBeNull();
    expect(global.whole!.changed.map(([path]) => path)).toEqual([...servicesIn(head).map((service) => `manifests/${service}.yaml`), 'variables.yaml']);
  });
});
