/**
 * Every commit message Backtrack writes (release, promotion, rollback) is formatted here, and
 * history indexing and crash recovery read them back here. A message is a subject, an optional
 * description paragraph and a trailer block (the last paragraph, one `Key: value` per line).
 * Every value that comes from a user is folded onto one line, so no input can add a line —
 * least of all a `Rollback Request ID:` that would attribute the commit to another request.
 */
import type { DeploymentSource, RollbackMode, SelectedField, TenantEnvironmentRef } from './model';

export const SOURCE_TRAILER = 'Backtrack-Source';
const REQUEST_ID_TRAILER = 'Rollback Request ID';
/** On a release or promotion that went through the approval framework: the request it executed. */
export const APPROVAL_REQUEST_ID_TRAILER = 'Approval Request ID';

// C0 and C1 controls (CR, LF, TAB, NEL U+0085 …), DEL, and the Unicode line and paragraph separators.
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A user-supplied value as one line: line breaks and other control characters become spaces. */
export function oneLine(value: string): string {
  return value.replace(LINE_BREAKING, ' ').replace(/\s{2,}/g, ' ').trim();
}

interface Common {
  tenantEnvironment: Pick<TenantEnvironmentRef, 'tenant' | 'environment'>;
  authorEmail: string;
  description?: string | null;
}

/** A release or promotion let through the approval framework (approved, or bypassed by break-glass). */
interface Approved {
  approval?: string;
  approvalRequestId?: string;
}

export type CommitMetadata =
  | (Common & Approved & { kind: 'RELEASE' })
  | (Common & Approved & { kind: 'PROMOTION'; fromEnvironment: string; services: string[] })
  | (Common & {
      kind: 'ROLLBACK';
      targetSha: string;
      mode: RollbackMode;
      service: string | null;
      fields: SelectedField[];
      justification: string;
      /** e.g. `Approved by bob@example.com (quorum: 1/1)`. */
      approval: string;
      requestId: string;
    });

const where = ({ tenant, environment }: Common['tenantEnvironment']) => `tenant/${tenant} env/${environment}`;

export function formatCommitMessage(metadata: CommitMetadata): string {
  const te = where(metadata.tenantEnvironment);
  const description = metadata.description ? oneLine(metadata.description) : '';
  const paragraph = (lines: string[]) => lines.map(oneLine).join('\n');
  let subject: string;
  let trailers: string[];
  switch (metadata.kind) {
    case 'RELEASE':
      subject = `Release: ${te}`;
      trailers = [`${SOURCE_TRAILER}: RELEASE`, `Author: ${metadata.authorEmail}`, ...approvedTrailers(metadata)];
      break;
    case 'PROMOTION':
      subject = `Promotion: ${te}`;
      trailers = [
        `From: tenant/${metadata.tenantEnvironment.tenant} env/${metadata.fromEnvironment}`,
        `Services: ${metadata.services.join(', ')}`,
        `${SOURCE_TRAILER}: PROMOTION`,
        `Author: ${metadata.authorEmail}`,
        ...approvedTrailers(metadata),
      ];
      break;
    case 'ROLLBACK':
      subject = `Rollback: ${te} → revision ${metadata.targetSha.slice(0, 7)}`;
      trailers = [
        `Mode: ${metadata.mode.toLowerCase()}`,
        ...(metadata.service ? [`Service: ${metadata.service}`] : []),
        ...(metadata.mode === 'FIELD' ? [`Fields: ${metadata.fields.map((f) => `${f.file} ${f.path}`).join(', ')}`] : []),
        `Target Revision: ${metadata.targetSha}`,
        `Justification: ${metadata.justification}`,
        `Author: ${metadata.authorEmail}`,
        `Approval: ${metadata.approval}`,
        `${REQUEST_ID_TRAILER}: ${metadata.requestId}`,
      ];
      break;
  }
  return [subject, '', ...(description ? [description, ''] : []), paragraph(trailers), ''].join('\n');
}

function approvedTrailers(metadata: Approved): string[] {
  return [
    ...(metadata.approval ? [`Approval: ${metadata.approval}`] : []),
    ...(metadata.approvalRequestId ? [`${APPROVAL_REQUEST_ID_TRAILER}: ${metadata.approvalRequestId}`] : []),
  ];
}

export interface ParsedCommitMessage {
  source: DeploymentSource;
  /** The tenant-environment named in a Backtrack subject (`… tenant/acme env/production …`). */
  tenant: string | null;
  environment: string | null;
  /** Only for a rollback commit, and only from its trailer block. */
  rollbackRequestId: string | null;
  trailers: ReadonlyMap<string, string>;
}

const SUBJECT = /^(Release|Promotion|Rollback): tenant\/([^\s/]+) env\/([^\s/]+)(?: → revision [0-9a-f]{7,40})?$/;
const TRAILER_LINE = /^([A-Za-z][A-Za-z -]*[A-Za-z]): (.*)$/;

/**
 * Reads a message on `\n` boundaries only. Trailers come from the last paragraph, and only when every
 * line of it is a trailer and no key repeats; anything else (a commit by another tool) has none.
 */
export function parseCommitMessage(message: string): ParsedCommitMessage {
  const lines = message.replace(/\n+$/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  const subject = SUBJECT.exec(lines[0] ?? '');
  const lastBlank = lines.lastIndexOf('');
  const trailers = lastBlank > 0 ? trailerBlock(lines.slice(lastBlank + 1)) : new Map<string, string>();
  const kind = subject?.[1];
  const requestId = trailers.get(REQUEST_ID_TRAILER) ?? null;
  const rollback = kind === 'Rollback' && requestId !== null && /^\S+$/.test(requestId);
  const declared = trailers.get(SOURCE_TRAILER);
  const source: DeploymentSource = rollback ? 'ROLLBACK' : declared === 'PROMOTION' && kind === 'Promotion' ? 'PROMOTION' : 'RELEASE';
  return {
    source,
    tenant: subject?.[2] ?? null,
    environment: subject?.[3] ?? null,
    rollbackRequestId: rollback ? requestId : null,
    trailers,
  };
}

function trailerBlock(lines: string[]): Map<string, string> {
  const trailers = new Map<string, string>();
  for (const line of lines) {
    const match = TRAILER_LINE.exec(line);
    if (!match || trailers.has(match[1]!)) return new Map();
    trailers.set(match[1]!, match[2]!);
  }
  return trailers;
}
