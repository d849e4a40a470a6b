/** `backtrack break-glass open|close`: a user's emergency bypass of approval in one project, audited throughout. */
import type { Command } from 'commander';
import { integerOption, type Cli } from './context';
import { EXIT, found, ServerError } from './graphql-client';
import type { OncallBreakGlassFragment } from './gql/graphql';
import { ActiveBreakGlassDocument, CloseBreakGlassDocument, OpenBreakGlassDocument } from './operations';
import { remoteCommand, report, type OutputOptions, type Style } from './remote-output';
import { connect } from './server-connection';

function printSession(cli: Cli, session: OncallBreakGlassFragment, style: Style): void {
  const state = session.active ? style.red(`open until ${session.expiresAt}`) : `closed at ${session.closedAt ?? session.expiresAt}`;
  cli.line(`break-glass session ${style.bold(session.id)} of ${session.user.email}: ${state}`);
  cli.line(`  ${session.justification}`);
}

export function registerBreakGlassCommands(program: Command, cli: Cli): void {
  const breakGlass = program.command('break-glass').description('emergency bypass of approval: your requests in the project skip it while the session is open');

  remoteCommand(breakGlass, 'open', 'open a break-glass session in a project; everything done under it is flagged for review')
    .argument('<project>', 'the project')
    .requiredOption('--justification <text>', 'why approval cannot wait')
    .option('--duration <minutes>', 'how long it stays open (server default 60, capped by BREAK_GLASS_MAX_MINUTES)', integerOption('--duration'))
    .action(async (project: string, options: OutputOptions & { justification: string; duration?: number }) => {
      const { openBreakGlassSession: session } = await connect().request(OpenBreakGlassDocument, {
        input: { project, justification: options.justification, durationMinutes: options.duration },
      });
      report(cli, options, session, (s, style) => printSession(cli, s, style));
    });

  remoteCommand(breakGlass, 'close', 'close your open break-glass session in a project (or one session by --id)')
    .argument('<project>', 'the project')
    .option('--id <id>', 'the session (an ADMIN may close anyone’s)')
    .action(async (project: string, options: OutputOptions & { id?: string }) => {
      const client = connect();
      let id = options.id;
      if (!id) {
        const data = await client.request(ActiveBreakGlassDocument, { project });
        const mine = found(data.project, `project ${project}`).breakGlassSessions.filter((s) => s.user.id === data.viewer.id);
        if (mine.length === 0) throw new ServerError(`you have no open break-glass session in ${project}`, 'BREAK_GLASS_NOT_ACTIVE', EXIT.refused);
        id = mine[0]!.id;
      }
      const { closeBreakGlassSession: session } = await client.request(CloseBreakGlassDocument, { id });
      report(cli, options, session, (s, style) => printSession(cli, s, style));
    });
}
