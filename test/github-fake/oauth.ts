// GitHub's OAuth web flow as github.com serves it, outside the REST API root: the authorize
// page a browser is sent to (here a sign-in form: the fake's stand-in for GitHub's own login
// and consent screens), and the code-for-token exchange an OAuth app's server makes. Codes
// are single-use and expire after ten minutes; a bad exchange answers 200 with an `error`
// body, as GitHub does. Users signed in here get a token the REST API accepts as them.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeGitHubState } from './state.ts';

/** POST /login/oauth/access_token's answer (GitHub's OAuth docs; what @octokit/oauth-methods reads). */
export type AccessTokenBody =
  | { readonly access_token: string; readonly token_type: 'bearer'; readonly scope: string }
  | { readonly error: 'bad_verification_code' | 'incorrect_client_credentials' | 'redirect_uri_mismatch'; readonly error_description: string; readonly error_uri: string };

export interface FakeOAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Grant {
  readonly login: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly expires: number;
}

const CODE_MS = 10 * 60_000;
const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

export class FakeOAuth {
  readonly apps = new Map<string, FakeOAuthApp>();
  /** Logins that can sign in on the authorize page. */
  readonly users = new Set<string>();
  private readonly grants = new Map<string, Grant>();

  constructor(private readonly state: FakeGitHubState) {}

  /** Whether this request is the web flow's (served at the web root, not below the API). */
  static handles(path: string): boolean {
    return path === '/login/oauth/authorize' || path === '/login/oauth/access_token';
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (url.pathname === '/login/oauth/authorize' && method === 'GET') return this.page(res, url.searchParams);
    if (url.pathname === '/login/oauth/authorize' && method === 'POST') return this.authorize(res, new URLSearchParams(raw));
    if (url.pathname === '/login/oauth/access_token' && method === 'POST') return this.exchange(req, res, raw);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
  }

  /** The browser arrives with the app's client_id, redirect_uri and state. */
  private page(res: ServerResponse, query: URLSearchParams, message?: string): void {
    const app = this.apps.get(query.get('client_id') ?? '');
    if (!app) return html(res, 404, '<h1>404</h1><p>No OAuth app has this client_id.</p>');
    const hidden = ['client_id', 'redirect_uri', 'state', 'scope'].map((k) => `<input type="hidden" name="${k}" value="${escape(query.get(k) ?? '')}">`).join('');
    html(res, 200, `<h1>Sign in to GitHub</h1><p>to continue to ${escape(app.clientId)}</p>${message ? `<p id="error">${escape(message)}</p>` : ''}
<form method="post" action="/login/oauth/authorize">${hidden}<label>Username <input id="login_field" name="login"></label><button id="authorize" type="submit">Sign in and authorize</button></form>`);
  }

  private authorize(res: ServerResponse, form: URLSearchParams): void {
    const login = form.get('login') ?? '';
    if (!this.users.has(login)) return this.page(res, form, 'Incorrect username or password.');
    const redirectUri = form.get('redirect_uri') ?? '';
    const code = randomBytes(10).toString('hex');
    this.grants.set(code, { login, clientId: form.get('client_id') ?? '', redirectUri, scope: form.get('scope') ?? '', expires: Date.now() + CODE_MS });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', form.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private exchange(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const json = (req.headers['content-type'] ?? '').includes('json');
    const body = json ? (JSON.parse(raw || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
    const app = this.apps.get(body.client_id ?? '');
    const grant = this.grants.get(body.code ?? '');
    let answer: AccessTokenBody;
    if (!app || app.clientSecret !== body.client_secret) {
      answer = { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: DOCS };
    } else if (!grant || grant.clientId !== app.clientId || grant.expires < Date.now()) {
      answer = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: DOCS };
    } else if (body.redirect_uri !== undefined && body.redirect_uri !== grant.redirectUri) {
      answer = { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.', error_uri: DOCS };
    } else {
      this.grants.delete(body.code!);
      const token = `gho_${randomBytes(18).toString('hex')}`;
      this.state.addToken({ token, login: grant.login });
      answer = { access_token: token, token_type: 'bearer', scope: grant.scope };
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
  }
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
