/** HTTP routing in front of yoga: health and readiness, Git over HTTP, the request body limit, draining on shutdown. */
import http from 'node:http';
import { requestIdFrom, withRequestId } from '../logger';
import { GIT_HTTP_PREFIX, type GitHttp } from './git-http';
import type { IncidentScreen } from './incident';
import type { Yoga } from './yoga';

export interface HttpState {
  ready: boolean;
  stopping: boolean;
}

export function createHttpHandler(yoga: Yoga, bodyLimit: number, state: HttpState, git?: GitHttp, incident?: IncidentScreen): http.RequestListener {
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Draining: a request that arrives on an open keep-alive connection is served, then that connection ends.
    if (state.stopping) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') return sendJson(res, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready' });
    // Before the body limit: upload-pack requests are streamed to git, which bounds them itself.
    if (git && path.startsWith(GIT_HTTP_PREFIX)) return git.handle(req, res);
    // The incident screen and the landing page (static files; the page talks to /graphql like any client).
    if (incident?.matches(req, path)) return incident.handle(req, res, path);
    if (Number(req.headers['content-length'] ?? 0) > bodyLimit) return sendBodyTooLarge(res, bodyLimit);
    if (req.headers['content-length'] === undefined && req.method !== 'GET' && req.method !== 'HEAD') {
      // No length announced (chunked): count the bytes, so the limit cannot be bypassed by not announcing one.
      return void readLimited(req, bodyLimit).then(
        (body) => {
          if (body === null) return sendBodyTooLarge(res, bodyLimit);
          // whatwg-node takes a pre-read body from `req.body` instead of the (consumed) stream.
          (req as http.IncomingMessage & { body?: Buffer }).body = body;
          return yoga(req, res);
        },
        () => res.destroy(),
      );
    }
    return yoga(req, res);
  };
  return (req, res) => withRequestId(requestIdFrom(req.headers['x-request-id']), () => handle(req, res));
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** 413, and the connection closes: the rest of the body is not worth reading. */
function sendBodyTooLarge(res: http.ServerResponse, limit: number): void {
  sendJson(
    res,
    413,
    { errors: [{ message: `request body is larger than ${limit} bytes`, extensions: { code: 'BODY_TOO_LARGE', status: 413 } }] },
    { connection: 'close' },
  );
}

/** The whole body, or null as soon as it exceeds `limit` bytes. */
function readLimited(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}
