import type { FieldDiff } from '../../domain/diff/compare-files';
import { fieldKey, previewRollback, type FieldWarning, type RollbackPreview } from '../../domain/rollback/preview';
import { builder } from '../builder';
import { ChangeKindEnum, RollbackModeEnum } from './enums';
import { DiffCountsRef, FileDiffRef } from './revision-diff';
import { TenantEnvironmentRef } from './tenant-environment';

export const SelectedFieldInput = builder.inputType('SelectedFieldInput', {
  fields: (t) => ({
    file: t.string({
      required: false,
      defaultValue: 'values.yaml',
      description: "`values.yaml`, `bindings.yaml` (the service's own) or `variables.yaml` (its `services.<name>` keys).",
    }),
    path: t.string({ description: 'YAML path, e.g. `image.tag`.' }),
  }),
});

export const RollbackInput = builder.inputType('RollbackInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    mode: t.field({ type: RollbackModeEnum }),
    targetSha: t.string({ required: false, description: 'The revision to roll back to (full or abbreviated SHA).' }),
    service: t.string({ required: false, description: 'Required for SERVICE and FIELD modes.' }),
    fields: t.field({ type: [SelectedFieldInput], required: false, description: 'FIELD mode: the fields to revert.' }),
  }),
});

export function toRollbackInput(input: typeof RollbackInput.$inferInput) {
  return {
    project: input.project,
    tenant: input.tenant,
    environment: input.environment,
    mode: input.mode,
    targetRevision: input.targetSha,
    service: input.service,
    fields: input.fields?.map((f) => ({ file: f.file ?? 'values.yaml', path: f.path })),
  };
}

interface PreviewField {
  preview: RollbackPreview;
  field: FieldDiff;
}

const RollbackFieldChangeRef = builder.objectRef<PreviewField>('RollbackFieldChange');

RollbackFieldChangeRef.implement({
  description: 'A field the rollback changes: from its current value to the target revision\'s.',
  fields: (t) => ({
    file: t.string({ resolve: ({ field }) => field.file }),
    path: t.string({ resolve: ({ field }) => field.path }),
    service: t.string({ nullable: true, resolve: ({ field }) => field.service }),
    kind: t.field({ type: ChangeKindEnum, resolve: ({ field }) => field.kind }),
    currentValue: t.field({ type: 'JSON', nullable: true, resolve: ({ field }) => field.before }),
    targetValue: t.field({ type: 'JSON', nullable: true, resolve: ({ field }) => field.after }),
    liveValue: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What the cluster agent last reported for this field, when it reports it.',
      resolve: ({ preview, field }) => preview.liveValues.get(fieldKey(field)) ?? null,
    }),
    laterRevisions: t.stringList({
      description: 'Commits after the target that changed this field again: the rollback undoes them too.',
      resolve: ({ preview, field }) =>
        preview.warnings.find((w) => w.file === field.file && w.path === field.path)?.laterRevisions ?? [],
    }),
  }),
});

const RollbackWarningRef = builder.objectRef<FieldWarning>('RollbackFieldWarning');

RollbackWarningRef.implement({
  fields: (t) => ({
    file: t.exposeString('file'),
    path: t.exposeString('path'),
    laterRevisions: t.exposeStringList('laterRevisions'),
  }),
});

const RollbackServiceChangeRef = builder
  .objectRef<{ preview: RollbackPreview; service: RollbackPreview['diff']['services'][number] }>('RollbackServiceChange')
  .implement({
    fields: (t) => ({
      service: t.string({ resolve: ({ service }) => service.service }),
      kind: t.field({ type: ChangeKindEnum, resolve: ({ service }) => service.kind }),
      files: t.field({ type: [FileDiffRef], resolve: ({ service }) => service.files }),
      fields: t.field({
        type: [RollbackFieldChangeRef],
        resolve: ({ preview, service }) => service.fields.map((field) => ({ preview, field })),
      }),
    }),
  });

export const RollbackPreviewRef = builder.objectRef<RollbackPreview>('RollbackPreview');

RollbackPreviewRef.implement({
  description: 'Exactly what a rollback would change, computed on `baseRevision`.',
  fields: (t) => ({
    tenantEnvironment: t.field({ type: TenantEnvironmentRef, resolve: (p) => p.tenantEnvironment }),
    mode: t.field({ type: RollbackModeEnum, resolve: (p) => p.scope.mode }),
    service: t.string({ nullable: true, resolve: (p) => p.scope.service }),
    targetRevision: t.exposeString('targetRevision'),
    baseRevision: t.exposeString('baseRevision'),
    previewHash: t.exposeString('previewHash', {
      description: 'Pass to requestRollback to make sure the request does exactly what was previewed.',
    }),
    affectedServices: t.exposeStringList('affectedServices'),
    services: t.field({
      type: [RollbackServiceChangeRef],
      description: 'Per-service breakdown of affected files and fields.',
      resolve: (p) => p.diff.services.map((service) => ({ preview: p, service })),
    }),
    environmentFields: t.field({
      type: [RollbackFieldChangeRef],
      resolve: (p) => p.diff.environmentFields.map((field) => ({ preview: p, field })),
    }),
    files: t.field({ type: [FileDiffRef], resolve: (p) => p.diff.files }),
    impact: t.field({ type: DiffCountsRef, resolve: (p) => p.diff.counts }),
    warnings: t.field({ type: [RollbackWarningRef], resolve: (p) => p.warnings }),
    targetWarnings: t.stringList({
      description: 'Warnings about the target revision itself: FAILED, ROLLED_BACK, or a recurring rollback target (3+ in 30 days).',
      resolve: (p) => p.targetWarnings ?? [],
    }),
    suggestion: t.exposeString('suggestion', {
      nullable: true,
      description: 'Set when a smaller scope would do the same job (start with the smallest scope).',
    }),
  }),
});


builder.mutationField('previewRollback', (t) =>
  t.field({
    type: RollbackPreviewRef,
    extensions: { cost: 500 },
    args: { input: t.arg({ type: RollbackInput }) },
    resolve: (_root, { input }, ctx) => previewRollback(ctx.backend, ctx.actor, toRollbackInput(input)),
  }),
);
