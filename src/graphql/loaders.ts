/**
 * One DataLoader set per request (and per subscription event), so nested lists cost one query per
 * level, not one per row. Each loader is made on first use: a request pays only for those it needs.
 */
import DataLoader from 'dataloader';
import type { ReadStores } from '../domain/ports';

const batch = <V>(read: (ids: readonly string[]) => Promise<V[]>) => new DataLoader((ids: readonly string[]) => read(ids));

type Loaded<F extends (ids: readonly string[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>[number];

export class Loaders {
  #user?: DataLoader<string, Loaded<ReadStores['users']['byIds']>>;
  #rollbackRequest?: DataLoader<string, Loaded<ReadStores['requests']['byIds']>>;
  #deployment?: DataLoader<string, Loaded<ReadStores['deployments']['byIds']>>;
  #reviewsByRequest?: DataLoader<string, Loaded<ReadStores['reviews']['ofRequests']>>;
  #notesByRequest?: DataLoader<string, Loaded<ReadStores['notes']['ofRequests']>>;
  #deploymentByRequest?: DataLoader<string, Loaded<ReadStores['deployments']['byRequestIds']>>;
  #breakGlassSession?: DataLoader<string, Loaded<ReadStores['breakGlass']['byIds']>>;
  #tenantEnvironment?: DataLoader<string, Loaded<ReadStores['tenantEnvironments']['byIds']>>;
  #notificationTarget?: DataLoader<string, Loaded<ReadStores['notificationTargets']['byIds']>>;

  constructor(private readonly stores: ReadStores) {}

  get user() {
    return (this.#user ??= batch((ids) => this.stores.users.byIds(ids)));
  }
  get rollbackRequest() {
    return (this.#rollbackRequest ??= batch((ids) => this.stores.requests.byIds(ids)));
  }
  get deployment() {
    return (this.#deployment ??= batch((ids) => this.stores.deployments.byIds(ids)));
  }
  get reviewsByRequest() {
    return (this.#reviewsByRequest ??= batch((ids) => this.stores.reviews.ofRequests(ids)));
  }
  get notesByRequest() {
    return (this.#notesByRequest ??= batch((ids) => this.stores.notes.ofRequests(ids)));
  }
  /** The deployment a rollback request produced, by request id. */
  get deploymentByRequest() {
    return (this.#deploymentByRequest ??= batch((ids) => this.stores.deployments.byRequestIds(ids)));
  }
  get breakGlassSession() {
    return (this.#breakGlassSession ??= batch((ids) => this.stores.breakGlass.byIds(ids)));
  }
  /** Unchecked: resolvers check the actor's access to the loaded tenant-environment. */
  get tenantEnvironment() {
    return (this.#tenantEnvironment ??= batch((ids) => this.stores.tenantEnvironments.byIds(ids)));
  }
  /** Unchecked: only ADMINs' delivery rows reach it. */
  get notificationTarget() {
    return (this.#notificationTarget ??= batch((ids) => this.stores.notificationTargets.byIds(ids)));
  }
}
