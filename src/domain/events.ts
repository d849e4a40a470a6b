/** Domain events and the bus port they leave through; published only after their transaction commits. */
import type { RequestState, rollbackRequests } from '../db/schema';

export type RollbackRequestChange = 'CREATED' | 'STATE_CHANGED' | 'REVIEWED' | 'NOTE_ADDED';

export type DomainEvent =
  | {
      type: 'rollbackRequestUpdated';
      projectId: string;
      tenantEnvironmentId: string;
      requestId: string;
      change: RollbackRequestChange;
      state: RequestState;
      /** The request as it was right after this change. */
      request: typeof rollbackRequests.$inferSelect;
      at: Date;
    }
  | { type: 'syncStatusChanged'; projectId: string; tenantEnvironmentId: string; at: Date }
  | { type: 'deploymentRecorded'; projectId: string; tenantEnvironmentId: string; deploymentId: string; at: Date };

export interface EventBus {
  publish(event: DomainEvent): void;
}
