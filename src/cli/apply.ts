/** `apply -f workspace.yaml`: the declarative way to set a workspace up (see domain/onboarding/apply.ts). */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { applyWorkspace } from '../domain/onboarding/apply';
import { OPERATOR } from '../domain/onboarding/caller';
import { parseWorkspaceFile } from '../domain/onboarding/workspace-file';
import { UsageError, type Cli } from './context';

export function registerApplyCommand(program: Command, cli: Cli): void {
  program
    .command('apply')
    .description('create or update the workspace a file describes (organizations, projects, tenants, environments, policies, users, agents, notification targets); idempotent')
    .requiredOption('-f, --file <workspace.yaml>', 'the workspace file')
    .option('--dry-run', 'check the file and print what would change, changing nothing')
    .action(async (options: { file: string; dryRun?: boolean }, command: Command) => {
      let text: string;
      try {
        text = fs.readFileSync(options.file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      // The whole file is checked before the data directory is even opened.
      const file = parseWorkspaceFile(options.file, text);
      await cli.withBackend(command, async (backend) => {
        const outcome = await applyWorkspace(backend, OPERATOR, file, { dryRun: options.dryRun, env: process.env });
        const name = path.basename(options.file);
        for (const note of outcome.notes) cli.line(`note: ${note}`);
        if (outcome.changes.length === 0) return cli.line(`no changes: the workspace already matches ${name}`);
        for (const change of outcome.changes) cli.line(change);
        cli.line(`${outcome.changes.length} change${outcome.changes.length === 1 ? '' : 's'}${outcome.dryRun ? ' would be made (dry run: nothing was changed)' : ' made'}`);
        if (outcome.agentTokens.length > 0) {
          cli.line('Agent tokens (shown once):');
          for (const t of outcome.agentTokens) cli.line(`  ${t.project}/${t.agent}  ${t.token}`);
        }
      });
    });
}
