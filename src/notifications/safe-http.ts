/** One POST to a notification target: the address policy at connect time, a deadline, a capped answer, no redirects. */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressPolicy } from './address-policy';

/** What is read of an answer: enough for an error message, never a stream a target can make endless. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostResult {
  status: number;
  /** The start of the answer (at most MAX_RESPONSE_BYTES), as text. */
  body: string;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export function postOnce(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  options: { timeoutMs: number; policy: AddressPolicy; maxResponseBytes?: number; signal?: AbortSignal },
): Promise<PostResult> {
  const cap = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to without a lookup: judge it here.
  if (net.isIP(host)) {
    const why = options.policy.refusal(host);
    if (why) return Promise.reject(new DeliveryError(`refused: ${why}`, 'NOTIFICATION_ADDRESS_REFUSED'));
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve(result!);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        lookup: options.policy.lookup,
        // A fresh connection each time: a kept-alive socket would skip the lookup, and with it the check.
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size >= cap) return;
          chunks.push(chunk.subarray(0, cap - size));
          size += Math.min(chunk.length, cap - size);
          if (size >= cap) {
            finish(null, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
            response.destroy();
          }
        });
        response.on('end', () => finish(null, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => finish(new DeliveryError(`answer broken off: ${error.message}`, 'NOTIFICATION_CONNECTION_FAILED')));
      },
    );
    const deadline = setTimeout(() => {
      finish(new DeliveryError(`no answer within ${options.timeoutMs} ms`, 'NOTIFICATION_TIMEOUT'));
      request.destroy();
    }, options.timeoutMs);
    const abort = () => {
      finish(new DeliveryError('given up: the server is shutting down', 'NOTIFICATION_CONNECTION_FAILED'));
      request.destroy();
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === 'NOTIFICATION_ADDRESS_REFUSED' ? error.code : 'NOTIFICATION_CONNECTION_FAILED';
      finish(new DeliveryError(error.code === 'NOTIFICATION_ADDRESS_REFUSED' ? error.message : `cannot connect: ${error.code ?? error.message}`, code));
    });
    request.end(body);
  });
}
