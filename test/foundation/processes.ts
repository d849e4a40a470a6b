/** Spawns the real entry points (`tsx src/main.ts`, `tsx src/cli.ts`) the way `npm start` / `npm run cli` do. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../kit/child-env';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script to completion (node with tsx's loader, one process: no tsx wrapper to outlive a kill). */
export function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export const runCli = (args: string[], env: Record<string, string>) => runScript('src/cli.ts', args, env);

export interface RunningServer {
  child: ChildProcess;
  url: string;
  /** Everything printed on stdout up to and including the banner. */
  banner: string;
  /** The demo DEPLOYER token from the banner, when one was printed. */
  deployerToken: string | null;
  output(): { stdout: string; stderr: string };
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<Finished>;
}

/**
 * Starts `src/main.ts` and resolves once it printed the URL it listens on. `wrap` runs it inside
 * another command (e.g. a private mount namespace); the wrapper must exec the server in the end.
 */
export function startServer(
  env: Record<string, string>,
  options: { tokens?: boolean; wrap?: (command: string, args: string[]) => [string, string[]] } = {},
  timeoutMs = 60_000,
): Promise<RunningServer> {
  const expectTokens = options.tokens ?? true;
  return new Promise((resolve, reject) => {
    const [command, args] = options.wrap ? options.wrap(TSX, ['src/main.ts']) : [TSX, ['src/main.ts']];
    const child = spawn(command, args, { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<Finished>((done) =>
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its URL in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    void exited.then((finished) => {
      if (started) return;
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${finished.code} before listening\n${finished.stderr}`), finished));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/\S+\/graphql)/.exec(stdout)?.[1];
      // With tokens, the banner ends with the line that says where they are saved.
      const complete = url && (!expectTokens || /Authorization: Bearer <token>/.test(stdout));
      if (!url || !complete || started) return;
      started = true;
      clearTimeout(timer);
      const deployerToken = /Demo token \([^)]*DEPLOYER\):\n\s+(\S+)/.exec(stdout)?.[1] ?? null;
      resolve({
        child,
        url,
        banner: stdout,
        deployerToken,
        output: () => ({ stdout, stderr }),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  });
}
