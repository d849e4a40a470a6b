/** Environments of a project, with their approval policy. */
import type { Command } from 'commander';
import { archiveEnvironment } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { createEnvironment, environmentsOf, updateEnvironmentPolicy } from '../domain/onboarding/structure';
import { integerOption, type Cli } from './context';

interface PolicyOptions {
  approvalRequired?: boolean;
  quorum?: number;
  selfApproval?: boolean;
}

const policyOf = (options: PolicyOptions) => ({
  approvalRequired: options.approvalRequired,
  quorum: options.quorum,
  blockSelfApproval: options.selfApproval === undefined ? undefined : !options.selfApproval,
});

function policyOptions(command: Command): Command {
  return command
    .option('--approval-required', 'releases, promotions and rollbacks need approval (needs the rollback_approval flag)')
    .option('--no-approval-required', 'no approval needed')
    .option('--quorum <n>', 'distinct approvals needed (1-10)', integerOption('--quorum'))
    .option('--self-approval', 'let requesters approve their own requests')
    .option('--no-self-approval', 'requesters cannot approve their own requests (the default)');
}

export function registerEnvironmentCommands(program: Command, cli: Cli): void {
  const environment = program.command('environment').alias('env').description('environments of a project and their approval policies');

  policyOptions(
    environment
      .command('create')
      .description('create an environment')
      .requiredOption('--project <slug>', 'the project')
      .requiredOption('--environment <slug>', 'its slug: its directory under each tenant'),
  ).action(async (options: { project: string; environment: string } & PolicyOptions, command: Command) => {
    await cli.withBackend(command, async (backend) => {
      const created = await createEnvironment(backend, OPERATOR, { project: options.project, slug: options.environment, ...policyOf(options) });
      cli.line(`environment ${created.slug} created in ${options.project} (${created.approvalRequired ? `approval required, quorum ${created.quorum}` : 'no approval required'})`);
    });
  });

  policyOptions(
    environment
      .command('set-policy')
      .description('change an environment\'s approval policy (what is not given stays)')
      .requiredOption('--project <slug>', 'the project')
      .requiredOption('--environment <slug>', 'the environment'),
  ).action(async (options: { project: string; environment: string } & PolicyOptions, command: Command) => {
    await cli.withBackend(command, async (backend) => {
      const { changes } = await updateEnvironmentPolicy(backend, OPERATOR, { project: options.project, slug: options.environment, ...policyOf(options) });
      cli.line(`environment ${options.environment}: ${changes.length ? changes.join(', ') : 'no changes'}`);
    });
  });

  environment
    .command('list')
    .description('list a project\'s environments and their policies')
    .requiredOption('--project <slug>', 'the project')
    .option('--archived', 'include archived ones')
    .action(async (options: { project: string; archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const environments = await environmentsOf(backend, OPERATOR, project, options.archived ?? false);
        cli.table([
          ['SLUG', 'APPROVAL', 'QUORUM', 'SELF-APPROVAL', 'ARCHIVED'],
          ...environments.map((e) => [e.slug, e.approvalRequired ? 'required' : 'no', String(e.quorum), e.blockSelfApproval ? 'blocked' : 'allowed', e.archivedAt?.toISOString() ?? '-']),
        ]);
      });
    });

  environment
    .command('archive')
    .description('archive an environment (its tenant-environments refuse new writes), or restore it')
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--environment <slug>', 'the environment')
    .option('--restore', 'restore it instead')
    .action(async (options: { project: string; environment: string; restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveEnvironment(backend, OPERATOR, options, !options.restore);
        cli.line(`environment ${options.environment} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
