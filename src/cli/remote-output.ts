/**
 * What every on-call command shares: `--output text|json` and `--color`, the target it names
 * (`PROJECT/TENANT/ENV`), and printing. JSON is the API's answer as it came, never coloured;
 * text is coloured only on a terminal (and not under NO_COLOR) unless --color asks for it.
 */
import type { Command } from 'commander';
import { UsageError, type Cli } from './context';

export interface OutputOptions {
  output: 'text' | 'json';
  color?: boolean;
}

export interface Target {
  project: string;
  tenant: string;
  environment: string;
}

function outputFormat(value: string): OutputOptions['output'] {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--output must be text or json (got "${value}")`);
  return value;
}

const REMOTE = new WeakSet<Command>();

/** A command of the on-call CLI: talks to the server, prints text or JSON (addOutputOptions adds how). */
export function remoteCommand(parent: Command, name: string, description: string): Command {
  const command = parent.command(name).description(description);
  REMOTE.add(command);
  return command;
}

/** `--output` and `--color` on every on-call command, after the command's own options. */
export function addOutputOptions(program: Command): void {
  for (const command of program.commands) {
    if (REMOTE.has(command)) {
      command
        .option('-o, --output <format>', 'text or json (for scripts)', outputFormat, 'text')
        .option('--color', 'colour the text output even when it is not a terminal');
    }
    addOutputOptions(command);
  }
}

export const TARGET_ARGUMENT = ['<target>', 'the tenant-environment as PROJECT/TENANT/ENV, e.g. shop/acme/production'] as const;

export function parseTarget(value: string): Target {
  const parts = value.split('/');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    throw new UsageError(`the target must be PROJECT/TENANT/ENV, e.g. shop/acme/production (got "${value}")`);
  }
  const [project, tenant, environment] = parts as [string, string, string];
  return { project, tenant, environment };
}

export const targetName = (target: Target) => `${target.project}/${target.tenant}/${target.environment}`;

export interface Style {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURED: Style = { red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39), cyan: ansi(36, 39), bold: ansi(1, 22), dim: ansi(2, 22) };
const PLAIN: Style = { red: String, green: String, yellow: String, cyan: String, bold: String, dim: String };

export function styleFor(options: OutputOptions, stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
  if (options.output === 'json') return PLAIN;
  return options.color || (stream.isTTY && !env.NO_COLOR) ? COLOURED : PLAIN;
}

/** Prints `value` as JSON, or calls `text` to print it for people. */
export function report<T>(cli: Cli, options: OutputOptions, value: T, text: (value: T, style: Style) => void): void {
  if (options.output === 'json') cli.line(JSON.stringify(value, null, 2));
  else text(value, styleFor(options));
}

/** A unified diff with additions green, removals red, hunks cyan and file headers bold. */
export function colouredDiff(unifiedDiff: string, style: Style): string {
  return unifiedDiff
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !/^=+$/.test(line))
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return style.bold(line);
      if (line.startsWith('@@')) return style.cyan(line);
      if (line.startsWith('+')) return style.green(line);
      if (line.startsWith('-')) return style.red(line);
      return line;
    })
    .join('\n');
}

/** A JSON value as it reads in YAML terms: strings bare, absent as "(absent)". */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const short = (revision: string | null | undefined) => (revision ? revision.slice(0, 7) : '-');
