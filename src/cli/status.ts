/** `backtrack status`: what the cluster agent has synced, and where the live values drift from the head. */
import type { Command } from 'commander';
import type { Cli } from './context';
import { found } from './graphql-client';
import { StatusDocument } from './operations';
import { parseTarget, remoteCommand, report, shownValue, short, TARGET_ARGUMENT, targetName, type OutputOptions } from './remote-output';
import { connect } from './server-connection';

export function registerStatusCommand(program: Command, cli: Cli): void {
  remoteCommand(program, 'status', "a tenant-environment's sync status (what the agent reports) and drift")
    .argument(...TARGET_ARGUMENT)
    .action(async (targetText: string, options: OutputOptions) => {
      const target = parseTarget(targetText);
      const te = found((await connect().request(StatusDocument, target)).tenantEnvironment, `tenant-environment ${targetName(target)}`);
      report(cli, options, te, ({ syncStatus: sync, drift }, style) => {
        cli.line(`${style.bold(targetName(target))}: head ${short(te.headRevision)}, services ${te.services.join(', ') || 'none'}`);
        if (!sync.reported) cli.line(`Sync: ${sync.syncState}; ${style.yellow('no agent has reported')}`);
        else {
          const synced = sync.syncedHead ? style.green('synced the head') : style.yellow(`at ${short(sync.syncedRevision)}, not the head`);
          const seen = `last seen ${sync.secondsSinceLastSeen}s ago`;
          const agent = sync.agentReachable ? `agent reachable, ${seen}` : style.red(`agent unreachable, ${seen}`);
          cli.line(`Sync: ${sync.syncState}${sync.health ? `, ${sync.health}` : ''}, ${synced}; ${agent}`);
        }
        cli.line(`  ${sync.message}`);
        if (sync.pendingSyncRollbacks.length > 0) cli.line(style.yellow(`Rollbacks not synced yet: ${sync.pendingSyncRollbacks.join(', ')} (safe in Git; they sync when the agent does)`));
        if (drift.length === 0) return cli.line('Drift: none');
        cli.line(style.yellow(`Drift: ${drift.length} field${drift.length === 1 ? '' : 's'}`));
        cli.table([['  SERVICE', 'FIELD', 'DESIRED', 'LIVE'], ...drift.map((d) => [`  ${d.service}`, d.field, shownValue(d.desired), shownValue(d.live)])]);
      });
    });
}
