/** Shared steps of the hardening tests: raw GraphQL-over-HTTP posts and real server processes (`tsx src/main.ts`). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import type { DemoRole, TestApp } from '../kit/app';
import { childEnv } from '../kit/child-env';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;
export const PRODUCTION = { project: 'shop', tenant: 'acme', environment: 'production' } as const;

export interface RawResponse {
  status: number;
  headers: Headers;
  body: ExecutionResult & { errors?: Array<{ message: string; extensions?: Record<string, unknown>; [key: string]: unknown }> };
  text: string;
}

/** POSTs a raw GraphQL-over-HTTP body through yoga.fetch (the whole plugin pipeline, no socket). */
export async function post(
  t: TestApp,
  role: DemoRole | null,
  body: Record<string, unknown> | string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await t.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(role ? { authorization: `Bearer ${t.token(role)}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

/** POSTs over a real socket to a listening server. */
export async function postUrl(
  url: string,
  token: string | null,
  body: Record<string, unknown> | string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

/** A typed document as a POST body. */
export function bodyOf<R, V>(document: TypedDocumentNode<R, V>, variables?: V): { query: string; variables: V | Record<string, never> } {
  return { query: print(document), variables: variables ?? {} };
}

/** The codes of a response's errors. */
export function codes(response: RawResponse | ExecutionResult): unknown[] {
  const body = 'body' in response ? response.body : response;
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

export function tempDir(prefix = 'backtrack-hardening-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export interface DemoTokens {
  users: Array<{ role: string; email: string; token: string }>;
  agent: { name: string; token: string };
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  port: number;
  dataDir: string;
  tokens: DemoTokens;
  token(role: 'DEPLOYER' | 'APPROVER' | 'ADMIN'): string;
  stdout(): string;
  stderr(): string;
  /** Every JSON line printed on stdout so far. */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it still runs and waits for it. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts `src/main.ts` (through tsx) on a free port of 127.0.0.1 and resolves once it printed its URL. */
export function spawnServer(dataDir: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` rather than the tsx CLI: one process, so SIGKILL and SIGTERM reach the server itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: childEnv({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('exit', (code, signal) => {
        running.delete(child);
        done({ code, signal });
      }),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its URL in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    void exited.then(({ code, signal }) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\n${stdout}\n${stderr}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /listening on http:\/\/[^:]+:(\d+)\/graphql/.exec(stdout)?.[1];
      const tokensFile = path.join(dataDir, 'demo-tokens.json');
      if (!port || started || !fs.existsSync(tokensFile)) return;
      started = true;
      clearTimeout(timer);
      const tokens = JSON.parse(fs.readFileSync(tokensFile, 'utf8')) as DemoTokens;
      resolve({
        child,
        pid: child.pid!,
        url: `http://127.0.0.1:${port}/graphql`,
        port: Number(port),
        dataDir,
        tokens,
        token: (role) => tokens.users.find((u) => u.role === role)!.token,
        stdout: () => stdout,
        stderr: () => stderr,
        logLines: () =>
          stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        exited,
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** SIGKILLs every server this test file started and has not seen exit (for afterAll). */
export async function killAllSpawned(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
