/**
 * Authentication at the edge: every bearer token presented (HTTP, SSE, graphql-ws, Git over HTTP)
 * goes through here. A token that does not authenticate is logged (with the client's address,
 * never the token) and counted per client address; too many in a window and that address is
 * refused for the rest of it, so tokens cannot be guessed at full speed.
 */
import type http from 'node:http';
import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import { authenticateToken, type AuthenticationFailure } from '../domain/auth';
import type { ReadStores } from '../domain/ports';
import type { Logger } from '../logger';

export class TooManyFailedAuthentications extends Error {
  readonly code = 'TOO_MANY_FAILED_AUTHENTICATIONS';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed authentications from this address; retry in ${retryAfterSeconds} s`);
  }
}

export type Authentication = { actor: Actor; failure?: undefined } | { actor: null; failure: AuthenticationFailure };

export interface AuthGuard {
  /** The actor of `token`, or why there is none; throws TooManyFailedAuthentications while the client is refused. */
  authenticate(token: string | null, client: { address: string; transport: string }): Promise<Authentication>;
}

/** The client's address: the socket's, or the first X-Forwarded-For entry when TRUST_PROXY says a proxy sets it. */
export function clientAddress(request: Pick<http.IncomingMessage, 'headers' | 'socket'> | undefined, trustProxy: boolean): string {
  const forwarded = request?.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (trustProxy && first) return first;
  return request?.socket?.remoteAddress ?? 'unknown';
}

export function createAuthGuard(stores: ReadStores, config: Config, logger: Logger, now: () => number = Date.now): AuthGuard {
  const windowMs = config.AUTH_FAILURE_WINDOW_SECONDS * 1000;
  const failures = new Map<string, { count: number; since: number }>();
  const prune = (at: number) => {
    for (const [address, entry] of failures) if (at - entry.since >= windowMs) failures.delete(address);
  };
  return {
    async authenticate(token, client) {
      if (!token) return { actor: null, failure: 'missing' };
      const at = now();
      if (failures.size > 10_000) prune(at);
      const entry = failures.get(client.address);
      if (entry && at - entry.since < windowMs && entry.count >= config.AUTH_FAILURE_LIMIT) {
        throw new TooManyFailedAuthentications(Math.max(1, Math.ceil((entry.since + windowMs - at) / 1000)));
      }
      const authentication = await authenticateToken(stores, token);
      if (authentication.actor) return authentication;
      const fresh = !entry || at - entry.since >= windowMs ? { count: 0, since: at } : entry;
      fresh.count += 1;
      failures.set(client.address, fresh);
      logger.warn(
        { clientAddress: client.address, transport: client.transport, failures: fresh.count, reason: authentication.failure },
        'authentication failed: unknown, revoked or expired token',
      );
      return authentication;
    },
  };
}
