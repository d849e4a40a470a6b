/**
 * Open graphql-ws sockets keep the actor they authenticated with on connect, and shared
 * subscriptions are keyed by those permissions. So every socket is re-authenticated periodically:
 * when its token no longer authenticates (revoked, user or agent gone) or its roles or scopes
 * changed, the socket is closed with 4403. Clients reconnect and get what they may now read.
 */
import type { WebSocket } from 'ws';
import { permissionsOf, type Actor } from '../domain/actor';
import { authenticate } from '../domain/auth';
import type { ReadStores } from '../domain/ports';
import type { Logger } from '../logger';

const FORBIDDEN = 4403;

interface Connection {
  token: string;
  permissions: string;
}

export function watchSocketPermissions(stores: ReadStores, logger: Logger, intervalMs: number) {
  const sockets = new Map<WebSocket, Connection>();
  let timer: NodeJS.Timeout | null = null;
  let checking = false;

  const recheck = async () => {
    if (checking) return;
    checking = true;
    try {
      // One authentication per token, however many sockets share it.
      const now = new Map<string, Promise<Actor | null>>();
      for (const [socket, connection] of sockets) {
        let fresh = now.get(connection.token);
        if (!fresh) now.set(connection.token, (fresh = authenticate(stores, connection.token)));
        const actor = await fresh;
        if (!sockets.has(socket)) continue;
        const reason = !actor ? 'Forbidden: the token no longer authenticates' : permissionsOf(actor) !== connection.permissions ? 'Forbidden: permissions changed, reconnect' : null;
        if (!reason) continue;
        sockets.delete(socket);
        logger.info({ tokenId: actor?.tokenId, reason }, 'closing a WebSocket whose permissions changed');
        socket.close(FORBIDDEN, reason);
      }
    } finally {
      checking = false;
    }
  };

  return {
    add(socket: WebSocket, token: string, actor: Actor) {
      sockets.set(socket, { token, permissions: permissionsOf(actor) });
    },
    remove(socket: WebSocket) {
      sockets.delete(socket);
    },
    start() {
      timer ??= setInterval(() => void recheck().catch((error: unknown) => logger.error({ err: error }, 'WebSocket permission check failed')), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
