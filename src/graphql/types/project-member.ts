import { membersVisibleTo, removeProjectMember, setProjectMember, type ProjectMember } from '../../domain/onboarding/people';
import { builder } from '../builder';
import { RoleEnum } from './enums';
import { ProjectRef } from './project';
import { UserRef } from './user';

export const ProjectMemberRef = builder.objectRef<ProjectMember>('ProjectMember');

ProjectMemberRef.implement({
  description: 'A user and their role in a project.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (m) => m.user }),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role }),
  }),
});

builder.objectField(ProjectRef, 'members', (t) =>
  t.field({
    type: [ProjectMemberRef],
    description: 'By email, for ADMINs; empty for everyone else (memberships are otherwise disclosed to each user alone).',
    resolve: (p, _a, ctx) => membersVisibleTo(ctx.backend, ctx.actor, p),
  }),
);

const SetProjectMemberInput = builder.inputType('SetProjectMemberInput', {
  fields: (t) => ({
    project: t.string(),
    email: t.string(),
    role: t.field({ type: RoleEnum }),
    name: t.string({ required: false, description: 'Creates the user when there is none with this email yet.' }),
  }),
});

builder.mutationField('setProjectMember', (t) =>
  t.field({
    type: ProjectMemberRef,
    description: 'ADMIN only: adds the user with this role, or changes their role. The last ADMIN cannot be demoted (LAST_ADMIN). Tokens are issued by the server operator (backtrack token create).',
    args: { input: t.arg({ type: SetProjectMemberInput }) },
    resolve: (_root, { input }, ctx) => setProjectMember(ctx.backend, ctx.actor, input),
  }),
);

const RemoveProjectMemberInput = builder.inputType('RemoveProjectMemberInput', {
  fields: (t) => ({ project: t.string(), email: t.string() }),
});

builder.mutationField('removeProjectMember', (t) =>
  t.field({
    type: ProjectMemberRef,
    description: 'ADMIN only: removes the user from the project (their role as it was is returned). Never the last ADMIN.',
    args: { input: t.arg({ type: RemoveProjectMemberInput }) },
    resolve: (_root, { input }, ctx) => removeProjectMember(ctx.backend, ctx.actor, input),
  }),
);
