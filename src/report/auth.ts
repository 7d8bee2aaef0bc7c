// Sign-in for the status API, /metrics and the dashboard. A reader is a GitHub identity:
// signed in through GitHub's OAuth web flow (the browser, a session cookie), or presenting a
// GitHub token as `Authorization: Bearer` (tools, `essg status`), which GitHub resolves to its
// login. The status token (`ESSG_STATUS_TOKEN`) is a bearer token for the SOC's own tools, such
// as a Prometheus scraper, with an operator's view. What a login may see is access.ts's.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods';
import { request as octokitRequest } from '@octokit/request';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { viewerOf, type FleetAccess, type TeamCheck, type Viewer } from './access.ts';

/** The login the status token signs in as. */
export const STATUS_TOKEN_LOGIN = 'essg-status-token';
export const SESSION_COOKIE = 'essg_session';
const STATE_COOKIE = 'essg_oauth_state';
/** A browser session lasts this long; what it may see is decided afresh on every request. */
export const SESSION_MS = 8 * 3600_000;
const STATE_MS = 10 * 60_000;
/** A GitHub token's login is asked again after this long (a revoked token stops working by then). */
const TOKEN_CACHE_MS = 5 * 60_000;
/** So a flood of distinct tokens cannot grow memory. */
const TOKEN_CACHE_ENTRIES = 1_000;
const GITHUB_TIMEOUT_MS = 10_000;

export interface OAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where browsers reach this server (`--public-url`): GitHub sends them back to PUBLIC_URL/auth/callback. */
  readonly publicUrl: string;
}

export interface StatusAuthOptions {
  /** GitHub's REST API root (`--github-url`); its web root (OAuth) is derived the way octokit does. @default https://api.github.com */
  readonly githubApiUrl?: string;
  /** The OAuth app browsers sign in with; without one the dashboard takes a token only. */
  readonly oauth?: OAuthOptions;
  /** Bearer tokens with an operator's view (`ESSG_STATUS_TOKEN`). */
  readonly statusTokens?: readonly string[];
  /** Signs session cookies; replicas behind one Service must share it. @default derived from the OAuth client secret, else random */
  readonly sessionSecret?: string;
  /** Who may see what, from the fleet repo; undefined before the first good load (only operators by status token get in then). */
  readonly access: () => FleetAccess | undefined;
  /** Resolves `org/team` principals (the reconciler's own GitHub client). @default teams grant nothing */
  readonly isTeamMember?: TeamCheck;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The outcome of authenticating a request. */
export type Authenticated =
  | { readonly ok: true; readonly viewer: Viewer }
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly error: string };

export class StatusAuth {
  readonly oauth: OAuthOptions | undefined;
  private readonly key: Buffer;
  private readonly statusTokens: readonly Buffer[];
  private readonly tokenLogins = new Map<string, { readonly login: string | undefined; readonly until: number }>();
  private readonly request: typeof octokitRequest;
  private readonly now: () => number;

  constructor(private readonly options: StatusAuthOptions) {
    this.oauth = options.oauth;
    this.now = options.now ?? Date.now;
    const secret = options.sessionSecret ?? (options.oauth ? `essg-session:${options.oauth.clientSecret}` : randomBytes(32).toString('hex'));
    this.key = createHash('sha256').update(secret).digest();
    this.statusTokens = (options.statusTokens ?? []).filter((t) => t.length > 0).map(digest);
    this.request = octokitRequest.defaults({ baseUrl: options.githubApiUrl ?? 'https://api.github.com', headers: { 'user-agent': 'essg-fleet-status' } });
  }

  /** The request's reader, from its bearer token or session cookie; what they may see is decided now, from the fleet's current access. */
  async authenticate(req: IncomingMessage): Promise<Authenticated> {
    const login = await this.loginOf(req);
    if (!login.ok) return login;
    if (login.login === undefined) return { ok: false, status: 401, error: 'authentication required: sign in at /auth/login, or send Authorization: Bearer with a GitHub token or the status token' };
    return this.viewerFor(login.login);
  }

  /** A signed-in login's view; 403 when the fleet names it nowhere. */
  async viewerFor(login: string): Promise<Authenticated> {
    if (login === STATUS_TOKEN_LOGIN) return { ok: true, viewer: { login, role: 'operator' } };
    const access = this.options.access();
    if (!access) return { ok: false, status: 503, error: 'no fleet loaded yet: who may see what is not known' };
    const viewer = await viewerOf({ login, access, ...(this.options.isTeamMember ? { isTeamMember: this.options.isTeamMember } : {}) });
    return viewer ? { ok: true, viewer } : { ok: false, status: 403, error: `${login} is neither one of the fleet's operators nor an approver of any customer` };
  }

  /** The login a token stands for: the status token, or a GitHub token GitHub names the owner of. */
  async loginOfToken(token: string): Promise<{ ok: true; login: string | undefined } | { ok: false; status: 503; error: string }> {
    const hashed = digest(token);
    if (this.statusTokens.some((t) => timingSafeEqual(t, hashed))) return { ok: true, login: STATUS_TOKEN_LOGIN };
    const key = hashed.toString('hex');
    const cached = this.tokenLogins.get(key);
    if (cached && cached.until > this.now()) return { ok: true, login: cached.login };
    let login: string | undefined;
    try {
      const { data } = await this.request('GET /user', { headers: { authorization: `token ${token}` }, request: { signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) } });
      login = data.login;
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 401: not a token GitHub knows. Anything else: GitHub could not say, and nothing is remembered.
      if (status !== 401) return { ok: false, status: 503, error: `GitHub could not check the token (${status ?? 'no answer'}): try again` };
    }
    this.tokenLogins.delete(key);
    this.tokenLogins.set(key, { login, until: this.now() + TOKEN_CACHE_MS });
    if (this.tokenLogins.size > TOKEN_CACHE_ENTRIES) this.tokenLogins.delete(this.tokenLogins.keys().next().value!);
    return { ok: true, login };
  }

  /** Set-Cookie for a session of `login`. */
  sessionCookie(login: string, secure: boolean): string {
    const payload = Buffer.from(JSON.stringify({ l: login, e: this.now() + SESSION_MS })).toString('base64url');
    return cookie(SESSION_COOKIE, `${payload}.${this.sign(payload)}`, { maxAgeSeconds: SESSION_MS / 1000, secure });
  }

  clearSessionCookie(secure: boolean): string {
    return cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure });
  }

  /** Where to send a browser to sign in with GitHub, and the cookie that ties GitHub's answer to this browser. */
  async startOAuth(next: string, secure: boolean): Promise<{ location: string; cookie: string }> {
    const oauth = this.requireOAuth();
    const state = randomBytes(16).toString('base64url');
    const { url } = getWebFlowAuthorizationUrl({ clientType: 'oauth-app', clientId: oauth.clientId, redirectUrl: callbackUrl(oauth), state, scopes: [], request: this.request });
    const value = Buffer.from(JSON.stringify({ s: state, n: safeNext(next), e: this.now() + STATE_MS })).toString('base64url');
    return { location: url, cookie: cookie(STATE_COOKIE, `${value}.${this.sign(value)}`, { maxAgeSeconds: STATE_MS / 1000, secure, path: '/auth' }) };
  }

  /** GitHub sent the browser back: the code becomes a token, the token a login. Returns where to go next, or why not. */
  async finishOAuth(req: IncomingMessage, query: URLSearchParams): Promise<{ ok: true; login: string; next: string } | { ok: false; status: 400 | 403 | 503; error: string }> {
    const oauth = this.requireOAuth();
    const signed = this.verified(readCookie(req, STATE_COOKIE));
    const state = signed as { s?: string; n?: string; e?: number } | undefined;
    if (query.get('error')) return { ok: false, status: 403, error: `GitHub did not sign you in: ${query.get('error_description') ?? query.get('error')}` };
    const code = query.get('code');
    if (!state || state.s !== query.get('state') || !code || (state.e ?? 0) < this.now()) return { ok: false, status: 400, error: 'the sign-in expired or did not start here: sign in again' };
    let token: string;
    try {
      ({ authentication: { token } } = await exchangeWebFlowCode({ clientType: 'oauth-app', clientId: oauth.clientId, clientSecret: oauth.clientSecret, code, redirectUrl: callbackUrl(oauth), request: this.request }));
    } catch (error) {
      return { ok: false, status: 503, error: `GitHub did not exchange the sign-in code: ${error instanceof Error ? error.message : String(error)}` };
    }
    const login = await this.loginOfToken(token);
    if (!login.ok) return login;
    if (login.login === undefined) return { ok: false, status: 403, error: 'GitHub did not accept the token it issued' };
    return { ok: true, login: login.login, next: safeNext(state.n ?? '/') };
  }

  clearStateCookie(secure: boolean): string {
    return cookie(STATE_COOKIE, '', { maxAgeSeconds: 0, secure, path: '/auth' });
  }

  private async loginOf(req: IncomingMessage): Promise<{ ok: true; login: string | undefined } | { ok: false; status: 503; error: string }> {
    const bearer = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) return this.loginOfToken(bearer);
    const session = this.verified(readCookie(req, SESSION_COOKIE)) as { l?: string; e?: number } | undefined;
    return { ok: true, login: session && typeof session.l === 'string' && (session.e ?? 0) > this.now() ? session.l : undefined };
  }

  private requireOAuth(): OAuthOptions {
    if (!this.oauth) throw new Error('GitHub sign-in is not configured (--oauth-client-id)');
    return this.oauth;
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }

  /** The JSON a signed cookie value carries, or undefined when it is absent, tampered with or malformed. */
  private verified(value: string | undefined): unknown {
    const dot = value?.lastIndexOf('.') ?? -1;
    if (!value || dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function callbackUrl(oauth: OAuthOptions): string {
  return `${oauth.publicUrl.replace(/\/+$/, '')}/auth/callback`;
}

/** Only a path of this server: never another site (an open redirect), never `//host`. */
export function safeNext(next: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

function cookie(name: string, value: string, { maxAgeSeconds, secure, path = '/' }: { maxAgeSeconds: number; secure: boolean; path?: string }): string {
  return serializeCookie(name, value, { path, maxAge: Math.floor(maxAgeSeconds), httpOnly: true, sameSite: 'lax', secure });
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  return parseCookies(req.headers.cookie ?? '')[name];
}
