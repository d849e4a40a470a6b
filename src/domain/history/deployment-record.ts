/** A commit as a deployment of one tenant-environment, whoever records it: the write path or the indexer. */
import type { ParsedCommitMessage } from '../commit-metadata';
import { summarizeChanges, type FilesDiff } from '../diff/compare-files';
import { parseFieldPath, formatFieldPath } from '../../yaml';
import type { DeploymentChange, DeploymentSource, RecordedChanges } from '../model';
import type { CommitInfo, NewAuditEvent, NewDeployment } from '../ports';

export interface DeploymentFacts {
  id: string;
  projectId: string;
  tenantEnvironment: { id: string; ref: { tenant: string; environment: string } };
  commit: CommitInfo;
  metadata: ParsedCommitMessage;
  changes: RecordedChanges;
  authorId: string | null;
  /** The rollback request the commit's trailer names, when that request exists. */
  rollbackRequestId: string | null;
}

export function recordedChangesOf(diff: FilesDiff): RecordedChanges {
  return { summary: summarizeChanges(diff), paths: diff.files.map((f) => f.path), rows: changeRowsOf(diff) };
}

/** The deployment row (without its sequence, which the recorder assigns). */
export function deploymentRow(facts: DeploymentFacts): Omit<NewDeployment, 'sequence'> {
  const { metadata, tenantEnvironment: te } = facts;
  // A rollback commit is one only for the tenant-environment its subject names.
  const isRollback = metadata.source === 'ROLLBACK' && metadata.tenant === te.ref.tenant && metadata.environment === te.ref.environment;
  const source: DeploymentSource = isRollback ? 'ROLLBACK' : metadata.source === 'ROLLBACK' ? 'RELEASE' : metadata.source;
  return {
    id: facts.id,
    projectId: facts.projectId,
    tenantEnvironmentId: te.id,
    revision: facts.commit.sha,
    committedAt: facts.commit.committedAt,
    authorName: facts.commit.authorName,
    authorEmail: facts.commit.authorEmail,
    authorId: facts.authorId,
    changesSummary: facts.changes.summary,
    changedPaths: facts.changes.paths,
    source,
    status: 'SUCCESS',
    rollbackRequestId: isRollback ? facts.rollbackRequestId : null,
  };
}

/**
 * The audit event of a release or promotion Backtrack committed but did not get to record (the
 * database was full, the process died): written from the commit's metadata when the indexer
 * records the deployment instead, so no release goes unaudited.
 */
export function recoveredAuditEvent(facts: DeploymentFacts, now: Date): NewAuditEvent | null {
  const { metadata } = facts;
  const action = metadata.source === 'RELEASE' ? 'release.deployed' : metadata.source === 'PROMOTION' ? 'promotion.deployed' : null;
  // Only Backtrack's own releases and promotions carry the Author trailer; other tools' commits are not audited events.
  if (!action || !metadata.trailers.has('Author') || metadata.tenant === null) return null;
  return {
    projectId: facts.projectId,
    actorUserId: facts.authorId,
    actorAgentId: null,
    action,
    targetType: 'Deployment',
    targetId: facts.id,
    tenantEnvironmentId: facts.tenantEnvironment.id,
    details: {
      revision: facts.commit.sha,
      author: metadata.trailers.get('Author'),
      recovered: true,
      note: 'recorded from the commit metadata after the original recording failed',
    },
    breakGlassSessionId: null,
    createdAt: now,
  };
}

/**
 * The history index's rows for a deployment's changes: each changed file; each YAML path whose
 * value changed (`leaf`) and every path above it (`branch`), so "did the value at P change" is one
 * lookup of P whether P is a leaf or a mapping; `unparsed` where a side of the file is not YAML.
 */
function changeRowsOf(diff: FilesDiff): Array<Pick<DeploymentChange, 'file' | 'level' | 'path'>> {
  const rows: Array<Pick<DeploymentChange, 'file' | 'level' | 'path'>> = [];
  for (const file of diff.files) {
    rows.push({ file: file.path, level: 'file', path: '' });
    if (file.parseError) rows.push({ file: file.path, level: 'unparsed', path: '' });
    const branches = new Set<string>();
    for (const field of file.fields) {
      rows.push({ file: file.path, level: 'leaf', path: field.path });
      for (const ancestor of ancestorsOf(field.path)) branches.add(ancestor);
    }
    for (const path of branches) rows.push({ file: file.path, level: 'branch', path });
  }
  return rows;
}

/** `a.b[0].c` → `a`, `a.b`, `a.b[0]` (the root '' has none). */
export function ancestorsOf(path: string): string[] {
  if (path === '') return [];
  const segments = parseFieldPath(path);
  return segments.slice(1).map((_, i) => formatFieldPath(segments.slice(0, i + 1)));
}
