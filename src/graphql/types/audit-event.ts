import type { AuditEvent } from '../../domain/model';
import { auditEventsByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import { UserRef } from './user';

export const AuditEventRef = builder.objectRef<AuditEvent>('AuditEvent');

asNode(AuditEventRef, (e) => String(e.id), (backend, actor, ids) => auditEventsByIds(backend, actor, ids.map(Number)));

AuditEventRef.implement({
  fields: (t) => ({
    action: t.exposeString('action'),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user; null for cluster agents and the system itself.',
      resolve: (e, _a, ctx) => (e.actorUserId ? ctx.loaders.user.load(e.actorUserId) : null),
    }),
    actorAgentId: t.exposeString('actorAgentId', { nullable: true }),
    targetType: t.exposeString('targetType'),
    targetId: t.exposeString('targetId'),
    tenantEnvironmentId: t.exposeString('tenantEnvironmentId', { nullable: true }),
    details: t.field({ type: 'JSON', resolve: (e) => e.details }),
    breakGlass: t.boolean({ description: 'Taken under a break-glass session.', resolve: (e) => e.breakGlassSessionId !== null }),
    breakGlassSessionId: t.exposeString('breakGlassSessionId', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});
