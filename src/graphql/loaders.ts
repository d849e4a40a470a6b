/**
 * One DataLoader set per request, so nested lists cost one query per level, not one per row.
 * Each loader is made on first use: a request (or a subscription event) pays only for those it needs.
 */
import DataLoader from 'dataloader';
import type { Db } from '../db/client';
import * as reads from '../domain/batch-reads';
import type { Services } from '../domain/services';

const batch = <V>(db: Db, read: (db: Db, ids: readonly string[]) => Promise<V[]>) => new DataLoader((ids: readonly string[]) => read(db, ids));

export class Loaders {
  #user?: DataLoader<string, reads.UserRow | null>;
  #rollbackRequest?: DataLoader<string, reads.RollbackRequestRow | null>;
  #deployment?: DataLoader<string, reads.DeploymentRow | null>;
  #reviewsByRequest?: DataLoader<string, reads.RollbackReviewRow[]>;
  #notesByRequest?: DataLoader<string, reads.RollbackNoteRow[]>;
  #deploymentByRequest?: DataLoader<string, reads.DeploymentRow | null>;
  #breakGlassSession?: DataLoader<string, Awaited<ReturnType<typeof reads.breakGlassSessionsByIds>>[number]>;
  #tenantEnvironment?: DataLoader<string, Awaited<ReturnType<typeof reads.tenantEnvironmentContextsByIds>>[number]>;

  constructor(private readonly db: Db) {}

  get user() {
    return (this.#user ??= batch(this.db, reads.usersByIds));
  }
  get rollbackRequest() {
    return (this.#rollbackRequest ??= batch(this.db, reads.rollbackRequestsByIds));
  }
  get deployment() {
    return (this.#deployment ??= batch(this.db, reads.deploymentsByIds));
  }
  get reviewsByRequest() {
    return (this.#reviewsByRequest ??= batch(this.db, reads.reviewsByRequestIds));
  }
  get notesByRequest() {
    return (this.#notesByRequest ??= batch(this.db, reads.notesByRequestIds));
  }
  /** The deployment a rollback request produced, by request id. */
  get deploymentByRequest() {
    return (this.#deploymentByRequest ??= batch(this.db, reads.deploymentsByRequestIds));
  }
  get breakGlassSession() {
    return (this.#breakGlassSession ??= batch(this.db, reads.breakGlassSessionsByIds));
  }
  /** Unchecked: resolvers check the actor's access to the loaded tenant-environment. */
  get tenantEnvironment() {
    return (this.#tenantEnvironment ??= batch(this.db, reads.tenantEnvironmentContextsByIds));
  }
}

export function createLoaders(services: Services): Loaders {
  return new Loaders(services.db);
}
