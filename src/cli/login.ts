/** `backtrack login` / `logout`: the server and token the on-call commands use, saved for their owner alone. */
import type { Command } from 'commander';
import type { Cli } from './context';
import { GraphQLClient } from './graphql-client';
import { ViewerDocument } from './operations';
import { report, remoteCommand, type OutputOptions } from './remote-output';
import { forgetLogin, graphqlUrl, saveLogin } from './server-connection';

/** The token from stdin (`backtrack login --url … < token-file`), so it stays out of the shell history and `ps`. */
async function readStdin(cli: Cli): Promise<string> {
  if (process.stdin.isTTY) cli.output.err('token: ');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}

export function registerLoginCommands(program: Command, cli: Cli): void {
  remoteCommand(program, 'login', 'check a token against a running server and save both for the on-call commands (mode 0600)')
    .requiredOption('--url <url>', 'the server, e.g. https://backtrack.example.com (its /graphql is used)')
    .option('--token <token>', 'your bearer token (default: BACKTRACK_TOKEN, else read from stdin)')
    .action(async (options: OutputOptions & { url: string; token?: string }) => {
      const url = graphqlUrl(options.url);
      const token = options.token ?? process.env.BACKTRACK_TOKEN ?? (await readStdin(cli));
      const { viewer } = await new GraphQLClient(url, token).request(ViewerDocument);
      const file = saveLogin({ url, token });
      report(cli, options, { url, configFile: file, viewer }, (_, style) => {
        const roles = viewer.projectRoles.map((r) => `${r.role} in ${r.project.slug}`).join(', ') || 'no project roles';
        cli.line(`logged in to ${url} as ${style.bold(viewer.email)} (${roles})`);
        cli.line(`saved in ${file}`);
      });
    });

  remoteCommand(program, 'logout', 'forget the saved server and token').action((options: OutputOptions) => {
    const file = forgetLogin();
    report(cli, options, { configFile: file }, () => cli.line(file ? `removed ${file}` : 'not logged in'));
  });
}
