import { BadRequestError } from '../../domain/errors';
import { compareRevisions, compareWithCurrent, currentServices, headRevision, listDeployments } from '../../domain/history/queries';
import { tenantEnvironmentBySlugs, type TenantEnvironmentContext } from '../../domain/workspace';
import { builder } from '../builder';
import { DeploymentRef } from './deployment';
import { ProjectRef } from './project';
import { RevisionDiffRef } from './revision-diff';

export const TenantEnvironmentRef = builder.objectRef<TenantEnvironmentContext>('TenantEnvironment');

const cursorPrefix = 'deployment:';
export const encodeCursor = (sequence: number) => Buffer.from(`${cursorPrefix}${sequence}`).toString('base64url');
function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString();
  const sequence = Number(text.slice(cursorPrefix.length));
  if (!text.startsWith(cursorPrefix) || !Number.isInteger(sequence)) {
    throw new BadRequestError('INVALID_CURSOR', 'invalid cursor');
  }
  return sequence;
}

TenantEnvironmentRef.implement({
  description: 'A tenant in one environment: the unit of deployment and rollback.',
  fields: (t) => ({
    id: t.exposeID('id'),
    tenant: t.string({ resolve: (te) => te.tenant.slug }),
    environment: t.string({ resolve: (te) => te.environment.slug }),
    path: t.string({
      description: 'Its directory in the hosted repository.',
      resolve: (te) => `tenants/${te.tenant.slug}/${te.environment.slug}`,
    }),
    project: t.field({ type: ProjectRef, resolve: (te) => te.project }),
    headRevision: t.string({ nullable: true, resolve: (te, _a, ctx) => headRevision(ctx.services, te) }),
    services: t.stringList({ description: 'Services at the head revision.', resolve: (te, _a, ctx) => currentServices(ctx.services, te) }),
    deployments: t.connection({
      type: DeploymentRef,
      description: 'Deployment history, newest first.',
      resolve: async (te, args, ctx) => {
        const page = await listDeployments(ctx.services, te, {
          first: args.first ?? 20,
          afterSequence: decodeCursor(args.after),
        });
        if (args.last != null || args.before != null) {
          throw new BadRequestError('UNSUPPORTED_PAGINATION', 'history pages forward only: use first/after');
        }
        const edges = page.rows.map((row) => ({ cursor: encodeCursor(row.sequence), node: row }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: args.after != null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    }),
    compareWithCurrent: t.field({
      type: RevisionDiffRef,
      description: 'From the given revision to the current head ("Compare with current").',
      args: { revision: t.arg.string() },
      resolve: (te, args, ctx) => compareWithCurrent(ctx.services, te, args.revision),
    }),
    compareRevisions: t.field({
      type: RevisionDiffRef,
      args: { base: t.arg.string(), head: t.arg.string() },
      resolve: (te, args, ctx) => compareRevisions(ctx.services, te, args.base, args.head),
    }),
  }),
});

builder.queryField('tenantEnvironment', (t) =>
  t.field({
    type: TenantEnvironmentRef,
    nullable: true,
    args: { project: t.arg.string(), tenant: t.arg.string(), environment: t.arg.string() },
    resolve: (_root, args, ctx) => tenantEnvironmentBySlugs(ctx.services, ctx.actor, args),
  }),
);
