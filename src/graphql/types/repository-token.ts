import {
  createRepositoryToken,
  isTokenActive,
  listRepositoryTokens,
  revokeRepositoryToken,
  type RepositoryToken,
} from '../../domain/repository-tokens';
import { builder } from '../builder';
import { ProjectRef } from './project';

export const RepositoryTokenRef = builder.objectRef<RepositoryToken>('RepositoryToken');

RepositoryTokenRef.implement({
  description: "A project's repository read token: clones and fetches its repository over Git HTTP (for Argo CD), nothing else.",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'Null: never expires.', resolve: (r) => r.expiresAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last served a Git request (recorded at most once a minute).',
      resolve: (r) => r.lastUsedAt,
    }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.revokedAt }),
    active: t.boolean({ description: 'Neither revoked nor expired.', resolve: (r, _a, ctx) => isTokenActive(r, ctx.backend.now()) }),
  }),
});

const CreatedRepositoryTokenRef = builder
  .objectRef<{ token: string; repositoryToken: RepositoryToken }>('CreatedRepositoryToken')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'The token itself, shown this once: use it as the password of HTTP Basic (any username).' }),
      repositoryToken: t.field({ type: RepositoryTokenRef, resolve: (r) => r.repositoryToken }),
    }),
  });

const CreateRepositoryTokenInput = builder.inputType('CreateRepositoryTokenInput', {
  fields: (t) => ({
    project: t.string(),
    name: t.string({ description: 'Who uses it, e.g. "argocd-prod".' }),
    expiresInDays: t.int({ required: false, description: 'Unset: never expires.' }),
  }),
});

builder.mutationField('createRepositoryToken', (t) =>
  t.field({
    type: CreatedRepositoryTokenRef,
    description: 'ADMIN only: a new repository read token of the project.',
    args: { input: t.arg({ type: CreateRepositoryTokenInput }) },
    resolve: (_root, { input }, ctx) => createRepositoryToken(ctx.backend, ctx.actor, input),
  }),
);

builder.mutationField('revokeRepositoryToken', (t) =>
  t.field({
    type: RepositoryTokenRef,
    description: 'ADMIN only: the token stops authenticating at once.',
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => revokeRepositoryToken(ctx.backend, ctx.actor, String(args.id)),
  }),
);

builder.objectField(ProjectRef, 'repositoryTokens', (t) =>
  t.field({
    type: [RepositoryTokenRef],
    description: 'ADMIN only: the repository read tokens, newest first, revoked and expired ones included.',
    resolve: (p, _a, ctx) => listRepositoryTokens(ctx.backend, ctx.actor, p),
  }),
);
