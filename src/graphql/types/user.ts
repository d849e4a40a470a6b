import type { User } from '../../domain/model';
import { canReadRolesOf, requireUser } from '../../domain/access';
import type { Project, Role } from '../../domain/model';
import { projectRolesOf } from '../../domain/workspace';
import { usersByIds } from '../../domain/lookup';
import { builder } from '../builder';
import { asNode } from './node';
import { RoleEnum } from './enums';
import { ProjectRef } from './project';

export const UserRef = builder.objectRef<User>('User');

asNode(UserRef, (u) => u.id, usersByIds);

UserRef.implement({
  description: 'A person who deploys, requests, approves or administers rollbacks.',
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    projectRoles: t.field({
      type: [ProjectRoleRef],
      description: "The caller's own roles; other users' memberships are not disclosed.",
      // Depends on who the viewer is, not only on their roles: subscriptions selecting it are not shared across users.
      extensions: { viewerIdentity: true },
      resolve: (user, _args, ctx) =>
        canReadRolesOf(ctx.actor, user.id) ? projectRolesOf(ctx.backend, ctx.actor.roles) : [],
    }),
  }),
});

const ProjectRoleRef = builder
  .objectRef<{ project: Project; role: Role }>('ProjectRole')
  .implement({
    fields: (t) => ({
      project: t.field({ type: ProjectRef, resolve: (r) => r.project }),
      role: t.field({ type: RoleEnum, resolve: (r) => r.role }),
    }),
  });

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    description: 'The authenticated user.',
    extensions: { viewerIdentity: true },
    resolve: async (_root, _args, ctx) => (await ctx.loaders.user.load(requireUser(ctx.actor).user.id))!,
  }),
);
