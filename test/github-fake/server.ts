// A GitHub REST API stand-in over real HTTP: code under test reaches it only through its
// base URL. It checks credentials, sends GitHub's rate-limit headers on every response,
// and can be told to fail the way GitHub fails (5xx, primary and secondary rate limits,
// slow answers) so the gate's hold-on-doubt behaviour is tested against the wire.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAppJwt } from './app-jwt.ts';
import { FakeOAuth } from './oauth.ts';
import { type RouteRequest, type RouteResponse, notFound, routes } from './routes.ts';
import type { ErrorBody } from './schemas.ts';
import { FakeGitHubState } from './state.ts';

export type FaultKind = 'server-error' | 'primary-rate-limit' | 'secondary-rate-limit' | 'forbidden' | 'delay';

export interface FaultSpec {
  /** Matches the request path below the API root: a substring or a pattern. */
  readonly path: string | RegExp;
  /** @default any method */
  readonly method?: string;
  readonly kind: FaultKind;
  /** @default 500 for server-error, 403 for rate limits and forbidden */
  readonly status?: 403 | 429 | 500 | 502 | 503;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /** Sent as `retry-after` on secondary rate limits. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Seconds until `x-ratelimit-reset` on primary rate limits. @default 1 */
  readonly resetInSeconds?: number;
  /** How long a `delay` fault stalls before answering normally. @default 1000 */
  readonly delayMs?: number;
  /** Replaces the error body's message. */
  readonly message?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly auth: 'token' | 'jwt' | 'none';
  readonly status: number;
}

export interface GitHubFakeOptions {
  readonly owner?: string;
  readonly repo?: string;
  /** Serve below a path, as GitHub Enterprise Server does (`/api/v3`). @default '' */
  readonly pathPrefix?: string;
  /** Credentials the fake accepts, each acting as a login. */
  readonly tokens?: Readonly<Record<string, string>>;
}

const RATE_LIMIT = 5000;
const DOCS = 'https://docs.github.com/rest';

export class GitHubFake {
  readonly state: FakeGitHubState;
  /** GitHub's OAuth web flow (github.com/login/oauth/…), served at the web root. */
  readonly oauth: FakeOAuth;
  readonly requests: RecordedRequest[] = [];
  private readonly faults: (FaultSpec & { remaining: number })[] = [];
  private readonly pathPrefix: string;
  private readonly server: Server;
  private used = 0;
  private readonly resetAt = Math.floor(Date.now() / 1000) + 3600;
  private url: string | undefined;

  constructor(options: GitHubFakeOptions = {}) {
    this.state = new FakeGitHubState({ owner: options.owner ?? 'soc', repo: options.repo ?? 'fleet' });
    for (const [token, login] of Object.entries(options.tokens ?? {})) this.state.addToken({ token, login });
    this.oauth = new FakeOAuth(this.state);
    this.pathPrefix = options.pathPrefix ?? '';
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake failure: ${String(error)}` }));
      });
    });
  }

  /** The API root to configure as the client's base URL. */
  get baseUrl(): string {
    if (!this.url) throw new Error('the GitHub fake is not started');
    return this.url;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.pathPrefix}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Ends every injected fault still pending: GitHub has recovered. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  requestsTo(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path.includes(path) : path.test(r.path)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    if (FakeOAuth.handles(url.pathname)) return this.oauth.handle(req, res, url, raw);
    if (!url.pathname.startsWith(this.pathPrefix)) return this.send(res, { method, path: url.pathname, auth: 'none' }, notFound());
    const path = url.pathname.slice(this.pathPrefix.length) || '/';
    const credential = parseAuthorization(req.headers.authorization);
    const auth = credential === undefined ? 'none' : credential.split('.').length === 3 ? 'jwt' : 'token';
    const seen = { method, path, auth } as const;

    const authError = this.checkAuth({ path, credential });
    if (authError) return this.send(res, seen, { status: 401, body: { message: authError, documentation_url: DOCS, status: '401' } satisfies ErrorBody });

    const fault = this.takeFault(method, path);
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    else if (fault) return this.send(res, seen, faultResponse(fault));

    const route = routes.find((r) => r.method === method && r.pattern.test(path));
    const match = route ? route.pattern.exec(path) : null;
    if (!route || !match) return this.send(res, seen, notFound());
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      return this.send(res, seen, { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS } });
    }
    const routeRequest: RouteRequest = {
      method, url, body, params: { ...match.groups },
      apiRoot: `${url.protocol}//${url.host}${this.pathPrefix}`,
      login: credential ? (this.state.tokens.get(credential) ?? 'unknown') : 'unknown',
    };
    this.send(res, seen, route.handle(this.state, routeRequest));
  }

  private checkAuth({ path, credential }: { readonly path: string; readonly credential: string | undefined }): string | undefined {
    if (credential === undefined) return 'Requires authentication';
    if (path.startsWith('/app/')) {
      const app = this.state.app;
      if (!app) return 'A JSON web token could not be decoded';
      const check = verifyAppJwt({ jwt: credential, appId: app.appId, publicKey: app.publicKey, nowSeconds: Math.floor(Date.now() / 1000) });
      return check.ok ? undefined : `A JSON web token could not be decoded (${check.why})`;
    }
    return this.state.tokens.has(credential) ? undefined : 'Bad credentials';
  }

  private takeFault(method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (f.method ?? method) === method
      && (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  private send(res: ServerResponse, seen: Omit<RecordedRequest, 'status'>, response: RouteResponse): void {
    this.requests.push({ ...seen, status: response.status });
    this.used += 1;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - this.used)),
      'x-ratelimit-reset': String(this.resetAt),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-resource': 'core',
      ...response.headers,
    };
    res.writeHead(response.status, headers);
    res.end(response.body === undefined ? '' : JSON.stringify(response.body));
  }
}

function faultResponse(fault: FaultSpec): RouteResponse {
  const nowSeconds = Math.floor(Date.now() / 1000);
  switch (fault.kind) {
    case 'primary-rate-limit': {
      const status = fault.status ?? 403;
      return {
        status,
        body: { message: fault.message ?? 'API rate limit exceeded for user ID 1001.', documentation_url: DOCS, status: String(status) } satisfies ErrorBody,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowSeconds + (fault.resetInSeconds ?? 1)) },
      };
    }
    case 'secondary-rate-limit': {
      const status = fault.status ?? 403;
      return {
        status,
        body: {
          message: fault.message ?? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: DOCS, status: String(status),
        } satisfies ErrorBody,
        headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      };
    }
    case 'forbidden':
      return { status: fault.status ?? 403, body: { message: fault.message ?? 'Resource not accessible by integration', documentation_url: DOCS, status: '403' } satisfies ErrorBody };
    default: {
      const status = fault.status ?? 500;
      return { status, body: { message: fault.message ?? 'Server Error', status: String(status) } satisfies ErrorBody };
    }
  }
}

function parseAuthorization(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake and returns it with its base URL; `stop()` it when done. */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const fake = new GitHubFake(options);
  await fake.start();
  return fake;
}
