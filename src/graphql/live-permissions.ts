/**
 * What stays open — graphql-ws sockets and SSE subscription streams — keeps the actor it
 * authenticated with, and shared subscriptions are keyed by those permissions. So each is
 * re-authenticated periodically: when its token no longer authenticates (revoked, expired, user or
 * agent gone) or its roles or scopes changed, it is ended: a socket is closed with 4403, a stream
 * ends with a FORBIDDEN error. Clients reconnect and get what they may read now.
 */
import { permissionsOf, type Actor } from '../domain/actor';
import { authenticate } from '../domain/auth';
import type { ReadStores } from '../domain/ports';
import type { Logger } from '../logger';

export interface LiveConnection {
  token: string;
  permissions: string;
  /** Ends it with a reason the client can read, and a stable code. */
  end(reason: string, code: 'FORBIDDEN' | 'SHUTTING_DOWN'): void;
}

export type LivePermissions = ReturnType<typeof watchLivePermissions>;

export function watchLivePermissions(stores: ReadStores, logger: Logger, intervalMs: number, now: () => Date) {
  const connections = new Map<object, LiveConnection>();
  let timer: NodeJS.Timeout | null = null;
  let checking = false;

  const recheck = async () => {
    if (checking) return;
    checking = true;
    try {
      // One authentication per token, however many connections share it.
      const current = new Map<string, Promise<Actor | null>>();
      for (const [key, connection] of connections) {
        let fresh = current.get(connection.token);
        if (!fresh) current.set(connection.token, (fresh = authenticate(stores, connection.token, now())));
        const actor = await fresh;
        if (!connections.has(key)) continue;
        const reason = !actor ? 'Forbidden: the token no longer authenticates' : permissionsOf(actor) !== connection.permissions ? 'Forbidden: permissions changed, reconnect' : null;
        if (!reason) continue;
        connections.delete(key);
        logger.info({ tokenId: actor?.tokenId, reason }, 'ending a live connection whose permissions changed');
        connection.end(reason, 'FORBIDDEN');
      }
    } finally {
      checking = false;
    }
  };

  return {
    /** `key` identifies the connection (a socket, a stream) for `remove`. */
    add(key: object, token: string, actor: Actor, end: LiveConnection['end']) {
      connections.set(key, { token, permissions: permissionsOf(actor), end });
    },
    remove(key: object) {
      connections.delete(key);
    },
    start() {
      timer ??= setInterval(() => void recheck().catch((error: unknown) => logger.error({ err: error }, 'live permission check failed')), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    /** Ends every connection still open (shutdown). */
    endAll(reason: string) {
      for (const [key, connection] of [...connections]) {
        connections.delete(key);
        connection.end(reason, 'SHUTTING_DOWN');
      }
    },
  };
}
