/** The per-request (or per-socket-operation) GraphQL context, shared by HTTP, SSE and graphql-ws. */
import type { Actor } from '../domain/actor';
import type { Services } from '../domain/services';
import { createLoaders, type Loaders } from './loaders';
import type { EventPubSub } from './pubsub';

export interface GraphQLContext {
  services: Services;
  actor: Actor | null;
  loaders: Loaders;
  requestId: string;
  pubsub: EventPubSub;
}

export function createContext(services: Services, actor: Actor | null, requestId: string, pubsub: EventPubSub): GraphQLContext {
  return { services, actor, loaders: createLoaders(services), requestId, pubsub };
}
