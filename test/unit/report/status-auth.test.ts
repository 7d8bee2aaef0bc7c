// Sign-in on the reconciler's HTTP port, against the GitHub fake: GitHub tokens as bearer
// tokens, the status token, GitHub's OAuth web flow and the token form, and what each
// signed-in reader is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusAuth } from '../../../src/report/auth.ts';
import { createStatusServer, FleetMetrics, StatusStore, type GatewayReport, type StatusServer, type StatusSnapshot } from '../../../src/report/index.ts';
import type { ServiceLogsRequest } from '../../../src/report/pod-logs.ts';
import { startGitHubFake, type GitHubFake } from '../../github-fake/index.ts';
import { OPERATOR_TOKEN } from '../../support/status-auth.ts';

const TOKENS = { acme: 'gho_acme_approver_token_000000', globex: 'gho_globex_ciso_token_0000000', operator: 'gho_soc_lead_token_00000000000', stranger: 'gho_mallory_token_0000000000000' };
const CLIENT = { clientId: 'Iv1.essgstatus', clientSecret: 'oauth-client-secret-for-tests' };

let fake: GitHubFake;
let server: StatusServer;
let url: string;
const logsAsked: ServiceLogsRequest[] = [];

function report(gateway: string, customer: string, phase: GatewayReport['phase']): GatewayReport {
  return {
    gateway, customer, phase, reason: phase, message: `${gateway} is ${phase}`,
    node: { name: gateway, ready: 'True', pressure: { memory: false, disk: false, pid: false } },
    services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0 }],
  };
}

const as = (token: string, path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
const names = async (response: Response) => ((await response.json()) as StatusSnapshot).gateways.map((g) => g.gateway);
const setCookies = (response: Response) => response.headers.getSetCookie().map((c) => c.split(';')[0]!);

beforeAll(async () => {
  fake = await startGitHubFake({ tokens: { [TOKENS.acme]: 'acme-secops-lead', [TOKENS.globex]: 'globex-ciso', [TOKENS.operator]: 'soc-lead', [TOKENS.stranger]: 'mallory' } });
  fake.oauth.apps.set(CLIENT.clientId, CLIENT);
  fake.oauth.users.add('acme-secops-lead');
  fake.oauth.users.add('mallory');
  const store = new StatusStore();
  store.setAccess({ operators: ['soc-lead'], customers: new Map([['acme', ['acme-secops-lead']], ['globex', ['globex-ciso']]]) });
  store.reportGateway(report('acme-01', 'acme', 'Ready'));
  store.reportGateway(report('acme-02', 'acme', 'Offline'));
  store.reportGateway(report('globex-01', 'globex', 'Ready'));
  const auth = new StatusAuth({
    githubApiUrl: fake.baseUrl, statusTokens: [OPERATOR_TOKEN], access: () => store.access(),
    oauth: { ...CLIENT, publicUrl: 'http://reconciler.invalid' },
  });
  server = createStatusServer({
    store, auth, metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), host: '127.0.0.1', port: 0,
    logs: async (request) => {
      logsAsked.push(request);
      throw new Error('no logs in this test');
    },
  });
  url = await server.listen();
});

afterAll(async () => {
  await server?.close();
  await fake?.stop();
});

describe('signing in to the status API', () => {
  it('answers no one unsigned but the probes and the dashboard files; the page sends a browser to sign in', async () => {
    for (const path of ['/status', '/status?view=list', '/status/gateways/acme-01', '/metrics', '/logs/acme-01/ids', '/auth/whoami']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(401);
      if (path !== '/auth/whoami') expect(response.headers.get('www-authenticate'), path).toBe('Bearer realm="essg"');
    }
    for (const path of ['/healthz', '/dashboard.js', '/dashboard.css', '/auth/login']) expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?next=%2F');
    expect(logsAsked).toEqual([]);
  });

  it("shows an approver's GitHub token its customer's gateways only: another's is a 404 like a name that does not exist, its logs too", async () => {
    const acme = await as(TOKENS.acme, '/status');
    expect(await names(acme)).toEqual(['acme-01', 'acme-02']);
    const list = (await (await as(TOKENS.acme, '/status?view=list')).json()) as StatusSnapshot;
    expect(list.fleet.phases).toMatchObject({ Ready: 1, Offline: 1 });
    expect(await names(await as(TOKENS.acme, '/status?customer=globex'))).toEqual([]);

    const theirs = await as(TOKENS.acme, '/status/gateways/globex-01');
    const nobody = await as(TOKENS.acme, '/status/gateways/globex-99');
    expect([theirs.status, nobody.status]).toEqual([404, 404]);
    expect(await theirs.json()).toEqual({ error: 'no gateway "globex-01"' });
    expect((await as(TOKENS.acme, '/status/gateways/acme-01')).status).toBe(200);

    const theirLogs = await as(TOKENS.acme, '/logs/globex-01/ids');
    const noLogs = await as(TOKENS.acme, '/logs/globex-99/ids');
    expect([theirLogs.status, noLogs.status]).toEqual([404, 404]);
    expect((await theirLogs.json()).error).toBe('no gateway "globex-01"');
    expect(logsAsked).toEqual([]);
    expect((await as(TOKENS.acme, '/metrics')).status).toBe(403);

    expect(await names(await as(TOKENS.globex, '/status'))).toEqual(['globex-01']);
    expect(await (await as(TOKENS.globex, '/auth/whoami')).json()).toEqual({ login: 'globex-ciso', role: 'customer', customers: ['globex'] });
  });

  it("shows an operator's GitHub token and the status token the whole fleet and /metrics; a login the fleet names nowhere gets 403, an unknown token 401", async () => {
    expect(await names(await as(TOKENS.operator, '/status'))).toEqual(['acme-01', 'acme-02', 'globex-01']);
    expect(await names(await as(OPERATOR_TOKEN, '/status'))).toEqual(['acme-01', 'acme-02', 'globex-01']);
    expect((await as(OPERATOR_TOKEN, '/metrics')).status).toBe(200);
    const stranger = await as(TOKENS.stranger, '/status');
    expect(stranger.status).toBe(403);
    expect((await stranger.json()).error).toBe("mallory is neither one of the fleet's operators nor an approver of any customer");
    expect((await as('gho_not_a_token_github_knows_00', '/status')).status).toBe(401);
  });

  it('asks GitHub once per token while it remembers the answer, and says so when GitHub cannot answer', async () => {
    const token = 'gho_asked_once_token_000000000';
    fake.state.addToken({ token, login: 'globex-ciso' });
    const before = fake.requestsTo('/user').length;
    for (let i = 0; i < 3; i++) expect((await as(token, '/status')).status).toBe(200);
    expect(fake.requestsTo('/user').length - before).toBe(1);

    const down = 'gho_github_down_token_00000000';
    fake.state.addToken({ token: down, login: 'soc-lead' });
    fake.injectFault({ path: '/user', kind: 'server-error', status: 503, times: 1 });
    const unavailable = await as(down, '/status');
    expect(unavailable.status).toBe(503);
    expect((await unavailable.json()).error).toContain('GitHub could not check the token (503)');
    // Not remembered as a refusal: once GitHub answers, the token works.
    expect((await as(down, '/status')).status).toBe(200);
  });

  it('signs a browser in through GitHub: the session shows its customer only; a forged or foreign sign-in gets nothing', async () => {
    const start = await fetch(`${url}/auth/github?next=${encodeURIComponent('/#acme-01')}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fake.baseUrl}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://reconciler.invalid/auth/callback');
    const stateCookie = setCookies(start);

    // On GitHub: the user signs in; GitHub sends the browser back with a code.
    const form = new URLSearchParams({ login: 'acme-secops-lead', client_id: CLIENT.clientId, redirect_uri: authorize.searchParams.get('redirect_uri')!, state: authorize.searchParams.get('state')! });
    const granted = await fetch(`${fake.baseUrl}/login/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const back = new URL(granted.headers.get('location')!);
    expect(back.pathname).toBe('/auth/callback');

    // A callback whose state is not this browser's is refused.
    const forged = await fetch(`${url}/auth/callback?code=${back.searchParams.get('code')}&state=someone-elses`, { headers: { cookie: stateCookie.join('; ') }, redirect: 'manual' });
    expect(forged.status).toBe(400);
    const done = await fetch(`${url}/auth/callback${back.search}`, { headers: { cookie: stateCookie.join('; ') }, redirect: 'manual' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/#acme-01');
    const session = setCookies(done).find((c) => c.startsWith('essg_session='))!;
    expect(done.headers.getSetCookie().find((c) => c.startsWith('essg_session='))).toMatch(/HttpOnly; SameSite=Lax/);

    const withSession = (cookie: string, path: string) => fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
    expect(await names(await withSession(session, '/status'))).toEqual(['acme-01', 'acme-02']);
    expect((await withSession(session, '/')).status).toBe(200);
    expect((await withSession(session, '/status/gateways/globex-01')).status).toBe(404);
    // The code was used once: it cannot sign in again.
    expect((await fetch(`${url}/auth/callback${back.search}`, { headers: { cookie: stateCookie.join('; ') }, redirect: 'manual' })).status).toBe(503);
    // A session cookie changed to name someone else is no session.
    const [name, value] = session.split('=') as [string, string];
    const [, signature] = value.split('.') as [string, string];
    const forgedSession = `${name}=${Buffer.from(JSON.stringify({ l: 'soc-lead', e: Date.now() + 3_600_000 })).toString('base64url')}.${signature}`;
    expect((await withSession(forgedSession, '/status')).status).toBe(401);
    // Signing out clears it.
    const out = await fetch(`${url}/auth/logout`, { method: 'POST', headers: { cookie: session }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toMatch(/^essg_session=; .*Max-Age=0/);

    // Someone GitHub knows whom the fleet does not name gets no session at all.
    const strangerStart = await fetch(`${url}/auth/github`, { redirect: 'manual' });
    const strangerAuthorize = new URL(strangerStart.headers.get('location')!);
    const strangerGrant = await fetch(`${fake.baseUrl}/login/oauth/authorize`, { method: 'POST', body: new URLSearchParams({ login: 'mallory', client_id: CLIENT.clientId, redirect_uri: strangerAuthorize.searchParams.get('redirect_uri')!, state: strangerAuthorize.searchParams.get('state')! }), redirect: 'manual' });
    const strangerBack = new URL(strangerGrant.headers.get('location')!);
    const refused = await fetch(`${url}/auth/callback${strangerBack.search}`, { headers: { cookie: setCookies(strangerStart).join('; ') }, redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('essg_session=') && !c.startsWith('essg_session=;'))).toBe(false);
  });

  it('signs a browser in with a token through the form, from this site only, and never redirects off it', async () => {
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${url}/auth/token`, { method: 'POST', body: new URLSearchParams(body), headers, redirect: 'manual' });
    const signedIn = await post({ token: TOKENS.acme, next: '/#acme-02' }, { origin: url });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/#acme-02');
    const session = setCookies(signedIn).find((c) => c.startsWith('essg_session='))!;
    expect(await names(await fetch(`${url}/status`, { headers: { cookie: session } }))).toEqual(['acme-01', 'acme-02']);

    expect((await post({ token: OPERATOR_TOKEN, next: '//evil.example/' }, { origin: url })).headers.get('location')).toBe('/');
    expect((await post({ token: OPERATOR_TOKEN }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ token: 'gho_not_a_token_github_knows_00' })).status).toBe(401);
    expect((await post({ token: 'x'.repeat(9000) })).status).toBe(413);
  });
});
