import type { RepositoryHealth } from '../../domain/repository-health';
import { builder } from '../builder';

const RepositoryHealthStatusEnum = builder.enumType('RepositoryHealthStatus', {
  values: ['HEALTHY', 'BRANCH_MISSING', 'HISTORY_REWRITTEN', 'REPOSITORY_MISSING', 'REPOSITORY_CORRUPT'] as const,
});

export const RepositoryHealthRef = builder.objectRef<RepositoryHealth>('RepositoryHealth');

RepositoryHealthRef.implement({
  description: "Whether the project's repository agrees with what Backtrack recorded of it (writes are refused while main is missing).",
  fields: (t) => ({
    status: t.field({ type: RepositoryHealthStatusEnum, resolve: (h) => h.status }),
    message: t.exposeString('message'),
    head: t.exposeString('head', { nullable: true, description: 'main as the repository has it now.' }),
    recordedHead: t.exposeString('recordedHead', { nullable: true, description: 'main as Backtrack last recorded it.' }),
  }),
});
