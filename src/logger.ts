/** Structured JSON logs (pino); every line written while a request is handled carries its request id. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';

export type Logger = pino.Logger;

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with `requestId` attached to every log line written from it (and what it awaits). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

/** A client's `x-request-id` when it is a sane token, otherwise a fresh UUID. */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:@/+=-]{1,128}$/.test(value) ? value : randomUUID();
}

export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'backtrack' },
    // A child logger that already binds a requestId keeps it (no duplicate key on the line).
    mixin: (_object, _level, logger) => {
      const requestId = currentRequestId();
      if (!requestId || 'requestId' in (logger as pino.Logger).bindings()) return {};
      return { requestId };
    },
  };
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
