import { roleIn } from '../../domain/access';
import { listAuditEvents } from '../../domain/audit';
import { breakGlassSessionsOf } from '../../domain/requests/break-glass';
import { repositoryHealth } from '../../domain/repository-health';
import { repositoryUrl } from '../../domain/repository-tokens';
import { rollbackModes } from '../../domain/rollback/modes';
import type { Project } from '../../domain/model';
import { archiveProject } from '../../domain/onboarding/archive';
import { listProjects } from '../../domain/onboarding/structure';
import { environmentsOfProject, organizationOf, projectBySlug, tenantEnvironmentsOfProject } from '../../domain/workspace';
import { connectionOf, encodeIdCursor, pageRequest } from '../pagination';
import { ApprovalPolicyRef } from './approval-policy';
import { AuditEventRef } from './audit-event';
import { BreakGlassSessionRef } from './break-glass-session';
import { RollbackModeOptionRef } from './rollback-mode';
import { projectsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import { RoleEnum } from './enums';
import { OrganizationRef } from './organization';
import { RepositoryHealthRef } from './repository-health';
import { TenantEnvironmentRef } from './tenant-environment';

export const ProjectRef = builder.objectRef<Project>('Project');

asNode(ProjectRef, (p) => p.id, projectsByIds);

ProjectRef.implement({
  description: 'A project: one hosted Git repository holding tenants × environments.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    organization: t.field({ type: OrganizationRef, resolve: (p, _a, ctx) => organizationOf(ctx.backend, p) }),
    repositoryUrl: t.string({
      description: 'Where Git clients and Argo CD clone the repository (read-only, Git smart HTTP), on PUBLIC_URL.',
      resolve: (p, _a, ctx) => repositoryUrl(ctx.backend, p.slug),
    }),
    archivedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set while archived: hidden from lists, new writes refused (ARCHIVED); history and audit stay readable.',
      resolve: (p) => p.archivedAt,
    }),
    viewerRole: t.field({
      type: RoleEnum,
      nullable: true,
      description: "The caller's role in this project.",
      resolve: (p, _a, ctx) => roleIn(ctx.actor, p.id),
    }),
    repositoryHealth: t.field({
      type: RepositoryHealthRef,
      extensions: { cost: 20 },
      description: 'Checked on every read: a missing main branch or rewritten history shows here.',
      resolve: (p, _a, ctx) => repositoryHealth(ctx.backend, p),
    }),
    tenantEnvironments: t.field({
      type: [TenantEnvironmentRef],
      description: 'Archived ones (or those of an archived tenant or environment) only with includeArchived.',
      args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
      resolve: (p, args, ctx) => tenantEnvironmentsOfProject(ctx.backend, ctx.actor, p.id, args.includeArchived ?? false),
    }),
    rollbackModes: t.field({
      type: [RollbackModeOptionRef],
      description: 'Each rollback mode, whether the caller may use it here, and its blast radius.',
      resolve: async (p, _a, ctx) => rollbackModes(ctx.actor, await organizationOf(ctx.backend, p), p.id),
    }),
    approvalPolicies: t.field({
      type: [ApprovalPolicyRef],
      description: 'Of the environments that are not archived.',
      resolve: (p, _a, ctx) => environmentsOfProject(ctx.backend, ctx.actor, p.id),
    }),
    breakGlassSessions: t.field({
      type: [BreakGlassSessionRef],
      description: 'Newest first, with the actions taken under each, for post-incident review.',
      extensions: { cost: 10 },
      args: { activeOnly: t.arg.boolean({ required: false, defaultValue: false }) },
      resolve: (p, args, ctx) => breakGlassSessionsOf(ctx.backend, ctx.actor, p, args.activeOnly ?? false),
    }),
    auditEvents: t.connection({
      type: AuditEventRef,
      description: 'The audit trail, newest first: `first`/`after` page towards older events, `last`/`before` towards newer ones.',
      extensions: { cost: 10 },
      args: {
        action: t.arg.string({ required: false }),
        actorId: t.arg.id({ required: false }),
        tenantEnvironmentId: t.arg.id({ required: false }),
        breakGlassOnly: t.arg.boolean({ required: false }),
      },
      resolve: async (p, args, ctx) => {
        const page = await listAuditEvents(
          ctx.backend,
          ctx.actor,
          p.id,
          {
            action: args.action,
            actorUserId: args.actorId ? String(args.actorId) : null,
            tenantEnvironmentId: args.tenantEnvironmentId ? String(args.tenantEnvironmentId) : null,
            breakGlassOnly: args.breakGlassOnly,
          },
          pageRequest('audit', args),
        );
        return connectionOf(page, (e) => encodeIdCursor('audit', e.id));
      },
    }),
  }),
});

builder.queryField('projects', (t) =>
  t.field({
    type: [ProjectRef],
    description: 'The projects the caller holds a role in (an agent: its own), by slug; archived ones only with includeArchived.',
    args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, ctx) => listProjects(ctx.backend, ctx.actor, args.includeArchived ?? false),
  }),
);

const ArchiveProjectInput = builder.inputType('ArchiveProjectInput', {
  fields: (t) => ({
    project: t.string(),
    archived: t.boolean({ required: false, defaultValue: true, description: 'false restores it.' }),
  }),
});

builder.mutationField('archiveProject', (t) =>
  t.field({
    type: ProjectRef,
    description: 'ADMIN only. An archived project is hidden from lists and refuses new writes; its history, requests and audit stay readable.',
    args: { input: t.arg({ type: ArchiveProjectInput }) },
    resolve: (_root, { input }, ctx) => archiveProject(ctx.backend, ctx.actor, input.project, input.archived ?? true),
  }),
);

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    args: { slug: t.arg.string() },
    resolve: (_root, args, ctx) => projectBySlug(ctx.backend, ctx.actor, args.slug),
  }),
);
