/** Organizations: the server operator's to create, update, list and archive. */
import type { Command } from 'commander';
import { archiveOrganization } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { createOrganization, listOrganizations, updateOrganization } from '../domain/onboarding/structure';
import { FEATURE_FLAGS, PLANS, type Plan } from '../domain/model';
import { collect, type Cli } from './context';

const plan = (value: string) => value.toUpperCase() as Plan;

export function registerOrganizationCommands(program: Command, cli: Cli): void {
  const organization = program.command('organization').alias('org').description('organizations: plan and feature flags');

  organization
    .command('create')
    .description('create an organization')
    .requiredOption('--slug <slug>', 'its slug (lowercase letters, digits, dashes)')
    .option('--name <name>', 'its display name (default: the slug)')
    .option('--plan <plan>', `${PLANS.join(', ')}`, plan, 'FREE' as Plan)
    .option('--flag <flag>', `a feature flag, repeatable: ${FEATURE_FLAGS.join(', ')}`, collect, [])
    .action(async (options: { slug: string; name?: string; plan: Plan; flag: string[] }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const created = await createOrganization(backend, OPERATOR, { slug: options.slug, name: options.name, plan: options.plan, featureFlags: options.flag });
        cli.line(`organization ${created.slug} created (${created.plan}${created.featureFlags.length ? `, ${created.featureFlags.join(', ')}` : ''})`);
      });
    });

  organization
    .command('update')
    .description('change an organization\'s name, plan or feature flags (--flag replaces them all)')
    .requiredOption('--slug <slug>', 'the organization')
    .option('--name <name>', 'a new display name')
    .option('--plan <plan>', `${PLANS.join(', ')}`, plan)
    .option('--flag <flag>', 'a feature flag, repeatable; the flags given replace the current ones', collect)
    .action(async (options: { slug: string; name?: string; plan?: Plan; flag?: string[] }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const current = (await listOrganizations(backend, OPERATOR, true)).find((o) => o.slug === options.slug);
        const { changes } = await updateOrganization(backend, OPERATOR, {
          slug: options.slug,
          name: options.name ?? current?.name,
          plan: options.plan ?? current?.plan ?? 'FREE',
          featureFlags: options.flag ?? current?.featureFlags ?? [],
        });
        cli.line(changes.length ? `organization ${options.slug}: ${changes.join('; ')}` : `organization ${options.slug}: no changes`);
      });
    });

  organization
    .command('list')
    .description('list organizations')
    .option('--archived', 'include archived ones')
    .action(async (options: { archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const rows = await listOrganizations(backend, OPERATOR, options.archived ?? false);
        cli.table([['SLUG', 'NAME', 'PLAN', 'FEATURE FLAGS', 'ARCHIVED'], ...rows.map((o) => [o.slug, o.name, o.plan, o.featureFlags.join(',') || '-', o.archivedAt?.toISOString() ?? '-'])]);
      });
    });

  organization
    .command('archive')
    .description('archive an organization (its projects refuse new writes), or restore it')
    .requiredOption('--slug <slug>', 'the organization')
    .option('--restore', 'restore it instead')
    .action(async (options: { slug: string; restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveOrganization(backend, OPERATOR, options.slug, !options.restore);
        cli.line(`organization ${options.slug} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
