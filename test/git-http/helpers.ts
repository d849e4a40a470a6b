/** The real `git` client against a listening test app, raw HTTP requests, and the git processes a server runs. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { expect } from 'vitest';
import type { TestApp } from '../kit/app';

export interface GitRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The git client as a user runs it, minus their configuration: no prompts (a missing credential
 * fails at once), no global or system config, no credential helper.
 */
export const CLIENT_ENV: NodeJS.ProcessEnv = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: '',
  SSH_ASKPASS: '',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'CLI',
  GIT_AUTHOR_EMAIL: 'cli@example.com',
  GIT_COMMITTER_NAME: 'CLI',
  GIT_COMMITTER_EMAIL: 'cli@example.com',
};

/** Runs `git args` to completion (never rejects: the exit code tells). */
export function runGit(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: { ...process.env, ...CLIENT_ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: stdout.replace(/\n$/, ''), stderr });
    });
  });
}

/** Like runGit, but the command must succeed; returns stdout. */
export async function gitOk(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const run = await runGit(args, options);
  expect(run.code, `git ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run.stdout;
}

/** The clone URL with a token as the Basic password (any username, as Argo CD sends it). */
export function basicUrl(base: string, project: string, token: string, username = 'argocd'): string {
  const url = new URL(`${base}/git/${project}.git`);
  url.username = username;
  url.password = token;
  return url.toString();
}

export const plainUrl = (base: string, project: string) => `${base}/git/${project}.git`;

/** `-c http.extraHeader=Authorization: Bearer <token>`, for git's global options. */
export const bearerConfig = (token: string) => ['-c', `http.extraHeader=Authorization: Bearer ${token}`];

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with the path sent exactly as given (no URL normalisation, unlike fetch). */
export function rawRequest(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (token: string, username = 'argocd') => ({ authorization: `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}` });

/**
 * Pids of the processes that serve this repositories directory: `git http-backend` and whatever it
 * started (upload-pack, pack-objects) inherit GIT_PROJECT_ROOT, so their environment names it.
 */
export function gitProcessesServing(repositoriesDir: string): number[] {
  return gitCommandsServing(repositoriesDir).map((p) => p.pid);
}

/** The same, with each one's command line (e.g. `git pack-objects --revs …`). */
export function gitCommandsServing(repositoriesDir: string): Array<{ pid: number; command: string }> {
  const marker = Buffer.from(`GIT_PROJECT_ROOT=${repositoriesDir}\0`);
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(path.join('/proc', entry, 'environ')).includes(marker)) continue;
      const command = fs.readFileSync(path.join('/proc', entry, 'cmdline')).toString('utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export async function waitUntil<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A typed document with any token (the kit's `gql` takes demo roles only). */
export async function gqlAs<R, V>(t: TestApp, token: string, document: TypedDocumentNode<R, V>, variables?: V): Promise<ExecutionResult<R>> {
  const response = await t.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  return (await response.json()) as ExecutionResult<R>;
}

/** The data of a result that must have no errors. */
export function data<R>(result: ExecutionResult<R>): R {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}
