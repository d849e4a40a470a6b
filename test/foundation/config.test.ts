import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { tempDir } from '../kit/app';
import { runScript } from './processes';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.SEED_DEMO).toBe(true);
    expect(config.DATA_DIR).toBe(path.resolve('./data'));
    expect(config.databaseFile).toBe(path.join(path.resolve('./data'), 'backtrack.sqlite'));
    expect(config.repositoriesDir).toBe(path.join(path.resolve('./data'), 'repositories'));
  });

  it('treats empty strings as unset and parses valid values', () => {
    const config = loadConfig({ PORT: '', DATA_DIR: '/tmp/x', SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
    expect(config.PORT).toBe(4000);
    expect(config.DATA_DIR).toBe('/tmp/x');
    expect(config.SEED_DEMO).toBe(false);
    expect(config.LOG_LEVEL).toBe('warn');
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
    expect(loadConfig({ PORT: '65535' }).PORT).toBe(65535);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ PORT: '1e3' }, 'PORT'],
    [{ PORT: '4000\nHOST=evil' }, 'PORT'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MAX_DEPTH: '0' }, 'MAX_DEPTH'],
    [{ PERSISTED_OPERATIONS: 'sometimes' }, 'PERSISTED_OPERATIONS'],
    [{ AGENT_SILENCE_SECONDS: 'two minutes' }, 'AGENT_SILENCE_SECONDS'],
  ])('rejects %j with a one-line message naming %s', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^invalid configuration: /);
  });

  it('says what is wrong with the value, in words', () => {
    expect(configError({ PORT: 'abc' }).message).toBe('invalid configuration: PORT must be a whole number (got "abc")');
    expect(configError({ PORT: '70000' }).message).toBe('invalid configuration: PORT must be at most 65535 (got "70000")');
    expect(configError({ MAX_DEPTH: '0' }).message).toBe('invalid configuration: MAX_DEPTH must be at least 1 (got "0")');
    expect(configError({ LOG_LEVEL: 'loud' }).message).toBe(
      'invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
  });

  it('reads boolean values case-insensitively', () => {
    expect(loadConfig({ SEED_DEMO: 'FALSE' }).SEED_DEMO).toBe(false);
    expect(loadConfig({ GRAPHIQL: 'Yes' }).GRAPHIQL).toBe(true);
  });
});

describe('starting with an invalid configuration', () => {
  it('reports a port that is already taken in one line and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = tempDir('backtrack-port-');
    try {
      const result = await runScript('src/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
      expect(result.code, result.stderr).toBe(1);
      // The last line is ours. (graphql-ws also logs the listen error it sees re-emitted by the
      // WebSocketServer before it; that noise comes from src/app.ts attaching ws to the HTTP server.)
      const lines = result.stderr.split('\n').filter((line) => line.length > 0);
      expect(lines.at(-1)).toBe(`backtrack: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    } finally {
      blocker.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits non-zero with one line on stderr that names the variable', { timeout: 120_000 }, async () => {
    const result = await runScript('src/main.ts', [], { PORT: 'abc', DATA_DIR: '/nonexistent/never-created' });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(lines[0]).toContain('abc');
  });

  it.each([
    ['DATABASE_URL', 'mysql://backtrack:secret@127.0.0.1/backtrack'],
    ['DATABASE_URL', 'postgres://backtrack:secret@127.0.0.1:1/backtrack'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
  ])('a wrong or unreachable %s (%s) exits with one line naming it, never its password', { timeout: 120_000 }, async (variable, value) => {
    const dataDir = tempDir('backtrack-url-');
    try {
      const result = await runScript('src/main.ts', [], { [variable]: value, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
      expect(result.code).toBe(1);
      const lines = result.stderr.split('\n').filter((line) => line.length > 0);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      expect(lines[0]).not.toContain('secret');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
