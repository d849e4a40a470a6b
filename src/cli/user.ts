/** Users and their roles in projects. */
import type { Command } from 'commander';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { createUserAccount, listProjectMembers, parseRole, removeProjectMember, setProjectMember } from '../domain/onboarding/people';
import { normalizeEmail } from '../domain/admin';
import { ConflictError, DomainError } from '../domain/errors';
import { ROLES, type Role } from '../domain/model';
import { UsageError, type Cli } from './context';

/** The role option, checked before any data is opened. */
function roleOf(value: string | undefined): Role {
  if (!value) throw new UsageError('--role is required');
  try {
    return parseRole(value);
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    throw error;
  }
}

export function registerUserCommands(program: Command, cli: Cli): void {
  const user = program.command('user').description('users and their roles in projects');

  user
    .command('create')
    .description(`create a user, optionally with a role in a project (${ROLES.join(', ')})`)
    .requiredOption('--email <email>', 'their email (stored lower-case)')
    .requiredOption('--name <name>', 'their name')
    .option('--project <slug>', 'a project to give them a role in')
    .option('--role <role>', 'their role in --project')
    .action(async (options: { email: string; name: string; project?: string; role?: string }, command: Command) => {
      if (options.role && !options.project) throw new UsageError('--role needs --project');
      const role = options.project ? roleOf(options.role) : null;
      await cli.withBackend(command, async (backend) => {
        // Everything is checked before the user is created, so a mistake leaves no half-made user behind.
        if (options.project) await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const email = normalizeEmail(options.email);
        if (await backend.stores.users.byEmail(email)) throw new ConflictError('USER_EXISTS', `user ${email} already exists`);
        const created = options.project
          ? (await setProjectMember(backend, OPERATOR, { project: options.project, email, name: options.name, role: role! })).user
          : await createUserAccount(backend, OPERATOR, { email, name: options.name });
        cli.line(`user ${created.id} created`);
      });
    });

  user
    .command('grant')
    .description('give a user a role in a project, or change it')
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--role <role>', ROLES.join(', '))
    .action(async (options: { email: string; project: string; role: string }, command: Command) => {
      const role = roleOf(options.role);
      await cli.withBackend(command, async (backend) => {
        const member = await setProjectMember(backend, OPERATOR, { project: options.project, email: options.email, role });
        cli.line(`${member.user.email} is ${role} in ${options.project}${member.previousRole && member.previousRole !== role ? ` (was ${member.previousRole})` : ''}`);
      });
    });

  user
    .command('remove')
    .description('remove a user from a project (never its last ADMIN)')
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--project <slug>', 'the project')
    .action(async (options: { email: string; project: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const removed = await removeProjectMember(backend, OPERATOR, options);
        cli.line(`${removed.user.email} removed from ${options.project} (was ${removed.role})`);
      });
    });

  user
    .command('list')
    .description('list users with their roles (in one project, with --project)')
    .option('--project <slug>', 'only the members of this project')
    .action(async (options: { project?: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        if (options.project) {
          const members = await listProjectMembers(backend, OPERATOR, options.project);
          return cli.table([['EMAIL', 'NAME', 'ROLE'], ...members.map((m) => [m.user.email, m.user.name, m.role])]);
        }
        const projects = new Map((await backend.stores.projects.all()).map((p) => [p.id, p.slug]));
        const rows = [];
        for (const u of await backend.stores.users.all()) {
          const roles = (await backend.stores.memberships.ofUser(u.id)).map((m) => `${projects.get(m.projectId)}:${m.role}`).sort();
          rows.push([u.email, u.name, roles.join(', ') || '-']);
        }
        cli.table([['EMAIL', 'NAME', 'ROLES'], ...rows]);
      });
    });
}
