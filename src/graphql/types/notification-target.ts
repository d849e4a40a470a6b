import type { NotificationTarget } from '../../domain/model';
import { removeNotificationTarget, notificationTargetsOf, setNotificationTarget } from '../../domain/notifications/targets';
import { shownUrl } from '../../domain/notifications/targets-policy';
import { builder } from '../builder';
import { NotificationEventKindEnum, NotificationTargetKindEnum } from './enums';
import { ProjectRef } from './project';

export const NotificationTargetRef = builder.objectRef<NotificationTarget>('NotificationTarget');

NotificationTargetRef.implement({
  description: "Where the project's notifications go. The secret is write-only: `hasSecret` says whether one is set.",
  fields: (t) => ({
    id: t.id({ resolve: (v) => v.id }),
    name: t.string({ resolve: (v) => v.name }),
    kind: t.field({ type: NotificationTargetKindEnum, resolve: (v) => v.kind }),
    url: t.string({ description: 'A SLACK URL is itself a secret: only its origin is shown.', resolve: (v) => shownUrl(v) }),
    hasSecret: t.boolean({ resolve: (v) => v.secret !== null }),
    eventKinds: t.field({
      type: [NotificationEventKindEnum],
      description: 'Empty: every kind the target kind takes.',
      resolve: (v) => v.eventKinds,
    }),
    tenantEnvironments: t.stringList({
      description: '`tenant/environment` names; empty: all of them.',
      resolve: async (v, _a, ctx) =>
        (await ctx.loaders.tenantEnvironment.loadMany(v.tenantEnvironmentIds)).map((te, i) =>
          te && !(te instanceof Error) ? `${te.tenant.slug}/${te.environment.slug}` : v.tenantEnvironmentIds[i]!,
        ),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (v) => v.updatedAt }),
  }),
});

const SetNotificationTargetInput = builder.inputType('SetNotificationTargetInput', {
  fields: (t) => ({
    project: t.string(),
    name: t.string({ description: 'Lowercase letters, digits and dashes; a target of this name is replaced.' }),
    kind: t.field({ type: NotificationTargetKindEnum }),
    url: t.string({ description: 'http:// or https://; an ARGOCD target: the Argo CD server\'s /api/webhook.' }),
    secret: t.string({
      required: false,
      description: 'Signs the body (WEBHOOK: X-Backtrack-Signature; ARGOCD: X-Hub-Signature-256 and X-Hub-Signature). Omitted: the stored one is kept; empty: removed.',
    }),
    eventKinds: t.field({ type: [NotificationEventKindEnum], required: false, description: 'Empty or omitted: every kind the target kind takes.' }),
    tenantEnvironments: t.stringList({ required: false, description: '`tenant/environment` names; empty or omitted: all of them.' }),
  }),
});

builder.mutationField('setNotificationTarget', (t) =>
  t.field({
    type: NotificationTargetRef,
    description: 'ADMIN only: creates or replaces a notification target. The URL is checked against the network policy (NOTIFICATION_ADDRESS_REFUSED).',
    args: { input: t.arg({ type: SetNotificationTargetInput }) },
    resolve: (_root, { input }, ctx) => setNotificationTarget(ctx.backend, ctx.actor, input),
  }),
);

builder.mutationField('removeNotificationTarget', (t) =>
  t.boolean({
    description: 'ADMIN only: removes the target and its delivery log; false when there was none of that name.',
    args: { project: t.arg.string(), name: t.arg.string() },
    resolve: (_root, args, ctx) => removeNotificationTarget(ctx.backend, ctx.actor, args),
  }),
);

builder.objectField(ProjectRef, 'notificationTargets', (t) =>
  t.field({
    type: [NotificationTargetRef],
    description: 'ADMIN only (empty for others): the notification targets, by name.',
    resolve: async (p, _a, ctx) => (await notificationTargetsOf(ctx.backend, ctx.actor, p)).map((view) => view.target),
  }),
);
