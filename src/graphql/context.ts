/** The per-request (or per-socket-operation) GraphQL context, shared by HTTP, SSE and graphql-ws. */
import type { Actor } from '../domain/actor';
import type { AuthenticationFailure } from '../domain/auth';
import type { Backend } from '../domain/ports';
import { Loaders } from './loaders';
import type { EventPubSub } from '../events/pubsub';
import type { LivePermissions } from './live-permissions';

export interface GraphQLContext {
  backend: Backend;
  actor: Actor | null;
  /** The bearer token the actor authenticated with. */
  token: string | null;
  /** Why a token that was sent authenticates nobody (an expired one is told apart), null otherwise. */
  authFailure: AuthenticationFailure | null;
  loaders: Loaders;
  requestId: string;
  pubsub: EventPubSub;
  /** Where an HTTP (SSE) subscription registers its stream for the periodic re-check; null on graphql-ws, whose sockets are re-checked. */
  streams: LivePermissions | null;
}

export function createContext(
  backend: Backend,
  auth: { actor: Actor | null; token: string | null; authFailure: AuthenticationFailure | null },
  requestId: string,
  pubsub: EventPubSub,
  streams: LivePermissions | null,
): GraphQLContext {
  return { backend, ...auth, loaders: new Loaders(backend.stores), requestId, pubsub, streams };
}
