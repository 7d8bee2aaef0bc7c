// The reconciler's one HTTP port: the status JSON API, Prometheus metrics, health probes,
// the fleet dashboard and the push webhook. node:http is enough for six routes; the
// webhook's verification belongs to the source stage and is injected as a handler.
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scopeGateway, scopeSnapshot, type Viewer } from './access.ts';
import { safeNext, type StatusAuth } from './auth.ts';
import { loginPage } from './login-page.ts';
import type { FleetMetrics } from './metrics.ts';
import { isLogsError, parseLogsSince, type ServiceLogs, type ServiceLogsRequest } from './pod-logs.ts';
import { isPhase } from './status-model.ts';
import type { StatusStore } from './status-store.ts';

export const DEFAULT_STATUS_PORT = 9464;

/**
 * POST /webhook, as the source stage's createWebhookHandler builds it: it reads the raw
 * body itself (the HMAC covers those bytes), verifies it and answers.
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Opens a service's log on a gateway (openServiceLogs with the reconciler's kubeconfig). */
export type LogsReader = (request: ServiceLogsRequest) => Promise<ServiceLogs>;

export interface StatusServerOptions {
  readonly store: StatusStore;
  readonly metrics: FleetMetrics;
  /**
   * Who is signed in and what they may see: the status API, /metrics, logs and the dashboard
   * answer only signed-in readers, each with their own view; /healthz, /readyz, the webhook
   * (its own HMAC) and the dashboard's script and style answer anyone.
   */
  readonly auth: StatusAuth;
  /** POST /webhook; without one the route answers 404. Can be mounted later with `mountWebhook`. */
  readonly webhook?: HttpHandler;
  /** GET /logs/GATEWAY/SERVICE; without one the route answers 404. */
  readonly logs?: LogsReader;
  /** /readyz answers 200 when true. @default store.hasCompletedPass() */
  readonly isReady?: () => boolean;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @default 9464 */
  readonly port?: number;
  /** Called with errors of handlers, so the daemon can log them. */
  readonly onError?: (error: unknown) => void;
  /** Connection limits; each defaults to DEFAULT_HTTP_TIMEOUTS. */
  readonly timeouts?: Partial<HttpTimeouts>;
}

/** Node's own server limits, so a slow or silent client costs one bounded wait. */
export interface HttpTimeouts {
  /** All request headers must arrive within this (slowloris). */
  readonly headersTimeout: number;
  /** The whole request, body included: a 1 MiB webhook body at 64 KiB/s fits. */
  readonly requestTimeout: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeout: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 };

export interface StatusServer {
  readonly server: Server;
  /** Starts listening; resolves with the base URL (http://host:port). */
  listen(): Promise<string>;
  close(): Promise<void>;
  mountWebhook(handler: HttpHandler): void;
}

const asset = (name: string): string => readFileSync(new URL(`./dashboard/${name}`, import.meta.url), 'utf8');
const ASSETS: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: asset('dashboard.js') },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: asset('dashboard.css') },
};
const DASHBOARD = asset('index.html');
// The dashboard loads only its own files and the status API; its one form signs out.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** Sign-in forms are small: a token and where to go next. */
const MAX_FORM_BYTES = 8 * 1024;
// Every answer (webhook replies, errors and 404s included): nothing here is for a cache.
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
// The dashboard is never framed: frame-ancestors for current browsers, X-Frame-Options for older ones.
const PAGE_HEADERS = { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } as const;

export function createStatusServer(options: StatusServerOptions): StatusServer {
  const { store, metrics, auth } = options;
  const isReady = options.isReady ?? (() => store.hasCompletedPass());
  let webhook = options.webhook;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/webhook') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
      if (!webhook) return sendJson(res, 404, { error: 'no webhook configured' });
      return webhook(req, res);
    }
    if (path.startsWith('/auth/')) return serveAuth({ req, res, auth, path, method, query: url.searchParams });
    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    if (path === '/healthz') return sendText(res, 200, 'ok\n');
    if (path === '/readyz') return isReady() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'no pass completed yet\n');
    const page = ASSETS[path];
    if (page) return send(res, 200, page.type, page.body, PAGE_HEADERS);
    const signedIn = await auth.authenticate(req);
    if (!signedIn.ok) {
      if (path === '/') {
        if (signedIn.status === 401) return redirect(res, `/auth/login?next=${encodeURIComponent('/')}`);
        return send(res, signedIn.status, 'text/html; charset=utf-8', loginPage({ oauth: auth.oauth !== undefined, next: '/', message: signedIn.error }), LOGIN_HEADERS);
      }
      return sendJson(res, signedIn.status, { error: signedIn.error }, signedIn.status === 401 ? { 'www-authenticate': 'Bearer realm="essg"' } : {});
    }
    const { viewer } = signedIn;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', DASHBOARD, PAGE_HEADERS);
    if (path === '/metrics') {
      if (viewer.role !== 'operator') return sendJson(res, 403, { error: "metrics cover every customer's gateways: they are for the fleet's operators" });
      const { contentType, body } = await metrics.render();
      return send(res, 200, contentType, body);
    }
    if (path === '/status') {
      const phase = url.searchParams.get('phase') ?? undefined;
      if (phase !== undefined && !isPhase(phase)) return sendJson(res, 400, { error: `unknown phase ${JSON.stringify(phase)}` });
      const customer = url.searchParams.get('customer') ?? undefined;
      const view = url.searchParams.get('view') ?? 'full';
      if (view !== 'full' && view !== 'list') return sendJson(res, 400, { error: `unknown view ${JSON.stringify(view)}: full or list` });
      const filter = { ...(phase ? { phase } : {}), ...(customer ? { customer } : {}) };
      return sendJson(res, 200, scopeSnapshot(view === 'list' ? store.summary(filter) : store.snapshot(filter), viewer));
    }
    const gatewayRoute = /^\/status\/gateways\/([^/]+)$/.exec(path);
    if (gatewayRoute) {
      const name = decodeURIComponent(gatewayRoute[1] ?? '');
      const gateway = visibleGateway(store, viewer, name);
      return gateway ? sendJson(res, 200, gateway) : sendJson(res, 404, noGateway(name));
    }
    const logsRoute = /^\/logs\/([^/]+)\/([^/]+)$/.exec(path);
    if (logsRoute) {
      const gateway = decodeURIComponent(logsRoute[1] ?? '');
      // Someone else's gateway is answered as one that does not exist, before its node is asked anything.
      if (viewer.role !== 'operator' && !visibleGateway(store, viewer, gateway)) return sendJson(res, 404, { error: `no gateway ${JSON.stringify(gateway)}`, code: 'LOGS_NO_POD' });
      return serveLogs({ res, reader: options.logs, gateway, service: decodeURIComponent(logsRoute[2] ?? ''), query: url.searchParams, onError: options.onError });
    }
    return sendJson(res, 404, { error: `no route ${path}` });
  };

  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const server = createServer({ ...timeouts, connectionsCheckingInterval: Math.min(timeouts.headersTimeout, 2_000) }, (req, res) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  return {
    server,
    mountWebhook(handler) {
      webhook = handler;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? DEFAULT_STATUS_PORT, options.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          const { address, port } = server.address() as AddressInfo;
          const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
          resolve(`http://${host}:${port}`);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

const LOGIN_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;

function noGateway(name: string): { error: string } {
  return { error: `no gateway ${JSON.stringify(name)}` };
}

function visibleGateway(store: StatusStore, viewer: Viewer, name: string): ReturnType<StatusStore['gateway']> {
  const gateway = store.gateway(name);
  return gateway && scopeGateway(gateway, viewer, () => store.hiddenFrom(viewer));
}

/** Whether cookies set on this answer must be Secure: the browser reached us over HTTPS (here, or at a proxy in front). */
function isHttps(req: IncomingMessage, auth: StatusAuth): boolean {
  return req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true || (auth.oauth?.publicUrl.startsWith('https:') ?? false);
}

/**
 * /auth/login (the sign-in page), /auth/github and /auth/callback (GitHub's OAuth web flow),
 * POST /auth/token (sign in with a token), POST /auth/logout, /auth/whoami.
 */
async function serveAuth({ req, res, auth, path, method, query }: { req: IncomingMessage; res: ServerResponse; auth: StatusAuth; path: string; method: string; query: URLSearchParams }): Promise<void> {
  const secure = isHttps(req, auth);
  const next = safeNext(query.get('next') ?? '/');
  const page = (status: number, message?: string): void => send(res, status, 'text/html; charset=utf-8', loginPage({ oauth: auth.oauth !== undefined, next, ...(message ? { message } : {}) }), LOGIN_HEADERS);
  const route = `${method === 'HEAD' ? 'GET' : method} ${path}`;
  switch (route) {
    case 'GET /auth/login':
      return page(200);
    case 'GET /auth/github': {
      if (!auth.oauth) return page(404, 'GitHub sign-in is not configured here: sign in with a token');
      const { location, cookie } = await auth.startOAuth(next, secure);
      return redirect(res, location, [cookie]);
    }
    case 'GET /auth/callback': {
      if (!auth.oauth) return page(404, 'GitHub sign-in is not configured here');
      const done = await auth.finishOAuth(req, query);
      if (!done.ok) return page(done.status, done.error);
      return signIn({ res, auth, login: done.login, next: done.next, secure, extraCookies: [auth.clearStateCookie(secure)], onRefused: (status, error) => page(status, error) });
    }
    case 'POST /auth/token': {
      if (!sameOrigin(req)) return page(403, 'sign-in forms are accepted from this site only');
      const form = await readForm(req, res);
      if (!form) return;
      const formNext = safeNext(form.get('next') ?? '/');
      const token = (form.get('token') ?? '').trim();
      if (!token) return page(400, 'enter a token');
      const login = await auth.loginOfToken(token);
      if (!login.ok) return page(login.status, login.error);
      if (login.login === undefined) return page(401, 'that token is neither the status token nor a GitHub token GitHub knows');
      return signIn({ res, auth, login: login.login, next: formNext, secure, extraCookies: [], onRefused: (status, error) => page(status, error) });
    }
    case 'POST /auth/logout':
      if (!sameOrigin(req)) return page(403, 'sign-out forms are accepted from this site only');
      return redirect(res, '/auth/login', [auth.clearSessionCookie(secure)], 303);
    case 'GET /auth/whoami': {
      const signedIn = await auth.authenticate(req);
      if (!signedIn.ok) return sendJson(res, signedIn.status, { error: signedIn.error });
      return sendJson(res, 200, signedIn.viewer);
    }
    default:
      return sendJson(res, 404, { error: `no route ${method} ${path}` });
  }
}

/** A session for `login`, if the fleet lets it see anything. */
async function signIn({ res, auth, login, next, secure, extraCookies, onRefused }: {
  res: ServerResponse; auth: StatusAuth; login: string; next: string; secure: boolean; extraCookies: string[]; onRefused: (status: number, error: string) => void;
}): Promise<void> {
  const viewer = await auth.viewerFor(login);
  if (!viewer.ok) return onRefused(viewer.status, viewer.error);
  return redirect(res, next, [...extraCookies, auth.sessionCookie(login, secure)], 303);
}

/** A form POST names this server as its origin (browsers always send Origin on POST); tools without one are let through. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function readForm(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_FORM_BYTES) {
    sendJson(res, 413, { error: `a sign-in form is at most ${MAX_FORM_BYTES} bytes` });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) {
      sendJson(res, 413, { error: `a sign-in form is at most ${MAX_FORM_BYTES} bytes` });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function redirect(res: ServerResponse, location: string, cookies: string[] = [], status = 302): void {
  res.writeHead(status, { location, 'content-length': 0, ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}) });
  res.end();
}

/** What each logs failure answers: the gateway's state decides, so the dashboard can say it. */
const LOGS_STATUS: Readonly<Record<string, number>> = {
  LOGS_NO_POD: 404,
  LOGS_POD_NOT_STARTED: 409,
  LOGS_GATEWAY_OFFLINE: 503,
  LOGS_GATEWAY_UNREACHABLE: 504,
  LOGS_REQUEST_FAILED: 502,
};

/**
 * GET /logs/GATEWAY/SERVICE?tail=N&since=D&follow=true&timestamps=true: the log text as it
 * streams from the gateway (chunked; with follow, until the client goes), or a JSON error
 * with the failure's code, message and data.
 */
async function serveLogs({ res, reader, gateway, service, query, onError }: { res: ServerResponse; reader: LogsReader | undefined; gateway: string; service: string; query: URLSearchParams; onError: ((error: unknown) => void) | undefined }): Promise<void> {
  if (!reader) return sendJson(res, 404, { error: 'logs are not served here' });
  const tail = query.get('tail');
  const since = query.get('since');
  const tailLines = tail === null || tail === '' ? undefined : Number(tail);
  if (tailLines !== undefined && !(Number.isInteger(tailLines) && tailLines >= 0)) return sendJson(res, 400, { error: `tail must be a whole number of lines, not ${JSON.stringify(tail)}` });
  const sinceSeconds = since === null || since === '' ? undefined : parseLogsSince(since);
  if (sinceSeconds === null) return sendJson(res, 400, { error: `since must be a duration such as 30s, 10m, 2h, 1d or 1h30m, not ${JSON.stringify(since)}` });
  const flag = (name: string): boolean => ['true', '1', ''].includes(query.get(name) ?? 'false');
  let logs: ServiceLogs;
  try {
    logs = await reader({
      gateway, service,
      ...(tailLines !== undefined ? { tailLines } : {}),
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
      ...(flag('follow') ? { follow: true } : {}),
      ...(flag('timestamps') ? { timestamps: true } : {}),
    });
  } catch (error) {
    if (isLogsError(error)) return sendJson(res, LOGS_STATUS[error.code] ?? 502, { error: error.message, ...error.toJSON() });
    onError?.(error);
    return sendJson(res, 502, { error: `reading the logs failed: ${error instanceof Error ? error.message : String(error)}` });
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-essg-pod': `${logs.namespace}/${logs.pod}`, 'x-essg-container': logs.container });
  // A follower may wait long for its first line: it learns at once that the stream is open.
  res.flushHeaders();
  // The client went (a closed log view): the gateway's stream is closed with it.
  res.once('close', () => logs.stop());
  logs.stream.once('error', () => res.destroy());
  logs.stream.pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, headers);
}

function sendText(res: ServerResponse, status: number, body: string): void {
  send(res, status, 'text/plain; charset=utf-8', body);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
