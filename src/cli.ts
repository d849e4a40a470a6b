/** Admin commands: migrate, seed the demo, create users, tokens and agents. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { openServices } from './app';
import { ROLES, type Role } from './db/schema';
import { issueToken } from './domain/auth';
import { createAgent, createUser, grantRole, projectBySlugUnchecked, userByEmail } from './domain/admin';
import { DomainError } from './domain/errors';
import { isSeeded, seedDemo } from './domain/seed/seed-demo';
import { tenantEnvironmentsOfProject } from './domain/workspace';

const HELP = `Usage: backtrack <command> [options]   (npm run cli -- <command> [options])

Commands:
  migrate                                   apply database migrations
  seed-demo                                 create the demo workspace (once) and print its tokens
  user create --email E --name N [--project P --role R]
                                            create a user, optionally with a role (${ROLES.join(', ')})
  user grant --email E --project P --role R give a user a role in a project
  token create --email E [--name N]         issue a bearer token for a user (shown once)
  agent create --project P --name N --scope TENANT/ENV [--scope ...]
                                            create a cluster agent and print its token (shown once)

Environment: DATA_DIR (default ./data) and the other variables in the README.`;

const commandLine = parseArgs({
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

class UsageError extends Error {}

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
  const [command, subcommand] = commandLine.positionals;
  if (commandLine.values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const { services, database } = openServices(loadConfig());
  try {
    const action = `${command}${subcommand ? ` ${subcommand}` : ''}`;
    switch (action) {
      case 'migrate':
        process.stdout.write('migrations applied\n');
        break;
      case 'seed-demo': {
        if (await isSeeded(services)) {
          process.stdout.write('the demo workspace already exists\n');
          break;
        }
        process.stdout.write(`${JSON.stringify(await seedDemo(services), null, 2)}\n`);
        break;
      }
      case 'user create': {
        const userId = await createUser(services, { email: required('email'), name: required('name') });
        if (commandLine.values.project) {
          const project = await projectBySlugUnchecked(services, commandLine.values.project);
          await grantRole(services, { userId, projectId: project.id, role: role() });
        }
        process.stdout.write(`user ${userId} created\n`);
        break;
      }
      case 'user grant': {
        const user = await userByEmail(services, required('email'));
        const project = await projectBySlugUnchecked(services, required('project'));
        await grantRole(services, { userId: user.id, projectId: project.id, role: role() });
        process.stdout.write(`${user.email} is ${role()} in ${project.slug}\n`);
        break;
      }
      case 'token create': {
        const user = await userByEmail(services, required('email'));
        const { token } = await issueToken(services.db, { userId: user.id }, commandLine.values.name ?? 'cli token');
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'agent create': {
        const project = await projectBySlugUnchecked(services, required('project'));
        const scopes = commandLine.values.scope ?? [];
        if (scopes.length === 0) throw new UsageError('--scope TENANT/ENV is required at least once');
        const all = await tenantEnvironmentsOfProject(services, project.id);
        const ids = scopes.map((scope) => {
          const match = all.find((te) => `${te.tenant.slug}/${te.environment.slug}` === scope);
          if (!match) throw new UsageError(`unknown tenant-environment ${scope} in project ${project.slug}`);
          return match.id;
        });
        const { agentId, token } = await createAgent(services, { projectId: project.id, name: required('name'), tenantEnvironmentIds: ids });
        process.stdout.write(`agent ${agentId} created; token (shown once):\n${token}\n`);
        break;
      }
      default:
        throw new UsageError(`unknown command "${action}"`);
    }
  } finally {
    database.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`backtrack: ${error.message}\n\n${HELP}\n`);
  else if (error instanceof ConfigError || error instanceof DomainError) process.stderr.write(`backtrack: ${error.message}\n`);
  else process.stderr.write(`backtrack: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
