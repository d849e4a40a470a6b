/**
 * Several real Backtrack server processes (`node --import tsx src/main.ts`) on one PostgreSQL
 * database (of the run's cluster), one redis-server of their own and one shared repositories
 * directory, each with its own DATA_DIR. The first instance seeds the demo; the others start on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { databaseUrlOf, dropDatabaseFor } from '../kit/dialect';
import { startRedis, type RedisServer } from '../kit/services';
import { tempDir } from '../kit/template';
import { spawnServer, type ServerProcess } from '../hardening/helpers';
import { createDatabaseFor } from '../kit/dialect';

export interface Instance {
  name: string;
  dataDir: string;
  env: Record<string, string>;
  server: ServerProcess;
  /** Base URL (no /graphql). */
  base: string;
  gql<R, V>(token: string, document: TypedDocumentNode<R, V>, variables?: V): Promise<ExecutionResult<R>>;
  /** The server's Prometheus counter, 0 when it has not counted yet. */
  metric(name: string): Promise<number>;
  /** Starts the instance again on the same data directory and environment (after a kill). */
  restart(): Promise<void>;
}

export interface Cluster {
  databaseUrl: string;
  redis: RedisServer;
  repositoriesDir: string;
  instances: Instance[];
  token(role: 'DEPLOYER' | 'APPROVER' | 'APPROVER2' | 'ADMIN'): string;
  stop(): Promise<void>;
}

export async function startCluster(count: number, env: (index: number) => Record<string, string> = () => ({})): Promise<Cluster> {
  const root = tempDir('backtrack-multi-');
  const databaseDir = path.join(root, 'database');
  await createDatabaseFor(databaseDir);
  const databaseUrl = databaseUrlOf(databaseDir);
  const redis = await startRedis();
  const repositoriesDir = path.join(root, 'repositories');
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = path.join(root, `instance-${i}`);
    fs.mkdirSync(dataDir, { recursive: true });
    // The demo's tokens are written by the instance that seeded it; the others are handed the file.
    if (i > 0) fs.copyFileSync(path.join(instances[0]!.dataDir, 'demo-tokens.json'), path.join(dataDir, 'demo-tokens.json'));
    const instanceEnv = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      REPOSITORIES_DIR: repositoriesDir,
      COMPUTE_THREADS: '0',
      AGENT_SILENCE_SECONDS: '3600',
      ...env(i),
    };
    const instance: Instance = {
      name: String.fromCharCode(65 + i),
      dataDir,
      env: instanceEnv,
      server: await spawnServer(dataDir, instanceEnv),
      base: '',
      gql: async (token, document, variables) => {
        const response = await fetch(`${instance.base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
        });
        return (await response.json()) as ExecutionResult<never>;
      },
      metric: async (name) => {
        const text = await (await fetch(`${instance.base}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(`${name} `));
        return line ? Number(line.split(' ')[1]) : 0;
      },
      restart: async () => {
        instance.server = await spawnServer(dataDir, instanceEnv);
        instance.base = instance.server.url.replace(/\/graphql$/, '');
      },
    };
    instance.base = instance.server.url.replace(/\/graphql$/, '');
    instances.push(instance);
  }
  const tokens = instances[0]!.server.tokens;
  return {
    databaseUrl,
    redis,
    repositoriesDir,
    instances,
    token: (role) => {
      const approvers = tokens.users.filter((u) => u.role === 'APPROVER');
      if (role === 'APPROVER2') return approvers[1]!.token;
      return tokens.users.find((u) => u.role === role)!.token;
    },
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.server.kill()));
      await redis.stop();
      await dropDatabaseFor(databaseDir).catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
