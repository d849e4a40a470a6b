/** previewRollback: per-service breakdown, FIELD scope, impact counts, base revision, stable hash, warnings, suggestion. */
import { describe, expect } from 'vitest';
import { previewRollback, type RollbackPreview } from '../../src/domain/rollback/preview';
import type { RollbackInput } from '../../src/domain/rollback/preview';
import { it } from '../kit/fixtures';
import { dirOf, rollbackInput, setField, tag, type Fixture } from './fixture';

const DIR = dirOf('acme', 'staging');

const preview = (fx: Fixture, input: RollbackInput) => previewRollback(fx.backend, fx.deployer, input);

function fieldsOf(p: RollbackPreview) {
  return p.diff.files.flatMap((f) => f.fields).map((f) => ({ file: f.file, path: f.path, kind: f.kind, before: f.before, after: f.after }));
}

describe('previewRollback', () => {
  it('breaks the change down per service: files and fields with current value, target value and kind', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), setField('checkout', 'replicas', 5)]);
    await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', value: '7000' }]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));

    expect(p.affectedServices).toEqual(['api-gateway', 'checkout', 'payments']);
    const byService = Object.fromEntries(p.diff.services.map((s) => [s.service, s]));
    expect(byService['api-gateway']!.kind).toBe('MODIFIED');
    expect(byService['api-gateway']!.files.map((f) => f.path)).toEqual(['manifests/api-gateway.yaml', 'services/api-gateway/values.yaml']);
    expect(byService['api-gateway']!.fields).toEqual([
      { file: 'services/api-gateway/values.yaml', path: 'image.tag', service: 'api-gateway', kind: 'MODIFIED', before: 'v2.1.0', after: 'v2.0.8' },
    ]);
    expect(byService.checkout!.fields.map((f) => [f.path, f.before, f.after])).toEqual([['replicas', 5, 1]]);
    // A service-scoped variable belongs to its service.
    expect(byService.payments!.fields).toEqual([
      { file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', service: 'payments', kind: 'MODIFIED', before: '7000', after: '5000' },
    ]);
    expect(p.diff.environmentFields).toEqual([]);
  });

  it('FIELD mode shows only the selected fields, even when other fields of the file differ', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release('acme', 'staging', [
      { service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v2.1.0' }, { file: 'values.yaml', path: 'replicas', value: 6 }] },
    ]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] }));

    expect(fieldsOf(p)).toEqual([{ file: 'services/api-gateway/values.yaml', path: 'image.tag', kind: 'MODIFIED', before: 'v2.1.0', after: 'v2.0.8' }]);
    expect(p.diff.files.map((f) => f.path)).toEqual(['manifests/api-gateway.yaml', 'services/api-gateway/values.yaml']);
    expect(p.affectedServices).toEqual(['api-gateway']);
  });

  it('counts the services, bindings and variables affected', async ({ fx }) => {
    const t0 = fx.head();
    await fx.release(
      'acme',
      'staging',
      [
        { service: 'api-gateway', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v2.1.0' }, { file: 'bindings.yaml', path: 'kustomize.base', value: 'bases/edge' }] },
        { service: 'checkout', setFields: [{ file: 'bindings.yaml', path: 'kustomize.base', value: 'bases/edge' }] },
      ],
      [
        { file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' },
        { file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', value: '7000' },
      ],
    );
    const full = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));
    expect(full.diff.counts).toMatchObject({ services: 3, bindings: 2, variables: 2 });
    expect(full.diff.environmentFields.map((f) => f.path)).toEqual(['LOG_FORMAT']);

    const service = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
    expect(service.diff.counts).toMatchObject({ services: 1, bindings: 1, variables: 0 });
  });

  it('states the base revision it was computed on and writes nothing', async ({ fx }) => {
    const t0 = fx.head();
    const head = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
    const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0.slice(0, 10) }));
    expect(p.baseRevision).toBe(head);
    expect(p.targetRevision).toBe(t0);
    expect(fx.head()).toBe(head);
  });

  describe('preview hash', () => {
    it('is the same for the same inputs (and for an abbreviated target)', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      const input = rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] });
      const a = await preview(fx, input);
      const b = await preview(fx, input);
      const c = await preview(fx, { ...input, targetRevision: t0.slice(0, 8) });
      expect(a.previewHash).toMatch(/^[0-9a-f]{32}$/);
      expect(b.previewHash).toBe(a.previewHash);
      expect(c.previewHash).toBe(a.previewHash);
    });

    it('does not change when another tenant-environment changes', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), setField('checkout', 'replicas', 4)]);
      for (const mode of ['FULL', 'SERVICE', 'FIELD'] as const) {
        const input = rollbackInput('acme', 'staging', { mode, service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] });
        const before = await preview(fx, input);
        await fx.release('acme', 'production', [tag('api-gateway', `v9.${mode.length}`)]);
        await fx.release('globex', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: mode }]);
        const after = await preview(fx, input);
        expect(after.baseRevision).not.toBe(before.baseRevision);
        expect(after.previewHash, mode).toBe(before.previewHash);
      }
    });

    it('does not change for a SERVICE rollback when another service of the same tenant-environment changes', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      const input = rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 });
      const before = await preview(fx, input);
      await fx.release('acme', 'staging', [tag('payments', 'v1.9.0')], [{ file: 'variables.yaml', path: 'services.payments.TIMEOUT_MS', value: '1' }]);
      expect((await preview(fx, input)).previewHash).toBe(before.previewHash);
    });

    it('changes when the planned change changes', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      const input = rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] });
      const before = await preview(fx, input);
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.1')]);
      expect((await preview(fx, input)).previewHash).not.toBe(before.previewHash);
      const otherMode = await preview(fx, { ...input, mode: 'SERVICE' });
      expect(otherMode.previewHash).not.toBe(before.previewHash);
    });
  });

  describe('later-revision warnings', () => {
    it('lists, per field, the commits after the target that changed that same field', async ({ fx }) => {
      const t0 = fx.head();
      const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.9')]);
      await fx.release('acme', 'staging', [setField('api-gateway', 'replicas', 3)]); // same file, other field
      await fx.release('acme', 'production', [tag('api-gateway', 'v2.1.0')]); // same field, other tenant-environment
      const c = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] }));

      expect(p.warnings).toEqual([{ file: 'services/api-gateway/values.yaml', path: 'image.tag', laterRevisions: [c, a] }]);
    });

    it('includes commits pushed by other tools that are not yet in the deployment history', async ({ fx }) => {
      const t0 = fx.head();
      const a = await fx.release('acme', 'staging', [tag('api-gateway', 'v2.0.9')]);
      const values = (await fx.backend.repositories.forProject('shop').then((g) => g.readFile(a, `${DIR}/services/api-gateway/values.yaml`)))!.toString('utf8');
      const pushed = await fx.cliCommit([{ path: `${DIR}/services/api-gateway/values.yaml`, content: values.replace('tag: v2.0.9', 'tag: v2.2.0-hotfix') }]);
      const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'api-gateway', targetRevision: t0, fields: [{ file: 'values.yaml', path: 'image.tag' }] }));

      expect(p.warnings).toEqual([{ file: 'services/api-gateway/values.yaml', path: 'image.tag', laterRevisions: [pushed, a] }]);
    });

    it('covers service-scoped variables too', async ({ fx }) => {
      const t0 = fx.head();
      const a = await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', value: '9000' }]);
      await fx.release('acme', 'staging', [], [{ file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' }]);
      const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'SERVICE', service: 'api-gateway', targetRevision: t0 }));
      expect(p.warnings).toEqual([{ file: 'variables.yaml', path: 'services.api-gateway.TIMEOUT_MS', laterRevisions: [a] }]);
    });
  });

  describe('suggestion', () => {
    it('suggests a smaller scope for a FULL preview whose changes fall within one service', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      const p = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));
      expect(p.suggestion).toMatch(/FIELD rollback of image\.tag/);
      expect(p.suggestion).toContain('api-gateway');

      await fx.release('acme', 'staging', [
        { service: 'api-gateway', replaceFiles: [{ file: 'bindings.yaml', content: 'manifests: []\n' }], setFields: [{ file: 'values.yaml', path: 'replicas', value: 2 }, { file: 'values.yaml', path: 'ports.http', value: 81 }] },
      ]);
      const wider = await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }));
      expect(wider.suggestion).toMatch(/SERVICE rollback/);
      expect(wider.suggestion).toContain('api-gateway');
    });

    it('makes no suggestion when the changes span several services or the environment', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0'), tag('payments', 'v1.5.0')]);
      expect((await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }))).suggestion).toBeNull();
    });

    it('makes no single-service suggestion when a file outside the services changed too', async ({ fx }) => {
      const t0 = fx.head();
      await fx.release('acme', 'staging', [tag('api-gateway', 'v2.1.0')]);
      await fx.writeFiles('acme', 'staging', (files) => {
        files.set('environment.yaml', `${files.get('environment.yaml')!}# owner: platform team\n`);
      });
      expect((await preview(fx, rollbackInput('acme', 'staging', { mode: 'FULL', targetRevision: t0 }))).suggestion).toBeNull();
    });
  });
});
