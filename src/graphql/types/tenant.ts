import type { Tenant } from '../../domain/model';
import { archiveTenant } from '../../domain/onboarding/archive';
import { createTenant, tenantsOf } from '../../domain/onboarding/structure';
import { builder } from '../builder';
import { ProjectRef } from './project';

export const TenantRef = builder.objectRef<Tenant>('Tenant');

TenantRef.implement({
  description: 'A tenant of a project: one directory tenants/<slug>/ holding its environments.',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    archivedAt: t.field({ type: 'DateTime', nullable: true, resolve: (tenant) => tenant.archivedAt }),
  }),
});

builder.objectField(ProjectRef, 'tenants', (t) =>
  t.field({
    type: [TenantRef],
    description: 'By slug; archived ones only with includeArchived.',
    args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (p, args, ctx) => tenantsOf(ctx.backend, ctx.actor, p, args.includeArchived ?? false),
  }),
);

const CreateTenantInput = builder.inputType('CreateTenantInput', {
  fields: (t) => ({
    project: t.string(),
    slug: t.string({ description: 'Lowercase letters, digits and dashes: its directory name.' }),
    name: t.string({ required: false }),
  }),
});

builder.mutationField('createTenant', (t) =>
  t.field({
    type: TenantRef,
    description: 'ADMIN only.',
    args: { input: t.arg({ type: CreateTenantInput }) },
    resolve: (_root, { input }, ctx) => createTenant(ctx.backend, ctx.actor, input),
  }),
);

const ArchiveTenantInput = builder.inputType('ArchiveTenantInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    archived: t.boolean({ required: false, defaultValue: true, description: 'false restores it.' }),
  }),
});

builder.mutationField('archiveTenant', (t) =>
  t.field({
    type: TenantRef,
    description: 'ADMIN only. Its tenant-environments refuse new writes while it is archived.',
    args: { input: t.arg({ type: ArchiveTenantInput }) },
    resolve: (_root, { input }, ctx) => archiveTenant(ctx.backend, ctx.actor, input, input.archived ?? true),
  }),
);
