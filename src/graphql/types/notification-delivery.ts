import type { NotificationDelivery } from '../../domain/model';
import { notificationDeliveriesOf, redeliverNotification } from '../../domain/notifications/targets';
import { NotificationTargetRef } from './notification-target';
import { builder } from '../builder';
import { connectionOf, encodeIdCursor, pageRequest } from '../pagination';
import { NotificationDeliveryStateEnum, NotificationEventKindEnum, NotificationTargetKindEnum } from './enums';
import { ProjectRef } from './project';

export const NotificationDeliveryRef = builder.objectRef<NotificationDelivery>('NotificationDelivery');

NotificationDeliveryRef.implement({
  description: 'One notification for one target: a row of the outbox, with its attempts.',
  fields: (t) => ({
    id: t.id({ resolve: (d) => String(d.id) }),
    eventId: t.string({ description: 'The idempotency key, the same on every attempt (Idempotency-Key, X-Backtrack-Delivery, X-GitHub-Delivery).', resolve: (d) => d.eventId }),
    eventKind: t.field({ type: NotificationEventKindEnum, resolve: (d) => d.eventKind }),
    target: t.field({
      type: NotificationTargetRef,
      resolve: async (d, _a, ctx) => (await ctx.loaders.notificationTarget.load(d.targetId))!,
    }),
    targetName: t.string({ resolve: async (d, _a, ctx) => (await ctx.loaders.notificationTarget.load(d.targetId))?.name ?? '' }),
    targetKind: t.field({ type: NotificationTargetKindEnum, resolve: async (d, _a, ctx) => (await ctx.loaders.notificationTarget.load(d.targetId))!.kind }),
    tenantEnvironmentId: t.id({ nullable: true, resolve: (d) => d.tenantEnvironmentId }),
    state: t.field({ type: NotificationDeliveryStateEnum, resolve: (d) => d.state }),
    attempts: t.exposeInt('attempts'),
    lastStatus: t.int({ nullable: true, description: 'The HTTP status of the last answer; null when there was none (timeout, refused, connection failed).', resolve: (d) => d.lastStatus }),
    lastError: t.string({ nullable: true, resolve: (d) => d.lastError }),
    lastAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.lastAttemptAt }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, description: 'Only while PENDING.', resolve: (d) => (d.state === 'PENDING' ? d.nextAttemptAt : null) }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt }),
    createdAt: t.field({ type: 'DateTime', description: 'When the change that caused it committed.', resolve: (d) => d.createdAt }),
    payload: t.field({ type: 'JSON', description: 'The versioned event document (the WEBHOOK body).', resolve: (d) => d.payload }),
  }),
});

builder.objectField(ProjectRef, 'notificationDeliveries', (t) =>
  t.connection({
    type: NotificationDeliveryRef,
    description: 'ADMIN only (empty for others): the outbox, newest first.',
    extensions: { cost: 10 },
    args: {
      target: t.arg.string({ required: false, description: 'Only this target (by name).' }),
      state: t.arg({ type: NotificationDeliveryStateEnum, required: false }),
    },
    resolve: async (p, args, ctx) => {
      const page = await notificationDeliveriesOf(ctx.backend, ctx.actor, p, { target: args.target, state: args.state }, pageRequest('notification', args));
      return connectionOf(page, (d) => encodeIdCursor('notification', d.id));
    },
  }),
);

builder.mutationField('redeliverNotification', (t) =>
  t.field({
    type: NotificationDeliveryRef,
    description: 'ADMIN only: sends the delivery again (any state) with the same idempotency key and a fresh attempt budget.',
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => {
      const id = Number(args.id);
      return redeliverNotification(ctx.backend, ctx.actor, id);
    },
  }),
);
