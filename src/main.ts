/** Process entry: read config, open data, seed the demo on first start, listen, shut down cleanly. */
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { repositoryProblems } from './domain/admin';
import { isSeeded, seedDemo, type DemoCredentials } from './domain/seed/seed-demo';

function fail(message: string): never {
  process.stderr.write(`backtrack: ${message}\n`);
  process.exit(1);
}

function demoTokensFile(config: Config): string {
  return path.join(config.DATA_DIR, 'demo-tokens.json');
}

function printBanner(url: string, credentials: DemoCredentials | null, config: Config): void {
  const lines = [`Backtrack is listening on ${url}  (GraphiQL: ${url}, WebSocket: ${url.replace(/^http/, 'ws')})`];
  if (credentials) {
    const deployer = credentials.users.find((u) => u.role === 'DEPLOYER')!;
    lines.push('', `Demo token (${deployer.email}, DEPLOYER):`, `  ${deployer.token}`, '', 'All demo tokens:');
    for (const user of credentials.users) lines.push(`  ${user.role.padEnd(8)} ${user.email.padEnd(34)} ${user.token}`);
    lines.push(`  AGENT    ${credentials.agent.name.padEnd(34)} ${credentials.agent.token}`);
    lines.push('', `(also saved in ${demoTokensFile(config)}; send as "Authorization: Bearer <token>")`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  let app;
  try {
    app = buildApp(config);
  } catch (error) {
    fail((error as Error).message);
  }
  const problems = await repositoryProblems(app.backend);
  if (problems.length > 0) {
    await app.stopServices();
    fail(`DATA_DIR ${config.DATA_DIR}: ${problems.join('; ')}; restore it or move the data directory away`);
  }
  let credentials: DemoCredentials | null = null;
  if (config.SEED_DEMO && !(await isSeeded(app.backend))) {
    process.stdout.write('Seeding the demo workspace (acme-corp / shop)…\n');
    credentials = await seedDemo(app.backend);
    fs.writeFileSync(demoTokensFile(config), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  } else if (fs.existsSync(demoTokensFile(config))) {
    credentials = JSON.parse(fs.readFileSync(demoTokensFile(config), 'utf8')) as DemoCredentials;
  }
  let port: number;
  try {
    port = await app.start();
  } catch (error) {
    fail(`cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
  }
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  printBanner(`http://${host}:${port}/graphql`, credentials, config);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    // stop() enforces SHUTDOWN_TIMEOUT_MS itself; this is the last resort should closing hang.
    const timer = setTimeout(() => {
      app.logger.error('shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 2_000);
    timer.unref();
    app.stop().then(
      ({ timedOut }) => {
        if (timedOut) app.logger.error('shutdown timed out: operations still executing were cut off');
        process.exit(timedOut ? 1 : 0);
      },
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => fail((error as Error).stack ?? String(error)));
