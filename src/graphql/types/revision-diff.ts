import type { FieldDiff, FileDiff, ServiceDiff, DiffCounts } from '../../domain/diff/compare-files';
import type { RevisionComparison } from '../../domain/history/queries';
import { builder } from '../builder';
import { ChangeKindEnum, FileCategoryEnum } from './enums';

export const FieldDiffRef = builder.objectRef<FieldDiff>('FieldDiff');

FieldDiffRef.implement({
  description: 'One YAML field that differs; `before`/`after` are JSON values (null when absent).',
  fields: (t) => ({
    file: t.exposeString('file'),
    path: t.exposeString('path'),
    service: t.exposeString('service', { nullable: true }),
    kind: t.field({ type: ChangeKindEnum, resolve: (f) => f.kind }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.after }),
  }),
});

export const FileDiffRef = builder.objectRef<FileDiff>('FileDiff');

FileDiffRef.implement({
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Relative to the tenant-environment directory.' }),
    service: t.exposeString('service', { nullable: true }),
    category: t.field({ type: FileCategoryEnum, resolve: (f) => f.category }),
    kind: t.field({ type: ChangeKindEnum, resolve: (f) => f.kind }),
    fields: t.field({ type: [FieldDiffRef], resolve: (f) => f.fields }),
    unifiedDiff: t.exposeString('unifiedDiff'),
    linesAdded: t.exposeInt('linesAdded'),
    linesRemoved: t.exposeInt('linesRemoved'),
    parseError: t.exposeString('parseError', { nullable: true }),
  }),
});

export const ServiceDiffRef = builder.objectRef<ServiceDiff>('ServiceDiff');

ServiceDiffRef.implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    kind: t.field({ type: ChangeKindEnum, resolve: (s) => s.kind }),
    files: t.field({ type: [FileDiffRef], resolve: (s) => s.files }),
    fields: t.field({ type: [FieldDiffRef], resolve: (s) => s.fields }),
  }),
});

export const DiffCountsRef = builder.objectRef<DiffCounts>('DiffCounts');

DiffCountsRef.implement({
  description: 'Impact summary: services, binding files and variables that differ.',
  fields: (t) => ({
    files: t.exposeInt('files'),
    services: t.exposeInt('services'),
    bindings: t.exposeInt('bindings'),
    variables: t.exposeInt('variables'),
  }),
});

export const RevisionDiffRef = builder.objectRef<RevisionComparison>('RevisionDiff');

RevisionDiffRef.implement({
  description: 'What differs from `base` to `head` in one tenant-environment.',
  fields: (t) => ({
    base: t.exposeString('base'),
    head: t.exposeString('head'),
    services: t.field({ type: [ServiceDiffRef], resolve: (c) => c.diff.services }),
    files: t.field({ type: [FileDiffRef], resolve: (c) => c.diff.files }),
    environmentFields: t.field({ type: [FieldDiffRef], resolve: (c) => c.diff.environmentFields }),
    counts: t.field({ type: DiffCountsRef, resolve: (c) => c.diff.counts }),
  }),
});
