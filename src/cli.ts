/** Admin commands: migrate, seed the demo, create users, tokens and agents, revoke tokens. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { DatabaseOpenError } from './db/sqlite/client';
import { ROLES, type Role } from './domain/model';
import { createAgent, createUser, createUserToken, grantRole, projectBySlugUnchecked, revokeUserTokens, userByEmail } from './domain/admin';
import { DomainError } from './domain/errors';
import { isSeeded, seedDemo } from './domain/seed/seed-demo';
import { inProcessCompute } from './domain/compute-tasks';
import { DataDirectoryError, openBackend } from './server/backend';

const HELP = `Usage: backtrack <command> [options]   (npm run cli -- <command> [options])

Commands:
  migrate                                   apply database migrations
  seed-demo                                 create the demo workspace (once) and print its tokens
  user create --email E --name N [--project P --role R]
                                            create a user, optionally with a role (${ROLES.join(', ')})
  user grant --email E --project P --role R give a user a role in a project
  token create --email E [--name N]         issue a bearer token for a user (shown once)
  token revoke --email E [--name N]         revoke a user's tokens (those named N only, when given);
                                            open WebSockets using them close within WS_RECHECK_MS
  agent create --project P --name N --scope TENANT/ENV [--scope ...]
                                            create a cluster agent and print its token (shown once)

Environment: DATA_DIR (default ./data) and the other variables in the README.`;

class UsageError extends Error {}

/** Each command and the options it cannot do without, checked before any data is opened. */
const COMMANDS: Record<string, Array<'email' | 'name' | 'project' | 'role'>> = {
  migrate: [],
  'seed-demo': [],
  'user create': ['email', 'name'],
  'user grant': ['email', 'project', 'role'],
  'token create': ['email'],
  'token revoke': ['email'],
  'agent create': ['project', 'name'],
};

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        email: { type: 'string' },
        name: { type: 'string' },
        project: { type: 'string' },
        role: { type: 'string' },
        scope: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    // node:util reports unknown options and missing values with an ERR_PARSE_ARGS_* code.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
}

let commandLine: ReturnType<typeof parseCommandLine>;

function required(name: 'email' | 'name' | 'project' | 'role'): string {
  const value = commandLine.values[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function role(): Role {
  const value = required('role').toUpperCase();
  if (!(ROLES as readonly string[]).includes(value)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

async function run(): Promise<void> {
  commandLine = parseCommandLine();
  const [command, subcommand, ...extra] = commandLine.positionals;
  if (commandLine.values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const action = `${command}${subcommand ? ` ${subcommand}` : ''}`;
  // Bad usage is reported before the data directory is opened (or created).
  const needs = Object.hasOwn(COMMANDS, action) ? COMMANDS[action]! : null;
  if (!needs) throw new UsageError(`unknown command "${action}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  needs.forEach(required);
  if (commandLine.values.role) role();
  if (action === 'agent create' && !commandLine.values.scope?.length) throw new UsageError('--scope TENANT/ENV is required at least once');
  // One command, then exit: worker threads would take longer to start than its work takes.
  const { backend, database } = openBackend(loadConfig(), { compute: inProcessCompute() });
  try {
    switch (action) {
      case 'migrate':
        process.stdout.write('migrations applied\n');
        break;
      case 'seed-demo': {
        if (await isSeeded(backend)) {
          process.stdout.write('the demo workspace already exists\n');
          break;
        }
        process.stdout.write(`${JSON.stringify(await seedDemo(backend), null, 2)}\n`);
        break;
      }
      case 'user create': {
        const email = required('email');
        const name = required('name');
        if (commandLine.values.role && !commandLine.values.project) throw new UsageError('--role needs --project');
        // Everything is checked before the user is created, so a mistake leaves no half-made user behind.
        const membership = commandLine.values.project
          ? { role: role(), project: await projectBySlugUnchecked(backend, commandLine.values.project) }
          : null;
        const userId = await createUser(backend, { email, name });
        if (membership) await grantRole(backend, { userId, projectId: membership.project.id, role: membership.role });
        process.stdout.write(`user ${userId} created\n`);
        break;
      }
      case 'user grant': {
        const granted = role();
        const user = await userByEmail(backend, required('email'));
        const project = await projectBySlugUnchecked(backend, required('project'));
        await grantRole(backend, { userId: user.id, projectId: project.id, role: granted });
        process.stdout.write(`${user.email} is ${granted} in ${project.slug}\n`);
        break;
      }
      case 'token create': {
        const user = await userByEmail(backend, required('email'));
        const { token } = await createUserToken(backend, user.id, commandLine.values.name ?? 'cli token');
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'token revoke': {
        const user = await userByEmail(backend, required('email'));
        const count = await revokeUserTokens(backend, user.id, commandLine.values.name);
        process.stdout.write(`${count} token${count === 1 ? '' : 's'} of ${user.email} revoked\n`);
        break;
      }
      case 'agent create': {
        const name = required('name');
        const project = await projectBySlugUnchecked(backend, required('project'));
        const scopes = commandLine.values.scope ?? [];
        if (scopes.length === 0) throw new UsageError('--scope TENANT/ENV is required at least once');
        const all = await backend.stores.tenantEnvironments.ofProject(project.id);
        const ids = scopes.map((scope) => {
          const match = all.find((te) => `${te.tenant.slug}/${te.environment.slug}` === scope);
          if (!match) throw new UsageError(`unknown tenant-environment ${scope} in project ${project.slug}`);
          return match.id;
        });
        const { agentId, token } = await createAgent(backend, { projectId: project.id, name, tenantEnvironmentIds: ids });
        process.stdout.write(`agent ${agentId} created; token (shown once):\n${token}\n`);
        break;
      }
      default:
        throw new UsageError(`unknown command "${action}"`);
    }
  } finally {
    await database.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`backtrack: ${error.message}\n\n${HELP}\n`);
  else if (
    error instanceof ConfigError ||
    error instanceof DomainError ||
    error instanceof DataDirectoryError ||
    error instanceof DatabaseOpenError
  ) {
    process.stderr.write(`backtrack: ${error.message}\n`);
  }
  else process.stderr.write(`backtrack: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
