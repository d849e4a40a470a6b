/** Real clients for the live layer: graphql-ws over a socket, SSE over fetch, and an outsider project. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { createOrganization, createProject, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import type { InProcessEventBus } from '../../src/events/pubsub';
import type { TestApp } from '../kit/app';

export const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
export const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;
export const GLOBEX_PROD = { project: 'shop', tenant: 'globex', environment: 'production' } as const;

export const SAFE_IN_GIT = 'The rollback is safe in Git; sync will occur when the agent reconnects';

export function subscriberCount(t: TestApp): number {
  return (t.app.backend.events as InProcessEventBus).subscriberCount();
}

/** Resolves once the condition holds; fails with the description after the timeout. */
export async function until(condition: () => boolean, description: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the server has this many live subscriptions on its event bus. */
export async function untilSubscribers(t: TestApp, count: number): Promise<void> {
  await until(() => subscriberCount(t) >= count, `${count} server-side subscriptions (have ${subscriberCount(t)})`);
}

/**
 * Triggers events until every stream has received one. A graphql-ws subscription has no
 * acknowledgement: it is known to be live only once something arrives.
 */
export async function untilLive(streams: Array<Collector<unknown>>, trigger: () => unknown, attempts = 50): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await trigger();
    try {
      await until(() => streams.every((s) => s.events.length > 0), 'every stream to receive an event', 200);
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

export const wsUrl = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}/graphql`;

export interface WsConnection {
  client: Client;
  /** Resolves when the server acknowledged the connection. */
  connected: Promise<void>;
  /** Resolves with the close code once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

/** A graphql-ws client over a real socket; `token: null` connects without connection params. */
export function connectWs(baseUrl: string, token: string | null): WsConnection {
  let resolveConnected!: () => void;
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: wsUrl(baseUrl),
    webSocketImpl: WebSocket,
    connectionParams: token === null ? undefined : { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    connected,
    closed,
    dispose: async () => {
      await client.dispose();
    },
  };
}

export interface Collector<R> {
  events: R[];
  errors: unknown[];
  completed: boolean;
  /** Waits until at least `count` events arrived and returns them. */
  waitFor(count: number, timeoutMs?: number): Promise<R[]>;
  stop(): void;
}

/** Subscribes over graphql-ws and collects every `next` payload's data. */
export function subscribeWs<R, V>(connection: WsConnection, document: TypedDocumentNode<R, V>, variables: V): Collector<R> {
  const collector: Collector<R> = {
    events: [],
    errors: [],
    completed: false,
    waitFor: async (count, timeoutMs = 15_000) => {
      await until(
        () => collector.events.length >= count || collector.errors.length > 0,
        `${count} events (have ${collector.events.length}: ${JSON.stringify(collector.events)})`,
        timeoutMs,
      );
      expect(collector.errors).toEqual([]);
      return collector.events;
    },
    stop: () => undefined,
  };
  collector.stop = connection.client.subscribe<R>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors) collector.errors.push(result.errors);
        else collector.events.push(result.data as R);
      },
      error: (error) => collector.errors.push(error),
      complete: () => (collector.completed = true),
    },
  );
  return collector;
}

/** A subscription over SSE (yoga's `text/event-stream`), read from a real socket with fetch. */
export function subscribeSse<R, V>(baseUrl: string, token: string, document: TypedDocumentNode<R, V>, variables: V): Collector<R> & { closed: Promise<void> } {
  const abort = new AbortController();
  const events: R[] = [];
  const errors: unknown[] = [];
  const collector = {
    events,
    errors,
    completed: false,
    waitFor: async (count: number, timeoutMs = 15_000) => {
      await until(
        () => events.length >= count || errors.length > 0,
        `${count} SSE events (have ${events.length}: ${JSON.stringify(events)})`,
        timeoutMs,
      );
      expect(errors).toEqual([]);
      return events;
    },
    stop: () => abort.abort(),
    closed: Promise.resolve(),
  };
  collector.closed = (async () => {
    try {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(document), variables }),
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        errors.push(`HTTP ${response.status}: ${await response.text()}`);
        return;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'complete') collector.completed = true;
          if (!data) continue;
          const payload = JSON.parse(data) as ExecutionResult<R>;
          if (payload.errors) errors.push(payload.errors);
          else if (payload.data) events.push(payload.data);
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') errors.push(error);
    }
  })();
  return collector;
}

/** A second organization and project with one user who has no role in shop. */
export async function outsider(t: TestApp): Promise<{ token: string; projectId: string; userId: string }> {
  const services = t.app.backend;
  const organizationId = await createOrganization(services, {
    slug: 'initech',
    name: 'Initech',
    plan: 'ENTERPRISE',
    featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
  });
  const project = await createProject(services, { organizationId, slug: 'tps', name: 'TPS Reports' });
  const userId = await createUser(services, { email: 'peter@initech.example.com', name: 'Peter Gibbons' });
  await grantRole(services, { userId, projectId: project.id, role: 'ADMIN' });
  const { token } = await createUserToken(services, userId, 'outsider token');
  return { token, projectId: project.id, userId };
}

export const tagEdit = (service: string, tag: string) => ({ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: tag }] });
