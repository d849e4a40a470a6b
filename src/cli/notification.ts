/** Notification targets of a project and their delivery log (the operator's view of the outbox). */
import type { Command } from 'commander';
import type { NotificationTargetKind } from '../domain/model';
import { NOTIFICATION_TARGET_KINDS } from '../domain/model';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject } from '../domain/onboarding/lookup';
import { notificationDeliveriesOf, notificationTargetsOf, redeliverNotification, removeNotificationTarget, setNotificationTarget } from '../domain/notifications/targets';
import { shownUrl } from '../domain/notifications/targets-policy';
import { firstRows } from '../domain/paging';
import { collect, UsageError, type Cli } from './context';

/** A secret never goes on the command line (shell history, `ps`): it comes from stdin or a named variable. */
async function secretFrom(options: { secretEnv?: string; secretStdin?: boolean; clearSecret?: boolean }): Promise<string | null | undefined> {
  const given = [options.secretEnv !== undefined, options.secretStdin === true, options.clearSecret === true].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one of --secret-env, --secret-stdin and --clear-secret');
  if (options.clearSecret) return null;
  if (options.secretEnv !== undefined) {
    const value = process.env[options.secretEnv];
    if (!value) throw new UsageError(`the variable ${options.secretEnv} (--secret-env) is not set`);
    return value;
  }
  if (options.secretStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const secret = text.trim();
    if (!secret) throw new UsageError('--secret-stdin: stdin was empty');
    return secret;
  }
  return undefined;
}

export function registerNotificationCommands(program: Command, cli: Cli): void {
  const notification = program.command('notification').description('where a project’s notifications go (webhooks, Slack, Argo CD) and what was delivered');

  notification
    .command('set')
    .description('create or replace a notification target (the URL is checked against NOTIFY_ALLOWED_NETWORKS)')
    .requiredOption('--project <slug>', 'its project')
    .requiredOption('--name <name>', 'its name (a target of this name is replaced)')
    .requiredOption('--kind <kind>', `one of ${NOTIFICATION_TARGET_KINDS.join(', ')}`)
    .requiredOption('--url <url>', 'http:// or https:// (ARGOCD: the Argo CD server’s /api/webhook)')
    .option('--event <kind>', 'an event kind it takes (repeatable; default: all its kind takes)', collect, [])
    .option('--tenant-environment <tenant/env>', 'only events of this tenant-environment (repeatable; default: all)', collect, [])
    .option('--secret-env <variable>', 'the signing secret, read from this environment variable')
    .option('--secret-stdin', 'the signing secret, read from stdin')
    .option('--clear-secret', 'remove the stored secret (otherwise a stored one is kept)')
    .action(async (options: { project: string; name: string; kind: string; url: string; event: string[]; tenantEnvironment: string[]; secretEnv?: string; secretStdin?: boolean; clearSecret?: boolean }, command: Command) => {
      const kind = options.kind.toUpperCase();
      if (!(NOTIFICATION_TARGET_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${NOTIFICATION_TARGET_KINDS.join(', ')}`);
      const secret = await secretFrom(options);
      await cli.withBackend(command, async (backend) => {
        const target = await setNotificationTarget(backend, OPERATOR, {
          project: options.project,
          name: options.name,
          kind: kind as NotificationTargetKind,
          url: options.url,
          secret,
          eventKinds: options.event.map((e) => e.toUpperCase()),
          tenantEnvironments: options.tenantEnvironment,
        });
        cli.line(`notification target ${target.name} (${target.kind}) → ${shownUrl(target)}${target.secret ? ', signed' : ''}`);
      });
    });

  notification
    .command('list')
    .description('list a project’s notification targets (secrets are never shown)')
    .requiredOption('--project <slug>', 'the project')
    .action(async (options: { project: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'ADMIN');
        const views = await notificationTargetsOf(backend, OPERATOR, project);
        cli.table([
          ['NAME', 'KIND', 'URL', 'SECRET', 'EVENTS', 'TENANT-ENVIRONMENTS'],
          ...views.map(({ target, tenantEnvironments }) => [
            target.name,
            target.kind,
            shownUrl(target),
            target.secret ? 'yes' : 'no',
            target.eventKinds.join(',') || 'all',
            tenantEnvironments.join(',') || 'all',
          ]),
        ]);
      });
    });

  notification
    .command('remove')
    .description('remove a notification target and its delivery log')
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--name <name>', 'the target')
    .action(async (options: { project: string; name: string }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const removed = await removeNotificationTarget(backend, OPERATOR, options);
        if (!removed) throw new UsageError(`project ${options.project} has no notification target ${options.name}`);
        cli.line(`notification target ${options.name} removed`);
      });
    });

  notification
    .command('deliveries')
    .description('the newest deliveries: event, target, state, attempts, last answer, next attempt')
    .requiredOption('--project <slug>', 'the project')
    .option('--target <name>', 'only this target')
    .option('--state <state>', 'only PENDING, DELIVERED or DEAD')
    .option('--limit <n>', 'how many (default 20, at most 100)', '20')
    .action(async (options: { project: string; target?: string; state?: string; limit: string }, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be a whole number from 1 to 100');
      const state = options.state?.toUpperCase();
      if (state && !['PENDING', 'DELIVERED', 'DEAD'].includes(state)) throw new UsageError('--state must be PENDING, DELIVERED or DEAD');
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'ADMIN');
        const targets = new Map((await notificationTargetsOf(backend, OPERATOR, project)).map((v) => [v.target.id, v.target.name]));
        const page = await notificationDeliveriesOf(backend, OPERATOR, project, { target: options.target, state: state as never }, firstRows(limit));
        cli.table([
          ['ID', 'EVENT', 'TARGET', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT', 'KEY'],
          ...page.rows.map((d) => [
            String(d.id),
            d.eventKind,
            targets.get(d.targetId) ?? d.targetId,
            d.state,
            String(d.attempts),
            d.lastStatus !== null ? String(d.lastStatus) : (d.lastError ?? '-'),
            d.state === 'PENDING' ? d.nextAttemptAt.toISOString() : '-',
            d.eventId,
          ]),
        ]);
      });
    });

  notification
    .command('redeliver')
    .description('send a delivery again (same idempotency key, a fresh attempt budget); the running server sends it')
    .requiredOption('--id <id>', 'the delivery (see `notification deliveries`)')
    .action(async (options: { id: string }, command: Command) => {
      const id = Number(options.id);
      if (!Number.isSafeInteger(id)) throw new UsageError('--id must be a delivery id (a number)');
      await cli.withBackend(command, async (backend) => {
        const row = await redeliverNotification(backend, OPERATOR, id);
        cli.line(`delivery ${row.id} (${row.eventKind}, key ${row.eventId}) queued again`);
      });
    });
}
