/**
 * The incident screen at /incident, from dist/web (built by scripts/build-web.ts), and a small
 * landing page at / that links it. Everything is served from this server: the page's policy
 * allows scripts, styles and connections to this origin only (its GraphQL endpoint over HTTP and
 * graphql-ws), so it works on a machine without internet and loads nothing from elsewhere.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INCIDENT_PATH = '/incident';
const ASSETS_PREFIX = `${INCIDENT_PATH}/assets/`;
const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Same-origin everything; WebSocket URLs are not covered by 'self' in every browser, so this host's ws/wss are named. */
function securityHeaders(host: string | undefined): Record<string, string> {
  const sockets = host && /^[\w.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self'${sockets}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    // The asset names are not content-hashed: revalidate, so a rebuilt page is never mixed with an old bundle.
    'cache-control': 'no-cache',
  };
}

function landingPage(graphiql: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Backtrack</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="${ASSETS_PREFIX}incident.css"></head>
<body><main class="signin">
<h1>Backtrack</h1>
<p>GitOps rollbacks over GraphQL.</p>
<ul>
<li><a href="${INCIDENT_PATH}">Incident screen</a>: what runs now, history, compare, roll back, requests and approvals.</li>
${graphiql ? '<li><a href="/graphql">GraphiQL</a>: the API explorer.</li>' : ''}
<li>API: <code>POST /graphql</code>, graphql-ws on <code>/graphql</code>.</li>
</ul>
</main></body></html>
`;
}

export interface IncidentScreen {
  /** Whether this request is for the landing page or the incident screen (GET/HEAD only). */
  matches(req: http.IncomingMessage, pathname: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void;
}

export function createIncidentScreen(options: { graphiql: boolean; webDir?: string }): IncidentScreen {
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...securityHeaders(req.headers.host) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const read = (name: string) => {
    try {
      return fs.readFileSync(path.join(webDir, name));
    } catch {
      return null;
    }
  };
  return {
    matches(req, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      return pathname === '/' || pathname === INCIDENT_PATH || pathname === `${INCIDENT_PATH}/` || pathname.startsWith(ASSETS_PREFIX);
    },
    handle(req, res, pathname) {
      if (pathname === '/') return send(req, res, 200, 'text/html; charset=utf-8', landingPage(options.graphiql));
      if (pathname.startsWith(ASSETS_PREFIX)) {
        const name = pathname.slice(ASSETS_PREFIX.length);
        const type = TYPES[path.extname(name)];
        // Only the bundle's own flat file names: nothing else under dist/web, and no path out of it.
        const body = type && /^[\w-]+\.(js|css)$/.test(name) ? read(name) : null;
        return body ? send(req, res, 200, type!, body) : send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
      }
      const page = read('index.html');
      if (!page) {
        return send(req, res, 503, 'text/plain; charset=utf-8', 'The incident screen is not built: run `node_modules/.bin/tsx scripts/build-web.ts` (npm start does).\n');
      }
      return send(req, res, 200, 'text/html; charset=utf-8', page);
    },
  };
}
