/** The domain's stores over one connection or transaction of either dialect. */
import type { Stores } from '../../domain/ports';
import type { StoreContext } from '../dialect';
import { deploymentStore } from './deployments';
import { historyIndexStore } from './history-index';
import { notificationDeliveryStore, notificationTargetStore } from './notifications';
import { auditStore, breakGlassStore, syncReportStore } from './oversight';
import { agentStore, membershipStore, tokenStore, userStore } from './people';
import {
  changeRequestStore,
  deploymentNoteStore,
  deploymentReversionStore,
  rollbackNoteStore,
  rollbackRequestStore,
  rollbackReviewStore,
} from './requests';
import { environmentStore, organizationStore, projectStore, tenantEnvironmentStore, tenantStore } from './workspace';

export function createStores(context: StoreContext): Stores {
  return {
    organizations: organizationStore(context),
    projects: projectStore(context),
    tenants: tenantStore(context),
    tenantEnvironments: tenantEnvironmentStore(context),
    environments: environmentStore(context),
    users: userStore(context),
    memberships: membershipStore(context),
    agents: agentStore(context),
    tokens: tokenStore(context),
    deployments: deploymentStore(context),
    historyIndex: historyIndexStore(context),
    requests: rollbackRequestStore(context),
    reviews: rollbackReviewStore(context),
    notes: rollbackNoteStore(context),
    changeRequests: changeRequestStore(context),
    changeReviews: rollbackReviewStore(context, 'changeReviews'),
    deploymentNotes: deploymentNoteStore(context),
    reversions: deploymentReversionStore(context),
    breakGlass: breakGlassStore(context),
    audit: auditStore(context),
    syncReports: syncReportStore(context),
    notificationTargets: notificationTargetStore(context),
    notificationDeliveries: notificationDeliveryStore(context),
  };
}
