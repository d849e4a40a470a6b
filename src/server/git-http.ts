/**
 * Git smart HTTP at /git/<project>.git, read-only: git's own `git http-backend` spawned per request
 * as a CGI program (protocol v0 and v2, shallow clones; started by ./git-spawner so that forking does
 * not stall the server), behind the domain's decision of who may read the repository. Responses
 * stream both ways; the processes are capped, timed out when the client stalls, and killed (with
 * their upload-pack children) when the client goes away or the server stops.
 */
import type http from 'node:http';
import { bearerOrBasicToken } from '../domain/auth';
import { clientAddress, TooManyFailedAuthentications, type Authentication, type AuthGuard } from './auth-guard';
import { NAME_PATTERN } from '../domain/layout';
import type { Backend } from '../domain/ports';
import { authorizeRepositoryRead } from '../domain/repository-access';
import { Slots } from '../lib/slots';
import type { Logger } from '../logger';
import { GitSpawner, processGroupGone, type GitCgiEnv, type RunningGit } from './git-spawner';

export interface GitHttpOptions {
  backend: Backend;
  /** GIT_PROJECT_ROOT: the directory holding `<project>.git`. */
  repositoriesDir: string;
  maxConcurrency: number;
  queue: number;
  /** A request during which nothing moves for this long (or that waits this long for a slot) is ended. */
  timeoutMs: number;
  logger: Logger;
  /** Authenticates every request, counting failures per client address like the API does. */
  auth: AuthGuard;
  trustProxy: boolean;
}

export interface GitHttp {
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Refuses new and queued requests (503) and kills every running git process; resolves once they exited. */
  stop(): Promise<void>;
  /** Running `git http-backend` processes. */
  running(): number;
  /** Requests waiting for one. */
  queued(): number;
}

export const GIT_HTTP_PREFIX = '/git/';
const RETRY_AFTER_SECONDS = '2';
const MAX_CGI_HEADER_BYTES = 16 * 1024;

type Route =
  | { kind: 'upload-pack'; project: string; endpoint: 'info/refs' | 'git-upload-pack' }
  | { kind: 'push' }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

/**
 * Only the two smart-protocol endpoints of upload-pack exist (receive-pack is refused by name). The
 * path is matched as sent, undecoded: `..`, encoded slashes and dots, absolute paths and anything but
 * a project slug never match, so nothing outside the repositories directory is ever addressed.
 */
export function routeGitRequest(method: string | undefined, url: string): Route {
  const [path = '', query = ''] = url.split('?', 2);
  const match = /^\/git\/([^/]+)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(path);
  if (!match || !NAME_PATTERN.test(match[1]!)) return { kind: 'not-found' };
  const project = match[1]!;
  const endpoint = match[2] as 'info/refs' | 'git-upload-pack' | 'git-receive-pack';
  if (endpoint === 'git-receive-pack') return { kind: 'push' };
  if (endpoint === 'git-upload-pack') return method === 'POST' ? { kind: 'upload-pack', project, endpoint } : { kind: 'method-not-allowed', allow: 'POST' };
  const service = new URLSearchParams(query).get('service');
  if (service === 'git-receive-pack') return { kind: 'push' };
  // Without ?service= a client asks for the dumb protocol, which is not served.
  if (service !== 'git-upload-pack') return { kind: 'not-found' };
  return method === 'GET' ? { kind: 'upload-pack', project, endpoint } : { kind: 'method-not-allowed', allow: 'GET' };
}

function sendText(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  // git prints a text/plain body of an error response as `remote: <message>`.
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  res.end(`${message}\n`);
}

const MESSAGES = {
  401: 'authentication required: send a Backtrack token as the password of HTTP Basic (any username) or as a Bearer token',
  403: 'cluster agent tokens cannot read the repository: an agent reads only its own tenant-environments; use a repository read token (createRepositoryToken)',
  404: 'repository not found',
  expired: 'the token has expired (TOKEN_EXPIRED); ask for a new one (backtrack token create, or createRepositoryToken for Argo CD)',
} as const;

/** The headers of a CGI response (`Status: 404 Not Found`, `Content-Type: …`), or null until they are complete. */
export function parseCgiHead(head: Buffer): { status: number; headers: Record<string, string[]>; bodyStart: number } | null {
  const end = head.indexOf('\r\n\r\n');
  const endLf = head.indexOf('\n\n');
  const [stop, separator] = end >= 0 && (endLf < 0 || end < endLf) ? [end, 4] : [endLf, 2];
  if (stop < 0) return null;
  let status = 200;
  const headers: Record<string, string[]> = {};
  for (const line of head.subarray(0, stop).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else (headers[name] ??= []).push(value);
  }
  return { status, headers, bodyStart: stop + separator };
}

export function createGitHttp(options: GitHttpOptions): GitHttp {
  const { backend, logger } = options;
  const slots = new Slots(options.maxConcurrency, options.queue);
  const spawner = new GitSpawner();
  /** Each running git process, with a promise settled once its request is done. */
  const running = new Map<RunningGit, Promise<void>>();
  /** Spawns asked of the helper and not yet reported: stop() waits for them, so none escapes its kill. */
  const spawning = new Set<Promise<RunningGit>>();
  const stopping = new AbortController();

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const route = routeGitRequest(req.method, req.url ?? '/');
    if (route.kind === 'not-found') return sendText(res, 404, MESSAGES[404]);
    if (route.kind === 'method-not-allowed') return sendText(res, 405, 'method not allowed', { allow: route.allow });
    // Refused whoever asks, before anything is spawned: every write goes through Backtrack's API.
    if (route.kind === 'push') return sendText(res, 403, "pushing is not allowed: Backtrack's repositories are read-only over HTTP; changes go through its API");
    const shuttingDown = () => sendText(res, 503, 'the server is shutting down', { 'retry-after': RETRY_AFTER_SECONDS });
    if (stopping.signal.aborted) return shuttingDown();

    let authentication: Authentication;
    try {
      authentication = await options.auth.authenticate(bearerOrBasicToken(req.headers.authorization), {
        address: clientAddress(req, options.trustProxy),
        transport: 'git-http',
      });
    } catch (error) {
      if (!(error instanceof TooManyFailedAuthentications)) throw error;
      return sendText(res, 429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
    }
    const decision = await authorizeRepositoryRead(backend, route.project, authentication);
    if (!decision.allowed) {
      // A request without credentials is git's normal first step (it answers the challenge), not a failure.
      const level = decision.reason === 'missing credentials' ? 'debug' : 'warn';
      logger[level]({ project: route.project, client: clientAddress(req, options.trustProxy), reason: decision.reason, status: decision.status }, 'git http: access refused');
      const challenge = decision.status === 401 ? { 'www-authenticate': 'Basic realm="Backtrack"' } : undefined;
      // An expired token says so, with the API's code, so a person (or a script reading git's output) knows to renew it.
      const message = decision.reason === 'expired token' ? MESSAGES.expired : MESSAGES[decision.status];
      return sendText(res, decision.status, message, challenge);
    }

    const gone = new AbortController();
    const abandon = () => gone.abort();
    res.once('close', abandon);
    const release = await slots.acquire({ signal: AbortSignal.any([gone.signal, stopping.signal]), timeoutMs: options.timeoutMs });
    res.off('close', abandon);
    if (!release) {
      if (gone.signal.aborted) return;
      if (stopping.signal.aborted) return shuttingDown();
      logger.warn({ project: route.project, running: slots.running, queued: slots.queued }, 'git http: busy, request refused');
      return sendText(res, 503, 'too many Git requests at once; retry shortly', { 'retry-after': RETRY_AFTER_SECONDS });
    }
    if (gone.signal.aborted || stopping.signal.aborted) {
      release();
      return gone.signal.aborted ? undefined : shuttingDown();
    }
    await runBackend(req, res, route.project, route.endpoint, release, { project: route.project, actor: decision.actor.kind, tokenId: decision.actor.tokenId });
  };

  const runBackend = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    project: string,
    endpoint: 'info/refs' | 'git-upload-pack',
    release: () => void,
    logFields: Record<string, unknown>,
  ) => {
    const started = performance.now();
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const gitProtocol = header('git-protocol');
    const encoding = header('content-encoding');
    // A fresh environment: nothing of the server's own (no GIT_DIR, no REMOTE_USER, which would enable receive-pack).
    const env: GitCgiEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_PROJECT_ROOT: options.repositoriesDir,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${project}.git/${endpoint}`,
      QUERY_STRING: endpoint === 'info/refs' ? 'service=git-upload-pack' : '',
      REQUEST_METHOD: req.method!,
      CONTENT_TYPE: header('content-type'),
      CONTENT_LENGTH: header('content-length'),
      HTTP_CONTENT_ENCODING: encoding && /^(x-)?gzip$/i.test(encoding) ? encoding : undefined,
      GIT_PROTOCOL: gitProtocol && /^[\w.:=-]{1,256}$/.test(gitProtocol) ? gitProtocol : undefined,
    };
    let git: RunningGit;
    const spawned = spawner.spawn(env);
    spawning.add(spawned);
    try {
      git = await spawned;
    } catch (error) {
      release();
      // stop() ended the helper while this spawn was on its way: cut, like every request stop() ends.
      if (stopping.signal.aborted) return void res.destroy();
      logger.error({ ...logFields, err: error }, 'git http: cannot run git http-backend');
      return sendText(res, 500, 'cannot run git');
    } finally {
      spawning.delete(spawned);
    }
    let settled!: () => void;
    running.set(git, new Promise<void>((resolve) => (settled = resolve)));
    if (stopping.signal.aborted) git.kill();

    let finished = false;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      if (!finished) idle = setTimeout(onIdle, options.timeoutMs);
    };
    const onIdle = () => {
      logger.warn({ ...logFields, timeoutMs: options.timeoutMs }, 'git http: client stalled, request ended');
      res.destroy();
    };
    touch();
    // The client went away (or the response was cut): nothing left to serve, nor to read.
    const abandon = () => {
      git.kill();
      git.io.destroy();
    };
    res.once('close', () => {
      if (!finished) abandon();
    });
    if (res.destroyed) abandon();

    git.io.on('error', () => undefined); // a killed process resets its end of the socket
    if (req.method === 'POST') {
      req.on('data', touch);
      req.pipe(git.io);
    } else {
      git.io.end();
    }

    let head: Buffer = Buffer.alloc(0);
    let bytes = 0;
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const parsed = parseCgiHead(head);
      if (!parsed) {
        if (head.length > MAX_CGI_HEADER_BYTES) {
          git.kill();
          sendText(res, 502, 'bad response from git http-backend');
        }
        return;
      }
      git.io.off('data', onHead);
      git.io.on('data', (data: Buffer) => {
        bytes += data.length;
        touch();
      });
      res.writeHead(parsed.status, parsed.headers);
      const body = head.subarray(parsed.bodyStart);
      bytes += body.length;
      if (body.length > 0) res.write(body);
      // Streamed with back-pressure; the response ends only once the process exited cleanly.
      git.io.pipe(res, { end: false });
    };
    git.io.on('data', onHead);

    // Done once the process exited and its output was read to the end (or the socket closed).
    const drained = new Promise((resolve) => {
      git.io.once('end', resolve);
      git.io.once('close', resolve);
    });
    const [{ code, signal, stderr }] = await Promise.all([git.exited, drained]);
    git.io.destroy();
    finished = true;
    clearTimeout(idle);
    release();
    running.delete(git);
    settled();
    const durationMs = Math.round(performance.now() - started);
    if (code === 0 && res.headersSent) {
      res.end();
      logger.info({ ...logFields, endpoint, status: res.statusCode, bytes, durationMs, protocol: gitProtocol ?? 'version=0' }, 'git http request');
      return;
    }
    // Killed by stop(): the connection is cut, as for a stalled client, rather than answered as a git failure.
    if (stopping.signal.aborted) return void res.destroy();
    if (!res.destroyed) logger.warn({ ...logFields, endpoint, code, signal, stderr: stderr.trim(), durationMs }, 'git http: git http-backend failed');
    if (res.headersSent) res.destroy();
    else sendText(res, 500, 'git http-backend failed');
  };

  return {
    handle: (req, res) => {
      serve(req, res).catch((error: unknown) => {
        logger.error({ err: error }, 'git http: request failed');
        sendText(res, 500, 'internal error');
      });
    },
    stop: async () => {
      stopping.abort();
      slots.drain();
      await Promise.allSettled([...spawning]);
      const current = [...running];
      for (const [git] of current) {
        git.kill();
        // What it wrote and a slow client has not read yet is dropped with it.
        git.io.destroy();
      }
      await Promise.all(current.map(([git, settled]) => settled.then(() => processGroupGone(git.pid))));
      await spawner.stop();
    },
    running: () => slots.running,
    queued: () => slots.queued,
  };
}
