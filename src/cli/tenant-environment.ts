/** Tenant-environments: a tenant in one environment, the unit of deployment and rollback. */
import type { Command } from 'commander';
import { archivedAtOf } from '../domain/archived';
import { archiveTenantEnvironment } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { createTenantEnvironment, tenantEnvironmentsOf } from '../domain/onboarding/structure';
import type { Cli } from './context';

interface Where {
  project: string;
  tenant: string;
  environment: string;
}

export function whereOptions(command: Command): Command {
  return command
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--environment <slug>', 'the environment');
}

export function registerTenantEnvironmentCommands(program: Command, cli: Cli): void {
  const group = program.command('tenant-environment').alias('te').description('tenant-environments: a tenant in an environment');

  whereOptions(group.command('create').description('create the tenant-environment of an existing tenant and environment')).action(
    async (options: Where, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await createTenantEnvironment(backend, OPERATOR, options);
        cli.line(`tenant-environment ${options.tenant}/${options.environment} created in ${options.project} (its files appear with its first service)`);
      });
    },
  );

  group
    .command('list')
    .description('list a project\'s tenant-environments')
    .requiredOption('--project <slug>', 'the project')
    .option('--archived', 'include archived ones (their own mark, or their tenant\'s, environment\'s, project\'s)')
    .action(async (options: { project: string; archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const rows = await tenantEnvironmentsOf(backend, OPERATOR, project, options.archived ?? false);
        cli.table([
          ['TENANT/ENVIRONMENT', 'DIRECTORY', 'ARCHIVED'],
          ...rows
            .map((te) => [`${te.ref.tenant}/${te.ref.environment}`, `tenants/${te.ref.tenant}/${te.ref.environment}`, archivedAtOf(te)?.toISOString() ?? '-'])
            .sort((a, b) => a[0]!.localeCompare(b[0]!)),
        ]);
      });
    });

  whereOptions(group.command('archive').description('archive a tenant-environment (new writes refused, history kept), or restore it'))
    .option('--restore', 'restore it instead')
    .action(async (options: Where & { restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveTenantEnvironment(backend, OPERATOR, options, !options.restore);
        cli.line(`tenant-environment ${options.tenant}/${options.environment} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
