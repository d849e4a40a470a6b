/** Tenants of a project. */
import type { Command } from 'commander';
import { archiveTenant } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { createTenant, tenantsOf } from '../domain/onboarding/structure';
import type { Cli } from './context';

export function registerTenantCommands(program: Command, cli: Cli): void {
  const tenant = program.command('tenant').description('tenants of a project');

  tenant
    .command('create')
    .description('create a tenant')
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--tenant <slug>', 'its slug: its directory tenants/<slug>/')
    .option('--name <name>', 'its display name (default: the slug)')
    .action(async (options: { project: string; tenant: string; name?: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await createTenant(backend, OPERATOR, { project: options.project, slug: options.tenant, name: options.name });
        cli.line(`tenant ${options.tenant} created in ${options.project}`);
      });
    });

  tenant
    .command('list')
    .description('list a project\'s tenants')
    .requiredOption('--project <slug>', 'the project')
    .option('--archived', 'include archived ones')
    .action(async (options: { project: string; archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const tenants = await tenantsOf(backend, OPERATOR, project, options.archived ?? false);
        cli.table([['SLUG', 'NAME', 'ARCHIVED'], ...tenants.map((t) => [t.slug, t.name, t.archivedAt?.toISOString() ?? '-'])]);
      });
    });

  tenant
    .command('archive')
    .description('archive a tenant (its tenant-environments refuse new writes), or restore it')
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--restore', 'restore it instead')
    .action(async (options: { project: string; tenant: string; restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveTenant(backend, OPERATOR, options, !options.restore);
        cli.line(`tenant ${options.tenant} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
