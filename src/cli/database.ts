/** The database itself: migrate (create it with --init) and the demo workspace. */
import type { Command } from 'commander';
import { isSeeded, seedDemo } from '../domain/seed/seed-demo';
import type { Cli } from './context';

export function registerDatabaseCommands(program: Command, cli: Cli): void {
  program
    .command('migrate')
    .description('apply database migrations (with --init: create the database first)')
    .action(async (_options, command: Command) => {
      await cli.withBackend(command, async () => cli.line('migrations applied'));
    });

  program
    .command('seed-demo')
    .description('create the demo workspace (once) and print its tokens as JSON')
    .action(async (_options, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        if (await isSeeded(backend)) return cli.line('the demo workspace already exists');
        cli.line(JSON.stringify(await seedDemo(backend), null, 2));
      });
    });
}
