/** The ApprovalRequest interface's ref alone, so RollbackRequest can implement it without an import cycle (implemented in approval-request.ts). */
import type { AwaitingReview } from '../../domain/requests/approval-queue';
import { builder } from '../builder';

export const ApprovalRequestRef = builder.interfaceRef<AwaitingReview>('ApprovalRequest');
