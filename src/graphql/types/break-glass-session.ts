import { listAuditEvents } from '../../domain/audit';
import { firstRows } from '../../domain/paging';
import type { BreakGlassSession } from '../../domain/model';
import { closeBreakGlassSession, isActive, openBreakGlassSession } from '../../domain/requests/break-glass';
import { breakGlassSessionsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import { AuditEventRef } from './audit-event';
import { UserRef } from './user';

export const BreakGlassSessionRef = builder.objectRef<BreakGlassSession>('BreakGlassSession');

asNode(BreakGlassSessionRef, (s) => s.id, breakGlassSessionsByIds);

BreakGlassSessionRef.implement({
  description: 'An emergency bypass of approval for one user in one project; everything done under it is flagged in the audit trail.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (s, _a, ctx) => (await ctx.loaders.user.load(s.userId))! }),
    justification: t.exposeString('justification'),
    openedAt: t.field({ type: 'DateTime', resolve: (s) => s.openedAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.closedAt }),
    active: t.boolean({ resolve: (s, _a, ctx) => isActive(s, ctx.backend.now()) }),
    actions: t.field({
      type: [AuditEventRef],
      description: 'Every audited action taken under this session, for post-incident review.',
      extensions: { cost: 10 },
      resolve: async (s, _a, ctx) =>
        (await listAuditEvents(ctx.backend, ctx.actor, s.projectId, { breakGlassSessionId: s.id }, firstRows(500))).rows,
    }),
  }),
});

const BreakGlassInput = builder.inputType('BreakGlassInput', {
  fields: (t) => ({
    project: t.string(),
    justification: t.string(),
    durationMinutes: t.int({ required: false, description: 'Defaults to 60; capped by BREAK_GLASS_MAX_MINUTES.' }),
  }),
});

builder.mutationField('openBreakGlassSession', (t) =>
  t.field({
    type: BreakGlassSessionRef,
    args: { input: t.arg({ type: BreakGlassInput }) },
    resolve: (_root, { input }, ctx) => openBreakGlassSession(ctx.backend, ctx.actor, input),
  }),
);

builder.mutationField('closeBreakGlassSession', (t) =>
  t.field({
    type: BreakGlassSessionRef,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => closeBreakGlassSession(ctx.backend, ctx.actor, String(args.id)),
  }),
);
