// The reconciler's one HTTP port: the status JSON API, Prometheus metrics, health probes,
// the fleet dashboard and the push webhook. node:http is enough for six routes; the
// webhook's verification belongs to the source stage and is injected as a handler.
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  '/': { type: 'text/html; charset=utf-8', body: asset('index.html') },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: asset('dashboard.js') },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: asset('dashboard.css') },
};
// The dashboard loads only its own files and the status API.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Every answer (webhook replies, errors and 404s included): nothing here is for a cache.
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
// The dashboard is never framed: frame-ancestors for current browsers, X-Frame-Options for older ones.
const PAGE_HEADERS = { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } as const;

export function createStatusServer(options: StatusServerOptions): StatusServer {
  const { store, metrics } = options;
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
    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    if (path === '/healthz') return sendText(res, 200, 'ok\n');
    if (path === '/readyz') return isReady() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'no pass completed yet\n');
    if (path === '/metrics') {
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
      return sendJson(res, 200, view === 'list' ? store.summary(filter) : store.snapshot(filter));
    }
    const gatewayRoute = /^\/status\/gateways\/([^/]+)$/.exec(path);
    if (gatewayRoute) {
      const name = decodeURIComponent(gatewayRoute[1] ?? '');
      const gateway = store.gateway(name);
      return gateway ? sendJson(res, 200, gateway) : sendJson(res, 404, { error: `no gateway ${JSON.stringify(name)}` });
    }
    const logsRoute = /^\/logs\/([^/]+)\/([^/]+)$/.exec(path);
    if (logsRoute) return serveLogs({ res, reader: options.logs, gateway: decodeURIComponent(logsRoute[1] ?? ''), service: decodeURIComponent(logsRoute[2] ?? ''), query: url.searchParams, onError: options.onError });
    const page = ASSETS[path];
    if (page) return send(res, 200, page.type, page.body, PAGE_HEADERS);
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
