/** Projects: created empty or imported from an existing repository (the operator's), listed, archived. */
import type { Command } from 'commander';
import { userByEmail } from '../domain/admin';
import { archiveProject } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { importProject } from '../domain/onboarding/import';
import { formatLayoutReport } from '../domain/onboarding/layout-check';
import { setProjectMember } from '../domain/onboarding/people';
import { createProject, listProjects } from '../domain/onboarding/structure';
import type { Backend } from '../domain/ports';
import type { Cli } from './context';

/** Makes each named user (who must exist already) ADMIN of the project. */
async function makeAdmins(cli: Cli, backend: Backend, project: string, emails: string[]): Promise<void> {
  for (const email of emails) {
    await setProjectMember(backend, OPERATOR, { project, email, role: 'ADMIN' });
    cli.line(`${email} is ADMIN in ${project}`);
  }
}

export function registerProjectCommands(program: Command, cli: Cli): void {
  const project = program.command('project').description('projects: one hosted Git repository each');
  const admin = ['--admin <email>', 'make this existing user ADMIN of the project (repeatable)', (v: string, p: string[] = []) => [...p, v], [] as string[]] as const;

  project
    .command('create')
    .description('create a project with an empty repository')
    .requiredOption('--project <slug>', 'its slug: also the repository name')
    .option('--organization <slug>', 'its organization (may be left out when there is one)')
    .option('--name <name>', 'its display name (default: the slug)')
    .option(...admin)
    .action(async (options: { project: string; organization?: string; name?: string; admin: string[] }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        for (const email of options.admin) await userByEmail(backend, email);
        const created = await createProject(backend, OPERATOR, { organization: options.organization, slug: options.project, name: options.name });
        cli.line(`project ${created.slug} created with an empty repository at ${backend.repositories.pathFor(created.slug)}`);
        await makeAdmins(cli, backend, created.slug, options.admin);
      });
    });

  project
    .command('import')
    .description('import an existing repository (history included) that follows the layout tenants/<tenant>/<env>/…')
    .requiredOption('--project <slug>', 'the new project\'s slug: also the repository name')
    .requiredOption('--from <path-or-url>', 'a path on this machine or a git URL it reaches')
    .option('--organization <slug>', 'its organization (may be left out when there is one)')
    .option('--name <name>', 'its display name (default: the slug)')
    .option('--branch <branch>', 'the branch to import as main', 'main')
    .option(...admin)
    .action(async (options: { project: string; from: string; organization?: string; name?: string; branch: string; admin: string[] }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        for (const email of options.admin) await userByEmail(backend, email);
        const { project: imported, report } = await importProject(backend, OPERATOR, {
          organization: options.organization,
          project: options.project,
          name: options.name,
          from: options.from,
          branch: options.branch,
        });
        cli.line(`project ${imported.slug} imported from ${options.from}`);
        for (const line of formatLayoutReport(report)) cli.line(line);
        await makeAdmins(cli, backend, imported.slug, options.admin);
      });
    });

  project
    .command('list')
    .description('list projects')
    .option('--archived', 'include archived ones')
    .action(async (options: { archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const projects = await listProjects(backend, OPERATOR, options.archived ?? false);
        const organizations = new Map((await backend.stores.organizations.all()).map((o) => [o.id, o.slug]));
        cli.table([
          ['SLUG', 'NAME', 'ORGANIZATION', 'HEAD', 'ARCHIVED'],
          ...projects.map((p) => [p.slug, p.name, organizations.get(p.organizationId) ?? '?', p.indexedSha?.slice(0, 12) ?? '-', p.archivedAt?.toISOString() ?? '-']),
        ]);
      });
    });

  project
    .command('archive')
    .description('archive a project (hidden from lists, new writes refused, history kept), or restore it')
    .requiredOption('--project <slug>', 'the project')
    .option('--restore', 'restore it instead')
    .action(async (options: { project: string; restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveProject(backend, OPERATOR, options.project, !options.restore);
        cli.line(`project ${options.project} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
