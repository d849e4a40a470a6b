/** The HTTP request each kind of target gets for an outbox row: the same bytes on every attempt. */
import { createHmac } from 'node:crypto';
import type { NotificationDelivery, NotificationTarget } from '../domain/model';
import type { Backend } from '../domain/ports';
import { repositoryUrl } from '../domain/repository-tokens';

export interface OutgoingRequest {
  headers: Record<string, string>;
  body: Buffer;
}

const USER_AGENT = 'Backtrack-Notifications/1';

export function hmacHex(algorithm: 'sha256' | 'sha1', secret: string, body: Buffer): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

export async function requestFor(backend: Backend, target: NotificationTarget, delivery: NotificationDelivery): Promise<OutgoingRequest> {
  if (target.kind === 'ARGOCD') return argoCdPush(backend, target, delivery);
  const body = Buffer.from(JSON.stringify(target.kind === 'SLACK' ? slackMessage(delivery.payload) : delivery.payload));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'idempotency-key': delivery.eventId,
    'x-backtrack-delivery': delivery.eventId,
    'x-backtrack-event': delivery.eventKind,
  };
  if (target.secret) headers['x-backtrack-signature'] = `sha256=${hmacHex('sha256', target.secret, body)}`;
  return { headers, body };
}

// ---------------------------------------------------------------------------------------------
// Slack incoming webhook: one readable message.

type Payload = Record<string, any>;

const TITLES: Record<string, string> = {
  REQUEST_CREATED: 'requested',
  REQUEST_AWAITING_APPROVAL: 'is waiting for approval',
  REQUEST_APPROVED: 'was approved',
  REQUEST_REJECTED: 'was rejected',
  REQUEST_COMPLETED: 'completed',
  REQUEST_FAILED: 'failed',
};

/** Slack's mrkdwn escapes only these three. */
const esc = (text: unknown) => String(text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (sha: unknown) => (typeof sha === 'string' ? sha.slice(0, 7) : '');

export function slackMessage(payload: Payload): { text: string } {
  const te = payload.tenantEnvironment ? `${payload.project.slug}/${payload.tenantEnvironment.tenant}/${payload.tenantEnvironment.environment}` : payload.project.slug;
  const kind: string = payload.kind;
  const lines: string[] = [];
  if (payload.request) {
    const r = payload.request;
    const who = r.requestedBy ? `${esc(r.requestedBy.name)} (${esc(r.requestedBy.email)})` : 'someone';
    const what =
      r.type === 'ROLLBACK'
        ? `${r.mode} rollback of ${esc(te)}${r.service ? ` service ${esc(r.service)}` : ''}${r.selectedFields?.length ? ` fields ${esc(r.selectedFields.join(', '))}` : ''} to ${short(r.targetRevision)}`
        : `${r.type.toLowerCase()} on ${esc(te)}${r.affectedServices?.length ? ` (${esc(r.affectedServices.join(', '))})` : ''}`;
    lines.push(`*${r.type === 'ROLLBACK' ? 'Rollback' : r.type === 'RELEASE' ? 'Release' : 'Promotion'} request ${esc(r.id)} ${TITLES[kind] ?? kind}*`);
    lines.push(`${who} requested a ${what}.`);
    if (r.justification) lines.push(`Justification: ${esc(r.justification)}`);
    if (r.preview) lines.push(`Preview: ${r.preview.affectedServices} service(s), ${r.preview.selectedFields} selected field(s) (hash ${esc(r.preview.hash)})`);
    lines.push(`State: ${r.state}${r.approvalRequired ? ` (${r.approvals}/${r.requiredApprovals} approvals)` : ''}${r.breakGlass ? ' under break-glass' : ''}`);
    if (r.resultRevision) lines.push(`Commit: ${short(r.resultRevision)}`);
    if (r.error) lines.push(`Error: ${esc(r.error)}${r.errorCode ? ` (${r.errorCode})` : ''}`);
    if (payload.links?.approveCommand) lines.push(`Approve: <${payload.links.incident}|incident screen> or \`${payload.links.approveCommand}\``);
    else if (payload.links?.incident) lines.push(`<${payload.links.incident}|Open the incident screen>`);
  } else if (payload.breakGlass) {
    const b = payload.breakGlass;
    lines.push(`*Break-glass opened in ${esc(payload.project.slug)}* by ${esc(b.openedBy?.name)} (${esc(b.openedBy?.email)}) until ${b.expiresAt}`);
    lines.push(`Justification: ${esc(b.justification)}`);
  } else if (payload.deployment) {
    const d = payload.deployment;
    lines.push(`*${d.source} ${short(d.revision)} recorded on ${esc(te)}* by ${esc(d.author?.name)}`);
    if (d.changes?.length) lines.push(esc(d.changes.join('; ')));
  } else if (payload.agent) {
    lines.push(`*Agent of ${esc(te)} unreachable*: no report since ${payload.agent.lastReportedAt} (silence over ${payload.agent.silenceSeconds} s)`);
  } else if (payload.drift) {
    const fields = (payload.drift.fields as Array<{ service: string; field: string; desired: unknown; live: unknown }>).slice(0, 10);
    lines.push(`*Drift on ${esc(te)}* after sync of ${short(payload.drift.revision)}: ${payload.drift.fields.length} field(s) differ`);
    for (const f of fields) lines.push(`• ${esc(f.service)} ${esc(f.field)}: desired ${esc(JSON.stringify(f.desired))}, live ${esc(JSON.stringify(f.live))}`);
  } else {
    lines.push(`*${kind}* on ${esc(te)}`);
  }
  return { text: lines.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// Argo CD: a GitHub push event, which its /api/webhook takes to refresh the applications of the repository.

const ZERO_SHA = '0'.repeat(40);

async function argoCdPush(backend: Backend, target: NotificationTarget, delivery: NotificationDelivery): Promise<OutgoingRequest> {
  const payload = delivery.payload as Payload;
  const slug: string = payload.project.slug;
  const sha: string = payload.commit.revision;
  const git = await backend.repositories.forProject(slug);
  const commit = await git.commitInfo(sha);
  const before = commit.parents[0] ?? null;
  const diff = await git.diffTree(before, sha);
  const url = repositoryUrl(backend, slug);
  const author = { name: commit.authorName, email: commit.authorEmail, username: commit.authorEmail.split('@')[0] };
  const head = {
    id: sha,
    tree_id: (await git.treeIdOf(sha, '')) ?? '',
    distinct: true,
    message: commit.message,
    timestamp: commit.committedAt.toISOString(),
    url: `${url}/commit/${sha}`,
    author,
    committer: author,
    added: diff.filter((e) => e.oldId === null).map((e) => e.path),
    removed: diff.filter((e) => e.newId === null).map((e) => e.path),
    modified: diff.filter((e) => e.oldId !== null && e.newId !== null).map((e) => e.path),
  };
  const event = {
    ref: 'refs/heads/main',
    before: before ?? ZERO_SHA,
    after: sha,
    created: before === null,
    deleted: false,
    forced: false,
    compare: `${url}/compare/${short(before)}...${short(sha)}`,
    commits: [head],
    head_commit: head,
    repository: {
      id: 0,
      name: slug,
      full_name: slug,
      private: true,
      html_url: url,
      clone_url: url,
      url,
      default_branch: 'main',
      master_branch: 'main',
    },
    pusher: { name: author.name, email: author.email },
    sender: { login: 'backtrack', id: 0 },
  };
  const body = Buffer.from(JSON.stringify(event));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/backtrack',
    'x-github-event': 'push',
    'x-github-delivery': delivery.eventId,
    'idempotency-key': delivery.eventId,
  };
  if (target.secret) {
    headers['x-hub-signature-256'] = `sha256=${hmacHex('sha256', target.secret, body)}`;
    headers['x-hub-signature'] = `sha1=${hmacHex('sha1', target.secret, body)}`;
  }
  return { headers, body };
}
