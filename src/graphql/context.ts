/** The per-request (or per-socket-operation) GraphQL context, shared by HTTP, SSE and graphql-ws. */
import type { Actor } from '../domain/actor';
import type { Backend } from '../domain/ports';
import { Loaders } from './loaders';
import type { EventPubSub } from '../events/pubsub';

export interface GraphQLContext {
  backend: Backend;
  actor: Actor | null;
  loaders: Loaders;
  requestId: string;
  pubsub: EventPubSub;
}

export function createContext(backend: Backend, actor: Actor | null, requestId: string, pubsub: EventPubSub): GraphQLContext {
  return { backend, actor, loaders: new Loaders(backend.stores), requestId, pubsub };
}
