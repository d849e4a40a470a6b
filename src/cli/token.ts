/** Users' bearer tokens: issued (shown once, optionally expiring), listed, revoked. */
import type { Command } from 'commander';
import { isTokenActive } from '../domain/auth';
import { OPERATOR } from '../domain/onboarding/caller';
import { createToken, listTokens, revokeToken, revokeTokensOf } from '../domain/onboarding/tokens';
import { UsageError, type Cli } from './context';

export function registerTokenCommands(program: Command, cli: Cli): void {
  const token = program.command('token').description("users' bearer tokens");

  token
    .command('create')
    .description('issue a bearer token for a user; it is printed once and stored hashed')
    .requiredOption('--email <email>', 'the user')
    .option('--name <name>', 'what it is for (e.g. laptop, dashboard)', 'cli token')
    .option('--expires-in <duration>', 'it stops working after this long: 30d, 12h, 90m, 2w (default: never)')
    .action(async (options: { email: string; name: string; expiresIn?: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const created = await createToken(backend, OPERATOR, options);
        cli.line(created.token);
        const expiry = created.view.expiresAt ? `expires ${created.view.expiresAt.toISOString()}` : 'never expires';
        cli.output.err(`backtrack: token "${created.view.name}" of ${created.user.email} (${created.view.id}) ${expiry}; it is shown this once\n`);
      });
    });

  token
    .command('list')
    .description("list a user's tokens (never the tokens themselves)")
    .requiredOption('--email <email>', 'the user')
    .action(async (options: { email: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const now = backend.now();
        const tokens = await listTokens(backend, OPERATOR, options.email);
        cli.table([
          ['ID', 'NAME', 'CREATED', 'EXPIRES', 'STATUS'],
          ...tokens.map((t) => [
            t.id,
            t.name,
            t.createdAt.toISOString(),
            t.expiresAt?.toISOString() ?? 'never',
            t.revokedAt ? 'revoked' : isTokenActive(t, now) ? 'active' : 'expired',
          ]),
        ]);
      });
    });

  token
    .command('revoke')
    .description("revoke a user's tokens (only those named --name), or one token by --id; open WebSockets using them close within WS_RECHECK_MS")
    .option('--email <email>', 'the user whose tokens to revoke')
    .option('--name <name>', 'only the tokens with this name')
    .option('--id <id>', 'one token, by the id token list shows')
    .action(async (options: { email?: string; name?: string; id?: string }, command: Command) => {
      if (!options.email && !options.id) throw new UsageError('--email is required (or --id)');
      await cli.withBackend(command, async (backend) => {
        if (options.id) {
          await revokeToken(backend, OPERATOR, options.id);
          return cli.line(`token ${options.id} revoked`);
        }
        const { user, count } = await revokeTokensOf(backend, OPERATOR, { email: options.email!, name: options.name });
        cli.line(`${count} token${count === 1 ? '' : 's'} of ${user.email} revoked`);
      });
    });
}
