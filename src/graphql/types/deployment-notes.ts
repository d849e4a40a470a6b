/** Post-incident notes on any deployment (release, promotion or rollback), and which services a rollback reverted of it. */
import { addDeploymentNote } from '../../domain/requests/approval-queue';
import type { DeploymentNote, DeploymentReversion } from '../../domain/model';
import { builder } from '../builder';
import { DeploymentRef } from './deployment';
import { RollbackRequestRef } from './rollback-request';
import { UserRef } from './user';

const DeploymentNoteRef = builder.objectRef<DeploymentNote>('DeploymentNote').implement({
  description: 'A post-incident note on a deployment, with an optional structured root cause and corrective actions.',
  fields: (t) => ({
    id: t.exposeID('id'),
    note: t.exposeString('note'),
    rootCause: t.exposeString('rootCause', { nullable: true }),
    correctiveActions: t.exposeStringList('correctiveActions'),
    author: t.field({ type: UserRef, resolve: async (n, _a, ctx) => (await ctx.loaders.user.load(n.authorId))! }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
  }),
});

const DeploymentReversionRef = builder.objectRef<DeploymentReversion>('DeploymentReversion').implement({
  description: 'What one rollback reverted of this deployment: all of it, or only some of its services (a SERVICE or FIELD rollback).',
  fields: (t) => ({
    services: t.exposeStringList('services', { description: 'The services of this deployment the rollback reverted.' }),
    whole: t.exposeBoolean('whole', { description: 'True when the rollback reverted every change of this deployment.' }),
    rollbackRequest: t.field({
      type: RollbackRequestRef,
      nullable: true,
      resolve: (r, _a, ctx) => ctx.loaders.rollbackRequest.load(r.rollbackRequestId),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

builder.objectFields(DeploymentRef, (t) => ({
  notes: t.field({
    type: [DeploymentNoteRef],
    description: 'Post-incident notes, oldest first.',
    resolve: async (d, _a, ctx) => (await ctx.backend.stores.deploymentNotes.ofDeployments([d.id]))[0]!,
  }),
  reversions: t.field({
    type: [DeploymentReversionRef],
    description: 'Rollbacks that reverted this deployment, in whole or in part, oldest first.',
    resolve: async (d, _a, ctx) => (await ctx.backend.stores.reversions.ofDeployments([d.id]))[0]!,
  }),
}));

const DeploymentNoteInput = builder.inputType('DeploymentNoteInput', {
  fields: (t) => ({
    deploymentId: t.id(),
    note: t.string(),
    rootCause: t.string({ required: false }),
    correctiveActions: t.stringList({ required: false }),
  }),
});

builder.mutationField('addDeploymentNote', (t) =>
  t.field({
    type: DeploymentNoteRef,
    description: 'Adds a post-incident note to any deployment (DEPLOYER or above); audited as deployment.note_added.',
    args: { input: t.arg({ type: DeploymentNoteInput }) },
    resolve: (_root, { input }, ctx) =>
      addDeploymentNote(ctx.backend, ctx.actor, {
        deploymentId: String(input.deploymentId),
        note: input.note,
        rootCause: input.rootCause,
        correctiveActions: input.correctiveActions,
      }),
  }),
);
