/** Cluster agents: scoped to the tenant-environments they serve. */
import type { Command } from 'commander';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { agentsOf, registerAgent } from '../domain/onboarding/people';
import { collect, UsageError, type Cli } from './context';

export function registerAgentCommands(program: Command, cli: Cli): void {
  const agent = program.command('agent').description('cluster agents and the tenant-environments they serve');

  agent
    .command('create')
    .description('create a cluster agent and print its token (shown once)')
    .requiredOption('--project <slug>', 'its project')
    .requiredOption('--name <name>', 'its name')
    .option('--scope <tenant/env>', 'a tenant-environment it serves (repeatable, at least one)', collect, [])
    .action(async (options: { project: string; name: string; scope: string[] }, command: Command) => {
      if (options.scope.length === 0) throw new UsageError('--scope TENANT/ENV is required at least once');
      await cli.withBackend(command, async (backend) => {
        const { agent: created, token } = await registerAgent(backend, OPERATOR, { project: options.project, name: options.name, scopes: options.scope });
        cli.line(`agent ${created.id} created; token (shown once):`);
        cli.line(token);
      });
    });

  agent
    .command('list')
    .description("list a project's agents and their scopes")
    .requiredOption('--project <slug>', 'the project')
    .action(async (options: { project: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const agents = await agentsOf(backend, project);
        cli.table([['ID', 'NAME', 'SCOPES'], ...agents.map((a) => [a.agent.id, a.agent.name, a.scopes.join(', ') || '-'])]);
      });
    });
}
