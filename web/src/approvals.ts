/**
 * Requests as the page shows them, whatever their kind: rollbacks, and the releases and promotions
 * that went through the same approval policy. Each kind brings its title, its timeline steps and its
 * review mutation; the timeline and the inbox show them all alike.
 */
import type { Api } from './api';
import { AddNoteDocument, ReviewChangeDocument, ReviewDocument } from './documents';
import type { IncidentChangeRequestFragment, IncidentRequestFragment, ReviewDecision } from '../gql/graphql';

export interface TimelineStep {
  label: string;
  at: string | null;
  who?: string;
  detail?: string;
  tone?: 'good' | 'bad' | 'neutral';
}

export interface PageRequest {
  kind: 'rollback' | 'release' | 'promotion';
  id: string;
  state: string;
  title: string;
  tenantEnvironmentId: string;
  where: string;
  requestedBy: { id: string; name: string; email: string };
  reviewerIds: string[];
  justification: string;
  createdAt: string;
  resultRevision: string | null;
  error: string | null;
  breakGlass: boolean;
  notes: Array<{ id: string; note: string; createdAt: string; author: string }>;
  steps: TimelineStep[];
  /** Only rollback requests carry notes. */
  takesNotes: boolean;
}

interface Stamps {
  createdAt: string;
  approvedAt?: string | null;
  rejectedAt?: string | null;
  executingAt?: string | null;
  completedAt?: string | null;
  failedAt?: string | null;
  resultRevision: string | null;
  error: string | null;
  breakGlassSession: { id: string } | null;
  requestedBy: { name: string };
  reviews: Array<{ decision: string; createdAt: string; comment?: string | null; reviewer: { name: string } }>;
}

/** Created, each review, then the state changes, in time order. */
function timelineOf(r: Stamps, justification: string): TimelineStep[] {
  const steps: TimelineStep[] = [{ label: 'Created', at: r.createdAt, who: r.requestedBy.name, detail: justification || undefined }];
  for (const review of r.reviews) {
    steps.push({
      label: review.decision === 'APPROVE' ? 'Reviewed: approved' : 'Reviewed: rejected',
      at: review.createdAt,
      who: review.reviewer.name,
      detail: review.comment ?? undefined,
      tone: review.decision === 'APPROVE' ? 'good' : 'bad',
    });
  }
  if (r.approvedAt) steps.push({ label: r.breakGlassSession ? 'Approved (break-glass)' : 'Approved', at: r.approvedAt, tone: 'good' });
  if (r.rejectedAt) steps.push({ label: 'Rejected', at: r.rejectedAt, tone: 'bad' });
  if (r.executingAt) steps.push({ label: 'Executing', at: r.executingAt });
  if (r.completedAt) steps.push({ label: 'Completed', at: r.completedAt, detail: r.resultRevision ? `commit ${r.resultRevision.slice(0, 7)}` : undefined, tone: 'good' });
  if (r.failedAt) steps.push({ label: 'Failed', at: r.failedAt, detail: r.error ?? undefined, tone: 'bad' });
  return steps.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
}

export function fromRollbackRequest(r: IncidentRequestFragment): PageRequest {
  const scope =
    r.mode === 'FIELD'
      ? `${r.service}: ${r.selectedFields.map((f) => f.path).join(', ')}`
      : r.mode === 'SERVICE'
        ? `service ${r.service}`
        : 'the whole tenant-environment';
  return {
    kind: 'rollback',
    id: r.id,
    state: r.state,
    title: `${r.mode} rollback of ${scope} to ${r.targetRevision.slice(0, 7)}`,
    tenantEnvironmentId: r.tenantEnvironment.id,
    where: `${r.tenantEnvironment.tenant}/${r.tenantEnvironment.environment}`,
    requestedBy: r.requestedBy,
    reviewerIds: r.reviews.map((review) => review.reviewer.id),
    justification: r.justification,
    createdAt: r.createdAt,
    resultRevision: r.resultRevision,
    error: r.error,
    breakGlass: r.breakGlassSession !== null,
    notes: r.notes.map((n) => ({ id: n.id, note: n.note, createdAt: n.createdAt, author: n.author.name })),
    steps: timelineOf(r, r.justification),
    takesNotes: true,
  };
}

export function fromChangeRequest(r: IncidentChangeRequestFragment): PageRequest {
  const services = r.affectedServices.join(', ') || 'environment fields';
  const details = r.__typename === 'ReleaseRequest' || r.__typename === 'PromotionRequest' ? r : null;
  const from = r.__typename === 'PromotionRequest' ? ` from ${r.fromEnvironment}` : '';
  const justification = details?.description ?? '';
  return {
    kind: r.kind === 'PROMOTION' ? 'promotion' : 'release',
    id: r.id,
    state: r.state,
    title: `${r.kind === 'PROMOTION' ? 'Promotion' : 'Release'} of ${services}${from}`,
    tenantEnvironmentId: r.tenantEnvironment.id,
    where: `${r.tenantEnvironment.tenant}/${r.tenantEnvironment.environment}`,
    requestedBy: r.requestedBy,
    reviewerIds: r.reviews.map((review) => review.reviewer.id),
    justification,
    createdAt: r.createdAt,
    resultRevision: r.resultRevision ?? null,
    error: r.error ?? null,
    breakGlass: r.breakGlassSession !== null,
    notes: [],
    steps: timelineOf({ ...r, rejectedAt: details?.rejectedAt, executingAt: details?.executingAt }, justification),
    takesNotes: false,
  };
}

/** Waiting on the viewer: pending, someone else's, not reviewed by them yet. */
export function waitsOn(request: PageRequest, viewerId: string): boolean {
  return request.state === 'PENDING' && request.requestedBy.id !== viewerId && !request.reviewerIds.includes(viewerId);
}

export async function review(api: Api, request: PageRequest, decision: ReviewDecision, comment?: string): Promise<PageRequest> {
  switch (request.kind) {
    case 'rollback':
      return fromRollbackRequest((await api.request(ReviewDocument, { input: { id: request.id, decision, comment: comment || null } })).reviewRollbackRequest);
    case 'release':
    case 'promotion':
      return fromChangeRequest((await api.request(ReviewChangeDocument, { input: { id: request.id, decision, comment: comment || null } })).reviewApprovalRequest);
  }
}

export async function addNote(api: Api, request: PageRequest, note: string): Promise<PageRequest> {
  if (!request.takesNotes) throw new Error(`a ${request.kind} request takes no notes`);
  return fromRollbackRequest((await api.request(AddNoteDocument, { id: request.id, note })).addRollbackNote);
}
