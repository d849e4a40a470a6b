/**
 * The CLI as one commander program: the admin commands (on a data directory) and the on-call
 * commands (on a running server, over GraphQL); per-command `--help`, `--version`, suggestions for
 * mistyped commands and options. Each command group registers itself from its own module; errors
 * are one line (`backtrack: …`), never a stack trace, for everything the CLI expects to go wrong.
 */
import fs from 'node:fs';
import { Command, CommanderError, type Option } from 'commander';
import { ConfigError } from '../config';
import { DatabaseOpenError } from '../db/sqlite/client';
import { DomainError } from '../domain/errors';
import { WorkspaceFileError } from '../domain/onboarding/workspace-file';
import { DataDirectoryError } from '../server/backend';
import { registerAgentCommands } from './agent';
import { registerApplyCommand } from './apply';
import { registerBreakGlassCommands } from './break-glass';
import { Cli, UsageError, type Output } from './context';
import { registerDatabaseCommands } from './database';
import { registerEnvironmentCommands } from './environment';
import { EXIT, ServerError } from './graphql-client';
import { registerHistoryCommands } from './history';
import { registerLoginCommands } from './login';
import { registerNotificationCommands } from './notification';
import { registerOrganizationCommands } from './organization';
import { registerProjectCommands } from './project';
import { registerRepoCommands } from './repo';
import { addOutputOptions } from './remote-output';
import { registerReviewCommands } from './review';
import { registerRollbackCommands } from './rollback';
import { registerServiceCommands } from './service';
import { registerStatusCommand } from './status';
import { registerTenantCommands } from './tenant';
import { registerTenantEnvironmentCommands } from './tenant-environment';
import { registerTokenCommands } from './token';
import { registerUserCommands } from './user';

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** commander's messages in the CLI's voice: `backtrack: …`, commands quoted with double quotes. */
function ourVoice(message: string): string {
  return message
    .replace(/^error: /, 'backtrack: ')
    .replace(/unknown command '([^']*)'/, 'unknown command "$1"');
}

/**
 * Options declared with requiredOption. commander checks those before it looks for unknown options,
 * so `--emial x` would be reported as a missing `--email`; they are checked just before the action
 * instead (a preAction hook), once a mistyped option has had its say.
 */
const REQUIRED = new WeakSet<Option>();

function deferRequiredOptions(command: Command): void {
  for (const option of command.options as readonly Option[]) {
    if (!option.mandatory) continue;
    option.mandatory = false;
    REQUIRED.add(option);
  }
  command.commands.forEach(deferRequiredOptions);
}

function checkRequiredOptions(_program: Command, command: Command): void {
  for (const option of command.options as readonly Option[]) {
    if (REQUIRED.has(option) && command.getOptionValue(option.attributeName()) === undefined) throw new UsageError(`${option.long} is required`);
  }
}

/** `<target> --email <email> [--name <name>]`: how a command is called, from its arguments and options. */
function synopsis(command: Command): string {
  const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  const options = (command.options as readonly Option[]).filter((o) => o.long !== '--help');
  return [...args, ...options.map((o) => (REQUIRED.has(o) ? o.flags.replace(/^-\w, /, '') : `[${o.flags.replace(/^-\w, /, '')}]`))].join(' ');
}

/** Every command with its options, for the top-level help (groups alone say little). */
function everyCommand(program: Command): string {
  const lines: string[] = [];
  for (const group of program.commands) {
    const leaves = group.commands.length > 0 ? group.commands.map((sub) => ({ name: `${group.name()} ${sub.name()}`, command: sub })) : [{ name: group.name(), command: group }];
    for (const { name, command } of leaves) {
      if (name === 'help') continue;
      lines.push(`  ${`${name} ${synopsis(command)}`.trimEnd()}`, `      ${command.description()}`);
    }
  }
  return lines.join('\n');
}

export function buildProgram(cli: Cli): Command {
  const program = new Command('backtrack')
    .description(
      'Administer a Backtrack data directory (workspace structure, people, tokens, imports, workspace files), ' +
        'and, on call, browse history, preview, request, approve and watch rollbacks on a running server.',
    )
    .version(version(), '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'the data directory (default: DATA_DIR, or ./data)')
    .option('--init', 'create a new database in the data directory if it has none (commands refuse to otherwise)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.output.out(text),
      writeErr: (text) => cli.output.err(text),
      outputError: (text, write) => write(ourVoice(text)),
    });
  registerDatabaseCommands(program, cli);
  registerOrganizationCommands(program, cli);
  registerProjectCommands(program, cli);
  registerTenantCommands(program, cli);
  registerEnvironmentCommands(program, cli);
  registerTenantEnvironmentCommands(program, cli);
  registerServiceCommands(program, cli);
  registerUserCommands(program, cli);
  registerTokenCommands(program, cli);
  registerAgentCommands(program, cli);
  registerNotificationCommands(program, cli);
  registerApplyCommand(program, cli);
  registerLoginCommands(program, cli);
  registerHistoryCommands(program, cli);
  registerRollbackCommands(program, cli);
  registerReviewCommands(program, cli);
  registerBreakGlassCommands(program, cli);
  registerStatusCommand(program, cli);
  registerRepoCommands(program, cli);
  addOutputOptions(program);
  deferRequiredOptions(program);
  program.hook('preAction', checkRequiredOptions);
  program.addHelpText(
    'after',
    () =>
      `\nEvery command (each has --help):\n${everyCommand(program)}\n\n` +
      'Every command that opens the data directory names it when it is done, and refuses to create a new\n' +
      'database there unless --init is given. Environment: DATA_DIR and the other variables in the README.\n' +
      'The on-call commands (login, history, compare, rollback, approve, reject, requests, break-glass, status, repo)\n' +
      'talk to a running server: BACKTRACK_URL and BACKTRACK_TOKEN, else what backtrack login saved. Each takes\n' +
      '--output json. Exit codes: 0 ok, 1 usage error, 2 the server refused (its error code is printed),\n' +
      '3 the server cannot be reached or refused the token.\n' +
      'Examples:\n' +
      '  backtrack --init migrate\n' +
      '  backtrack project import --organization acme-corp --project shop --from https://git.example.com/shop.git\n' +
      '  backtrack apply -f workspace.yaml --dry-run\n' +
      '  backtrack history shop/acme/production\n' +
      '  backtrack rollback preview shop/acme/production --to 54ac099 --service api-gateway --field image.tag',
  );
  return program;
}

const EXPECTED = [ConfigError, DomainError, DataDirectoryError, DatabaseOpenError, WorkspaceFileError];

/** Runs the CLI on `argv` (without node and the script); resolves with the exit code. */
export async function runCli(argv: string[], output: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  const cli = new Cli(output);
  const program = buildProgram(cli);
  let code: number = EXIT.ok;
  try {
    if (argv.length === 0) program.outputHelp();
    else await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    code = EXIT.usage;
    if (error instanceof CommanderError) {
      // Already printed by commander; help and the version are not failures.
      code = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : error.exitCode || 1;
    } else if (error instanceof ServerError) {
      code = error.exitCode;
      output.err(`backtrack: ${error.message} (${error.code})\n`);
    } else if (error instanceof UsageError) {
      output.err(`backtrack: ${error.message}\n(backtrack ${commandNameOf(program, argv)} --help shows its options)\n`);
    } else if (EXPECTED.some((kind) => error instanceof kind)) {
      output.err(`backtrack: ${(error as Error).message}\n`);
    } else {
      output.err(`backtrack: ${(error as Error).stack ?? String(error)}\n`);
    }
  }
  if (cli.usedDataDir) output.err(`backtrack: data directory ${cli.usedDataDir}\n`);
  return code;
}

/** The (sub)command `argv` names, skipping options, their values and arguments. */
function commandNameOf(program: Command, argv: string[]): string {
  const names: string[] = [];
  let command = program;
  for (const arg of argv) {
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) continue;
    names.push(sub.name());
    command = sub;
  }
  return names.join(' ');
}
