/**
 * `backtrack rollback preview|request` (like argocd app rollback): the three modes as the API has
 * them. The mode follows from what is named (--field: FIELD, --service: SERVICE, else FULL)
 * unless --mode says it.
 */
import type { Command } from 'commander';
import { collect, UsageError, type Cli } from './context';
import type { RollbackInput, RollbackMode } from './gql/graphql';
import { counts, printFileDiffs } from './history';
import { PreviewRollbackDocument, RequestRollbackDocument } from './operations';
import { printRequest } from './rollback-request-output';
import { parseTarget, remoteCommand, report, shownValue, short, TARGET_ARGUMENT, targetName, type OutputOptions } from './remote-output';
import { connect } from './server-connection';

interface RollbackOptions extends OutputOptions {
  to: string;
  mode?: string;
  service?: string;
  field?: string[];
}

const MODES: readonly RollbackMode[] = ['FULL', 'SERVICE', 'FIELD'];

/** `--field image.tag` (values.yaml) or `--field variables.yaml:services.api.LOG_LEVEL`. */
function selectedField(text: string): { file?: string; path: string } {
  const colon = text.indexOf(':');
  return colon === -1 ? { path: text } : { file: text.slice(0, colon), path: text.slice(colon + 1) };
}

function rollbackInput(targetText: string, options: RollbackOptions): RollbackInput {
  const mode = (options.mode?.toUpperCase() ?? (options.field?.length ? 'FIELD' : options.service ? 'SERVICE' : 'FULL')) as RollbackMode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be full, service or field (got "${options.mode}")`);
  return {
    ...parseTarget(targetText),
    mode,
    targetSha: options.to,
    service: options.service,
    fields: mode === 'FIELD' ? (options.field ?? []).map(selectedField) : undefined,
  };
}

function rollbackCommand(parent: Command, name: string, description: string): Command {
  return remoteCommand(parent, name, description)
    .argument(...TARGET_ARGUMENT)
    .requiredOption('--to <revision>', 'the revision to roll back to (full or abbreviated SHA)')
    .option('--mode <mode>', 'full, service or field (default: field with --field, service with --service, else full)')
    .option('--service <service>', 'the service (service and field modes)')
    .option('--field <[file:]path>', 'a YAML field to revert, e.g. image.tag or variables.yaml:services.api.LOG_LEVEL (repeatable; file default values.yaml)', collect);
}

export function registerRollbackCommands(program: Command, cli: Cli): void {
  const rollback = program.command('rollback').description('preview and request rollbacks of a tenant-environment');

  rollbackCommand(rollback, 'preview', 'exactly what a rollback would change: fields, impact and the diff of every file')
    .action(async (targetText: string, options: RollbackOptions) => {
      const input = rollbackInput(targetText, options);
      const { previewRollback: preview } = await connect().request(PreviewRollbackDocument, { input });
      report(cli, options, preview, (p, style) => {
        cli.line(style.bold(`Rollback preview: ${targetName(input)} → ${short(p.targetRevision)}, ${p.mode}${p.service ? ` ${p.service}` : ''} (on head ${short(p.baseRevision)})`));
        cli.line(`Affected services: ${p.affectedServices.join(', ') || 'none'}`);
        cli.line(`Impact: ${counts(p.impact)}`);
        if (p.suggestion) cli.line(style.yellow(`Suggestion: ${p.suggestion}`));
        const fields = [...p.environmentFields, ...p.services.flatMap((s) => s.fields)];
        if (fields.length > 0) cli.line('Fields:');
        for (const f of fields) {
          const live = f.liveValue === null || f.liveValue === undefined ? '' : style.dim(` (live: ${shownValue(f.liveValue)})`);
          cli.line(`  ${f.file} ${f.path}: ${style.red(shownValue(f.currentValue))} → ${style.green(shownValue(f.targetValue))}${live}`);
        }
        for (const w of p.warnings) cli.line(style.yellow(`Warning: ${w.file} ${w.path} changed again since the target in ${w.laterRevisions.map(short).join(', ')}; the rollback undoes that too`));
        printFileDiffs(cli, p.files, style);
        cli.line();
        cli.line(`Preview hash: ${p.previewHash} (rollback request --preview-hash ${p.previewHash} makes sure the request does exactly this)`);
      });
    });

  rollbackCommand(rollback, 'request', 'submit the rollback; it waits for approval when the environment needs it, else it runs at once')
    .requiredOption('--justification <text>', 'why the rollback is needed (goes into the commit and the audit trail)')
    .option('--preview-hash <hash>', 'from rollback preview: refuse if the plan has changed since')
    .action(async (targetText: string, options: RollbackOptions & { justification: string; previewHash?: string }) => {
      const input = { rollback: rollbackInput(targetText, options), justification: options.justification, previewHash: options.previewHash };
      const { requestRollback: request } = await connect().request(RequestRollbackDocument, { input });
      report(cli, options, request, (r, style) => printRequest(cli, r, style));
    });
}
