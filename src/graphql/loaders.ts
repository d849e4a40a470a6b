/** One DataLoader set per request, so nested lists cost one query per level, not one per row. */
import DataLoader from 'dataloader';
import * as reads from '../domain/batch-reads';
import type { Services } from '../domain/services';

export function createLoaders(services: Services) {
  const { db } = services;
  return {
    user: new DataLoader((ids: readonly string[]) => reads.usersByIds(db, ids)),
    rollbackRequest: new DataLoader((ids: readonly string[]) => reads.rollbackRequestsByIds(db, ids)),
    deployment: new DataLoader((ids: readonly string[]) => reads.deploymentsByIds(db, ids)),
    reviewsByRequest: new DataLoader((ids: readonly string[]) => reads.reviewsByRequestIds(db, ids)),
    notesByRequest: new DataLoader((ids: readonly string[]) => reads.notesByRequestIds(db, ids)),
    deploymentByRequest: new DataLoader((ids: readonly string[]) => reads.deploymentsByRequestIds(db, ids)),
    breakGlassSession: new DataLoader((ids: readonly string[]) => reads.breakGlassSessionsByIds(db, ids)),
    /** Unchecked: resolvers check the actor's access to the loaded tenant-environment. */
    tenantEnvironment: new DataLoader((ids: readonly string[]) => reads.tenantEnvironmentContextsByIds(db, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
