/** `backtrack history` and `backtrack compare`: a tenant-environment's deployments, and what differs between revisions. */
import type { Command } from 'commander';
import { integerOption, type Cli } from './context';
import { found } from './graphql-client';
import type { OncallRevisionDiffFragment } from './gql/graphql';
import { CompareRevisionsDocument, CompareWithCurrentDocument, HistoryDocument } from './operations';
import { colouredDiff, parseTarget, remoteCommand, report, short, TARGET_ARGUMENT, targetName, type OutputOptions, type Style } from './remote-output';
import { connect } from './server-connection';

export function registerHistoryCommands(program: Command, cli: Cli): void {
  remoteCommand(program, 'history', "a tenant-environment's deployments, newest first (like argocd app history)")
    .argument(...TARGET_ARGUMENT)
    .option('--limit <n>', 'how many', integerOption('--limit'), 20)
    .action(async (targetText: string, options: OutputOptions & { limit: number }) => {
      const target = parseTarget(targetText);
      const data = await connect().request(HistoryDocument, { ...target, first: options.limit });
      const tenantEnvironment = found(data.tenantEnvironment, `tenant-environment ${targetName(target)}`);
      const deployments = tenantEnvironment.deployments.edges.map((edge) => edge.node);
      report(cli, options, deployments, () => {
        cli.table([
          ['REVISION', 'TIME', 'SOURCE', 'STATUS', 'AUTHOR', 'CHANGES'],
          ...deployments.map((d) => [
            d.shortRevision,
            d.timestamp,
            d.source,
            d.status,
            d.author.email,
            d.changes.join('; '),
          ]),
        ]);
        if (tenantEnvironment.deployments.pageInfo.hasNextPage) cli.line(`(older deployments with --limit ${options.limit * 2})`);
      });
    });

  remoteCommand(program, 'compare', 'what differs from a revision to the head (or to a second revision), as a diff')
    .argument(...TARGET_ARGUMENT)
    .argument('<revision>', 'the base revision (full or abbreviated SHA)')
    .argument('[head]', 'the revision to compare it with (default: the current head)')
    .action(async (targetText: string, base: string, head: string | undefined, options: OutputOptions) => {
      const target = parseTarget(targetText);
      const what = `tenant-environment ${targetName(target)}`;
      const diff = head
        ? found((await connect().request(CompareRevisionsDocument, { ...target, base, head })).tenantEnvironment, what).compareRevisions
        : found((await connect().request(CompareWithCurrentDocument, { ...target, revision: base })).tenantEnvironment, what).compareWithCurrent;
      report(cli, options, diff, (d, style) => {
        cli.line(`${targetName(target)}: ${short(d.base)} → ${short(d.head)}${head ? '' : ' (head)'}: ${counts(d.counts)}`);
        printFileDiffs(cli, d.files, style);
      });
    });
}

export function counts(c: OncallRevisionDiffFragment['counts']): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [plural(c.services, 'service', 'services'), plural(c.bindings, 'binding', 'bindings'), plural(c.variables, 'variable', 'variables'), plural(c.files, 'file', 'files')].join(', ');
}

export function printFileDiffs(cli: Cli, files: OncallRevisionDiffFragment['files'], style: Style): void {
  for (const file of files) {
    cli.line();
    cli.line(style.bold(`${file.kind} ${file.path}`) + style.dim(` (+${file.linesAdded} -${file.linesRemoved})`));
    if (file.unifiedDiff) cli.line(colouredDiff(file.unifiedDiff, style));
  }
}
