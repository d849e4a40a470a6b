/**
 * What every command shares: opening the data directory (never creating a database unless `--init`
 * says so, and always saying which directory it used), output, and the usage errors commands raise
 * before they touch any data.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import type { Backend } from '../domain/ports';
import { DataDirectoryError, openBackend } from '../server/backend';
import { inProcessCompute } from '../domain/compute-tasks';

export class UsageError extends Error {}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface GlobalOptions {
  dataDir?: string;
  init?: boolean;
}

export class Cli {
  /** The data directory a command opened: named at the end of the run, after anything else it printed. */
  usedDataDir: string | null = null;

  constructor(readonly output: Output) {}

  line(text = ''): void {
    this.output.out(`${text}\n`);
  }

  /** Aligned columns, one row per line. */
  table(rows: string[][]): void {
    const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
    for (const row of rows) this.line(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  }

  config(command: Command): Config {
    const { dataDir } = command.optsWithGlobals<GlobalOptions>();
    return loadConfig({ ...process.env, ...(dataDir ? { DATA_DIR: dataDir } : {}) });
  }

  /**
   * Runs `work` on the data directory's backend. A directory without a database is refused unless
   * `--init` was given (a mistyped DATA_DIR must not start an empty workspace next to the real one).
   */
  async withBackend<T>(command: Command, work: (backend: Backend, config: Config) => Promise<T>): Promise<T> {
    const config = this.config(command);
    const { init } = command.optsWithGlobals<GlobalOptions>();
    // On PostgreSQL (DATABASE_URL) the database is the server's; the start checks it is the repositories' one.
    if (!config.DATABASE_URL && !fs.existsSync(config.databaseFile) && !init) {
      throw new DataDirectoryError(
        `there is no database in the data directory ${config.DATA_DIR} (${config.databaseFile}); ` +
          'set DATA_DIR (or --data-dir) to your data directory, or pass --init to create a new one there',
      );
    }
    // One command, then exit: worker threads would take longer to start than its work takes.
    const { backend, database, ready, closeEvents } = openBackend(config, { compute: inProcessCompute() });
    this.usedDataDir = config.DATA_DIR;
    try {
      await ready;
      return await work(backend, config);
    } finally {
      await closeEvents();
      await database.close();
    }
  }
}

/** Collects a repeatable option (`--scope a --scope b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function integerOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number (got "${value}")`);
    return Number(value);
  };
}
