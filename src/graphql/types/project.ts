import { roleIn } from '../../domain/access';
import { organizationOf, projectBySlug, tenantEnvironmentsOfProject, type OrganizationRow, type ProjectRow } from '../../domain/workspace';
import { builder } from '../builder';
import { PlanEnum, RoleEnum } from './enums';
import { TenantEnvironmentRef } from './tenant-environment';

export const OrganizationRef = builder.objectRef<OrganizationRow>('Organization').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    plan: t.field({ type: PlanEnum, resolve: (o) => o.plan }),
    featureFlags: t.exposeStringList('featureFlags'),
  }),
});

export const ProjectRef = builder.objectRef<ProjectRow>('Project').implement({
  description: 'A project: one hosted Git repository holding tenants × environments.',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    organization: t.field({ type: OrganizationRef, resolve: (p, _a, ctx) => organizationOf(ctx.services, p) }),
    viewerRole: t.field({
      type: RoleEnum,
      nullable: true,
      description: "The caller's role in this project.",
      resolve: (p, _a, ctx) => roleIn(ctx.actor, p.id),
    }),
    tenantEnvironments: t.field({
      type: [TenantEnvironmentRef],
      resolve: (p, _a, ctx) => tenantEnvironmentsOfProject(ctx.services, p.id),
    }),
  }),
});

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    args: { slug: t.arg.string() },
    resolve: (_root, args, ctx) => projectBySlug(ctx.services, ctx.actor, args.slug),
  }),
);
