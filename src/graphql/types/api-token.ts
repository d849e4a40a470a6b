import { canReadRolesOf } from '../../domain/access';
import { isTokenActive } from '../../domain/auth';
import { listTokens, revokeToken, type TokenView } from '../../domain/onboarding/tokens';
import { builder } from '../builder';
import { UserRef } from './user';

export const ApiTokenRef = builder.objectRef<TokenView>('ApiToken');

ApiTokenRef.implement({
  description: 'A bearer token of a user (never the token itself: it is shown once, when the server operator issues it).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'Null: it never expires.', resolve: (token) => token.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.revokedAt }),
    active: t.boolean({ description: 'Neither revoked nor expired.', resolve: (token, _a, ctx) => isTokenActive(token, ctx.backend.now()) }),
  }),
});

builder.objectField(UserRef, 'tokens', (t) =>
  t.field({
    type: [ApiTokenRef],
    description: "The caller's own tokens, newest first, revoked and expired ones included; other users' are not disclosed.",
    extensions: { viewerIdentity: true },
    resolve: (user, _a, ctx) => (canReadRolesOf(ctx.actor, user.id) ? listTokens(ctx.backend, ctx.actor) : []),
  }),
);

builder.mutationField('revokeToken', (t) =>
  t.field({
    type: ApiTokenRef,
    description: "Revokes one of the caller's own tokens (another user's reads as not found); open WebSockets using it close within WS_RECHECK_MS.",
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => revokeToken(ctx.backend, ctx.actor, String(args.id)),
  }),
);
