/** GraphQL enums mirroring the domain's string unions. */
import {
  DEPLOYMENT_SOURCES,
  DEPLOYMENT_STATUSES,
  HEALTH_STATES,
  NOTIFICATION_DELIVERY_STATES,
  NOTIFICATION_EVENT_KINDS,
  NOTIFICATION_TARGET_KINDS,
  PLANS,
  REQUEST_STATES,
  REVIEW_DECISIONS,
  ROLES,
  ROLLBACK_MODES,
  SYNC_STATES,
} from '../../domain/model';
import { builder } from '../builder';

export const PlanEnum = builder.enumType('Plan', { values: PLANS });
export const RoleEnum = builder.enumType('Role', { values: ROLES });
export const DeploymentSourceEnum = builder.enumType('DeploymentSource', { values: DEPLOYMENT_SOURCES });
export const DeploymentStatusEnum = builder.enumType('DeploymentStatus', { values: DEPLOYMENT_STATUSES });
export const RollbackModeEnum = builder.enumType('RollbackMode', { values: ROLLBACK_MODES });
export const RollbackRequestStateEnum = builder.enumType('RollbackRequestState', { values: REQUEST_STATES });
export const ReviewDecisionEnum = builder.enumType('ReviewDecision', { values: REVIEW_DECISIONS });
export const SyncStateEnum = builder.enumType('SyncState', { values: SYNC_STATES });
export const HealthEnum = builder.enumType('Health', { values: HEALTH_STATES });
export const ChangeKindEnum = builder.enumType('ChangeKind', { values: ['ADDED', 'REMOVED', 'MODIFIED'] as const });
export const FileCategoryEnum = builder.enumType('FileCategory', {
  values: ['VALUES', 'BINDINGS', 'VARIABLES', 'ENVIRONMENT', 'MANIFEST', 'OTHER'] as const,
});
export const NotificationTargetKindEnum = builder.enumType('NotificationTargetKind', {
  description: 'WEBHOOK: signed JSON; SLACK: an incoming-webhook message; ARGOCD: a GitHub-style push event for Argo CD\'s /api/webhook.',
  values: NOTIFICATION_TARGET_KINDS,
});
export const NotificationEventKindEnum = builder.enumType('NotificationEventKind', { values: NOTIFICATION_EVENT_KINDS });
export const NotificationDeliveryStateEnum = builder.enumType('NotificationDeliveryState', {
  description: 'PENDING: waiting for its (next) attempt; DELIVERED: a 2xx answer; DEAD: NOTIFY_MAX_ATTEMPTS attempts failed (redeliverNotification sends it again).',
  values: NOTIFICATION_DELIVERY_STATES,
});
