/** Which notifications a target takes, and what a target's settings must look like. */
import { BadRequestError } from '../errors';
import { NOTIFICATION_EVENT_KINDS, type NotificationEventKind, type NotificationTarget, type NotificationTargetKind } from '../model';

/** An Argo CD target is told that main moved, nothing else; the others take every kind. */
export const KINDS_OF_TARGET: Record<NotificationTargetKind, readonly NotificationEventKind[]> = {
  WEBHOOK: NOTIFICATION_EVENT_KINDS,
  SLACK: NOTIFICATION_EVENT_KINDS.filter((kind) => kind !== 'COMMIT_PUSHED'),
  ARGOCD: ['COMMIT_PUSHED'],
};

/** Empty filters take everything; an event of no tenant-environment (break-glass) passes any tenant-environment filter. */
export function acceptsEvent(target: Pick<NotificationTarget, 'kind' | 'eventKinds' | 'tenantEnvironmentIds'>, kind: NotificationEventKind, tenantEnvironmentId: string | null): boolean {
  const kinds = target.eventKinds.length > 0 ? target.eventKinds : KINDS_OF_TARGET[target.kind];
  if (!kinds.includes(kind) || !KINDS_OF_TARGET[target.kind].includes(kind)) return false;
  return tenantEnvironmentId === null || target.tenantEnvironmentIds.length === 0 || target.tenantEnvironmentIds.includes(tenantEnvironmentId);
}

export function checkEventKinds(targetKind: NotificationTargetKind, kinds: readonly string[]): NotificationEventKind[] {
  const accepted = KINDS_OF_TARGET[targetKind];
  for (const kind of kinds) {
    if (!(NOTIFICATION_EVENT_KINDS as readonly string[]).includes(kind)) {
      throw new BadRequestError('UNKNOWN_NOTIFICATION_EVENT', `unknown notification event kind ${kind}: one of ${NOTIFICATION_EVENT_KINDS.join(', ')}`);
    }
    if (!accepted.includes(kind as NotificationEventKind)) {
      throw new BadRequestError('UNKNOWN_NOTIFICATION_EVENT', `a ${targetKind} target takes ${accepted.join(', ')}, not ${kind}`);
    }
  }
  return [...new Set(kinds)] as NotificationEventKind[];
}

export const MAX_TARGET_URL_LENGTH = 2048;
export const MAX_SECRET_LENGTH = 512;

/** The URL's form: absolute http(s), a host, no credentials (a secret belongs in `secret`, never in a URL that is shown). */
export function parseTargetUrl(text: string): URL {
  const invalid = (why: string) => new BadRequestError('INVALID_NOTIFICATION_URL', `invalid notification target URL: ${why}`);
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TARGET_URL_LENGTH) throw invalid(`1 to ${MAX_TARGET_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`scheme ${url.protocol.replace(/:$/, '')} (http or https only)`);
  if (!url.hostname) throw invalid('no host');
  if (url.username || url.password) throw invalid('credentials in the URL (give the secret separately)');
  return url;
}

/** What the API shows of a target's URL: a Slack incoming-webhook URL is itself the secret, so only its origin. */
export function shownUrl(target: Pick<NotificationTarget, 'kind' | 'url'>): string {
  if (target.kind !== 'SLACK') return target.url;
  const url = new URL(target.url);
  return `${url.origin}/…`;
}
