/** Imports every type module (each registers itself on the builder) and builds the schema. */
import { builder } from './builder';
import './types/enums';
import './types/error-code';
import './types/node';
import './types/user';
import './types/organization';
import './types/project';
import './types/project-member';
import './types/api-token';
import './types/tenant';
import './types/environment';
import './types/tenant-environment';
import './types/service';
import './types/deployment';
import './types/revision-diff';
import './types/rollback-preview';
import './types/rollback-request';
import './types/approval-request';
import './types/deployment-notes';
import './types/rollback-mode';
import './types/break-glass-session';
import './types/approval-policy';
import './types/audit-event';
import './types/sync-status';
import './types/repository-health';
import './types/repository-token';

export const schema = builder.toSchema({ sortSchema: true });
