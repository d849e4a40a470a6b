/** A commit as a deployment of one tenant-environment, whoever records it: the write path or the indexer. */
import type { ParsedCommitMessage } from '../commit-metadata';
import { summarizeChanges, type FilesDiff } from '../diff/compare-files';
import type { DeploymentSource } from '../model';
import type { CommitInfo, NewAuditEvent, NewDeployment } from '../ports';

export interface DeploymentFacts {
  id: string;
  projectId: string;
  tenantEnvironment: { id: string; ref: { tenant: string; environment: string } };
  commit: CommitInfo;
  metadata: ParsedCommitMessage;
  diff: FilesDiff;
  authorId: string | null;
  /** The rollback request the commit's trailer names, when that request exists. */
  rollbackRequestId: string | null;
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
    changesSummary: summarizeChanges(facts.diff),
    changedPaths: facts.diff.files.map((f) => f.path),
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
