import type { Organization } from '../../domain/model';
import { organizationsByIds } from '../../domain/lookup';
import { listOrganizations } from '../../domain/onboarding/structure';
import { builder } from '../builder';
import { PlanEnum } from './enums';
import { asNode } from './node';

export const OrganizationRef = builder.objectRef<Organization>('Organization');

asNode(OrganizationRef, (o) => o.id, organizationsByIds);

OrganizationRef.implement({
  description: 'An organization: its plan and feature flags gate the rollback modes and the approval workflow of its projects.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    plan: t.field({ type: PlanEnum, resolve: (o) => o.plan }),
    featureFlags: t.exposeStringList('featureFlags'),
    archivedAt: t.field({ type: 'DateTime', nullable: true, resolve: (o) => o.archivedAt }),
  }),
});

builder.queryField('organizations', (t) =>
  t.field({
    type: [OrganizationRef],
    description: "The organizations of the caller's projects, by slug; archived ones only with includeArchived. Organizations are created by the server operator (admin CLI or apply).",
    args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, ctx) => listOrganizations(ctx.backend, ctx.actor, args.includeArchived ?? false),
  }),
);
