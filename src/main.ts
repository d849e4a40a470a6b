/** Process entry: read config, open data, seed the demo on first start, listen, shut down cleanly. */
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { repositoryProblems } from './domain/admin';
import { bootstrapAdmin, type Bootstrapped } from './domain/onboarding/bootstrap';
import { DEMO_PROJECT, isSeeded, seedDemo, type DemoCredentials } from './domain/seed/seed-demo';

/** Written to a temporary name, synced, then renamed: the file is whole or absent. */
function writeFileDurably(file: string, content: string): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

function fail(message: string): never {
  process.stderr.write(`backtrack: ${message}\n`);
  process.exit(1);
}

function demoTokensFile(config: Config): string {
  return path.join(config.DATA_DIR, 'demo-tokens.json');
}

/** A marker that exists only while the demo is being seeded: found at start, the seed was interrupted. */
function seedingMarker(config: Config): string {
  return path.join(config.DATA_DIR, '.seeding-demo');
}

/**
 * Demo tokens are printed on the start that seeds them only (they are stored hashed and never shown
 * again); later starts say where the file is, so no pod log keeps an ADMIN token. In production no
 * token is ever printed, except the bootstrap admin's on the first start of an empty database.
 */
function printBanner(url: string, seeded: DemoCredentials | null, bootstrapped: Bootstrapped | null, config: Config): void {
  const ws = url.replace(/^http/, 'ws');
  const incident = url.replace(/\/graphql$/, '/incident');
  const lines = [`Backtrack is listening on ${url}  (${config.GRAPHIQL ? `GraphiQL: ${url}, ` : ''}incident screen: ${incident}, WebSocket: ${ws})`];
  if (config.mode === 'production') {
    lines.push(`Production mode: GraphiQL ${config.GRAPHIQL ? 'on' : 'off'}, introspection ${config.INTROSPECTION ? 'on' : 'off'}, demo ${config.SEED_DEMO ? 'seeded' : 'not seeded'}; data in ${config.DATA_DIR}`);
    if (bootstrapped) lines.push('', ...bootstrapLines(bootstrapped));
    if (seeded) lines.push('', `Demo tokens: ${demoTokensFile(config)} (never printed in production)`);
  } else if (seeded) {
    const deployer = seeded.users.find((u) => u.role === 'DEPLOYER')!;
    lines.push('', `Demo token (${deployer.email}, DEPLOYER):`, `  ${deployer.token}`, '', 'All demo tokens:');
    for (const user of seeded.users) lines.push(`  ${user.role.padEnd(8)} ${user.email.padEnd(34)} ${user.token}`);
    lines.push(`  AGENT    ${seeded.agent.name.padEnd(34)} ${seeded.agent.token}`);
    lines.push('', `(also saved in ${demoTokensFile(config)}; send as "Authorization: Bearer <token>")`);
  } else if (fs.existsSync(demoTokensFile(config))) {
    lines.push('', `Demo tokens: ${demoTokensFile(config)} (printed only on the start that seeded them)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** What the operator does next with the bootstrap admin (its token, shown once, or how to issue one). */
function bootstrapLines(bootstrapped: Bootstrapped): string[] {
  const cli = 'npm run cli --';
  return [
    `The database was empty: ${bootstrapped.email} is the bootstrap admin.`,
    ...(bootstrapped.token
      ? ['Its token, shown this once (send as "Authorization: Bearer <token>"):', `  ${bootstrapped.token}`]
      : ['Issue its token (shown once) with:', `  ${cli} token create --email ${bootstrapped.email} --expires-in 30d`]),
    'Then create or import a project and make it ADMIN there, e.g.:',
    `  ${cli} organization create --slug my-org --plan PRO`,
    `  ${cli} project import --organization my-org --project my-project --from <path or git URL> --admin ${bootstrapped.email}`,
    'or describe the whole workspace in a file and apply it (README: "Getting started with your own repository").',
  ];
}

/**
 * A demo seed that a kill interrupted leaves a half-made workspace and tokens nobody has: it is
 * removed (database and the demo repository) and seeded again. Nothing else can be in it: the
 * server never got past seeding.
 */
function discardInterruptedSeed(config: Config): void {
  if (!fs.existsSync(seedingMarker(config))) return;
  process.stdout.write('The demo seed of an earlier start was interrupted; removing what it left and seeding again.\n');
  for (const file of [config.databaseFile, `${config.databaseFile}-wal`, `${config.databaseFile}-shm`, demoTokensFile(config)]) fs.rmSync(file, { force: true });
  fs.rmSync(path.join(config.repositoriesDir, `${DEMO_PROJECT}.git`), { recursive: true, force: true });
  fs.rmSync(seedingMarker(config));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (config.SEED_DEMO && !config.DATABASE_URL) discardInterruptedSeed(config);
  let app;
  try {
    app = buildApp(config);
  } catch (error) {
    fail((error as Error).message);
  }
  try {
    await app.ready();
  } catch (error) {
    await app.stopServices().catch(() => undefined);
    fail((error as Error).message);
  }
  let seeded: DemoCredentials | null = null;
  let bootstrapped: Bootstrapped | null = null;
  // Instances starting together on one PostgreSQL database: one at a time checks, bootstraps and
  // seeds, so none sees another's seed half made.
  const problems = await app.backend.locks.run('first-start', async () => {
    const found = await repositoryProblems(app.backend);
    if (found.length > 0) return found;
    if (config.mode === 'production') bootstrapped = await bootstrapAdmin(app.backend, config.BOOTSTRAP_ADMIN_EMAIL ?? null);
    if (config.SEED_DEMO && !(await isSeeded(app.backend))) {
      process.stdout.write('Seeding the demo workspace (acme-corp / shop)…\n');
      fs.writeFileSync(seedingMarker(config), `${process.pid}\n`);
      seeded = await seedDemo(app.backend);
      writeFileDurably(demoTokensFile(config), JSON.stringify(seeded, null, 2));
      fs.rmSync(seedingMarker(config));
    }
    return [];
  });
  if (problems.length > 0) {
    await app.stopServices();
    fail(`${config.DATABASE_URL ? `REPOSITORIES_DIR ${config.repositoriesDir}` : `DATA_DIR ${config.DATA_DIR}`}: ${problems.join('; ')}; restore it or move the data directory away`);
  }
  let port: number;
  try {
    port = await app.start();
  } catch (error) {
    fail(`cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
  }
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  printBanner(`http://${host}:${port}/graphql`, seeded, bootstrapped, config);

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
