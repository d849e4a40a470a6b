/**
 * Which server the on-call commands talk to, and with which token: BACKTRACK_URL and
 * BACKTRACK_TOKEN, else what `backtrack login` saved in $XDG_CONFIG_HOME/backtrack/config.json
 * (or ~/.config/backtrack/config.json), readable by its owner only since it holds a token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT, GraphQLClient, ServerError } from './graphql-client';
import { UsageError } from './context';

export interface SavedLogin {
  url: string;
  token: string;
}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'backtrack', 'config.json');
}

/** `http://host:4000` and `http://host:4000/graphql` both name the server's GraphQL endpoint. */
export function graphqlUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`the server URL must be an http(s) URL such as http://localhost:4000 (got "${url}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`the server URL must be http or https (got "${url}")`);
  if (!parsed.pathname.endsWith('/graphql')) parsed.pathname = `${parsed.pathname.replace(/\/$/, '')}/graphql`;
  return parsed.toString();
}

function readSavedLogin(file: string): Partial<SavedLogin> {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SavedLogin>;
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message}); run backtrack login again`);
  }
}

export function saveLogin(login: SavedLogin, env: NodeJS.ProcessEnv = process.env): string {
  const file = configFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // An existing file keeps its mode on write: it may have been readable by others.
  fs.chmodSync(file, 0o600);
  return file;
}

export function forgetLogin(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = configFile(env);
  if (!fs.existsSync(file)) return null;
  fs.rmSync(file);
  return file;
}

/** The client for the configured server; the environment wins over the saved login. */
export function connect(env: NodeJS.ProcessEnv = process.env): GraphQLClient {
  const saved = readSavedLogin(configFile(env));
  const url = env.BACKTRACK_URL || saved.url;
  const token = env.BACKTRACK_TOKEN || saved.token;
  if (!url || !token) {
    throw new ServerError(
      `no ${url ? 'token' : 'server'} configured: run backtrack login --url <url>, or set BACKTRACK_URL and BACKTRACK_TOKEN`,
      'NOT_LOGGED_IN',
      EXIT.unavailable,
    );
  }
  return new GraphQLClient(graphqlUrl(url), token);
}
