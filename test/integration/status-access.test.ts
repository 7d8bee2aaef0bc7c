// Who sees what, against `essg reconcile` as an operator runs it (a child process with GitHub
// sign-in configured, approvals on against the GitHub fake) on the test bed: through the API
// with GitHub tokens, through `essg status`, and through GitHub's OAuth web flow in headless
// Chromium. An acme approver sees acme's gateway and counts only; globex's gateway, its
// logs and its name do not exist for them.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/index.ts';
import { startGitHubFake, type GitHubFake } from '../github-fake/index.ts';
import { launchChromium, screenshot } from '../support/browser.ts';
import { runEssg } from '../support/cli.ts';
import { fetchAsOperator } from '../support/status-auth.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';

const RECONCILER_TOKEN = 'ghp_' + 'StatusAccessReconciler'.repeat(2);
const TOKENS = { acme: 'gho_' + 'AcmeSecopsLead'.repeat(3), analyst: 'gho_' + 'AcmeTeamAnalyst'.repeat(3), globex: 'gho_' + 'GlobexCiso'.repeat(4), operator: 'gho_' + 'SocLead'.repeat(5) };
const CLIENT = { clientId: 'Iv1.essgdashboard', clientSecret: 'dashboard-oauth-secret-' + randomBytes(8).toString('hex') };

let k: Kube;
let fleet: TestFleet;
let fake: GitHubFake;
let reconciler: ReconcilerProcess;
let url: string;
let browser: Browser | undefined;
let acmeGateway: string;
let globexGateway: string;

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  }).once('error', reject);
});
const as = (token: string, p: string) => fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } });
const snapshotAs = async (token: string): Promise<StatusSnapshot> => (await as(token, '/status')).json() as Promise<StatusSnapshot>;

describe('who sees what of the fleet', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01', 'globex-ams-01'] });
    acmeGateway = fleet.gateway('acme-sh-01');
    globexGateway = fleet.gateway('globex-ams-01');
    const trusted = (await git.listServerRefs({ http, url: fleet.url, prefix: 'refs/heads/main' }))[0]!.oid;
    fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { [RECONCILER_TOKEN]: 'essg-bot', [TOKENS.acme]: 'acme-secops-lead', [TOKENS.analyst]: 'acme-analyst', [TOKENS.globex]: 'globex-ciso', [TOKENS.operator]: 'soc-lead' } });
    // acme's approvers are acme-secops-lead and the team acme-bank/secops, as in the template.
    fake.state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'acme-analyst' });
    fake.oauth.apps.set(CLIENT.clientId, CLIENT);
    fake.oauth.users.add('acme-secops-lead');
    const port = await freePort();
    reconciler = startReconciler([
      '--repo', fleet.url, '--branch', 'main', '--kubeconfig', (await testbed()).kubeconfig,
      '--approvals', 'github', '--github-repo', 'soc/fleet', '--github-url', fake.baseUrl, '--trusted-revision', trusted,
      '--oauth-client-id', CLIENT.clientId, '--public-url', `http://127.0.0.1:${port}`,
      '--cache-dir', path.join(os.tmpdir(), `essg-it-access-${randomBytes(3).toString('hex')}`), '--listen', `127.0.0.1:${port}`, '--interval', '*/2 * * * * *',
    ], { GITHUB_TOKEN: RECONCILER_TOKEN, ESSG_OAUTH_CLIENT_SECRET: CLIENT.clientSecret });
    url = await reconciler.url();
    await waitFor('both gateways Ready', async () => {
      const { gateways } = (await (await fetchAsOperator(`${url}/status`)).json()) as StatusSnapshot;
      return gateways.length === 2 && gateways.every((g) => g.phase === 'Ready');
    }, { timeoutMs: 120_000, intervalMs: 500 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await reconciler?.stop();
    await fake?.stop();
    await removeTestFleet(fleet, k);
  }, 120_000);

  it("gives an acme approver (by login or through acme's team) acme's gateway, counts and logs only; globex's is a 404 like a name that does not exist", async () => {
    for (const token of [TOKENS.acme, TOKENS.analyst]) {
      const snapshot = await snapshotAs(token);
      expect(snapshot.gateways.map((g) => g.gateway)).toEqual([acmeGateway]);
      expect(Object.values(snapshot.fleet.phases).reduce((a, b) => a + b, 0)).toBe(1);
      expect(JSON.stringify(snapshot)).not.toContain(globexGateway);
    }
    const theirs = await as(TOKENS.acme, `/status/gateways/${globexGateway}`);
    const nobody = await as(TOKENS.acme, `/status/gateways/${fleet.prefix}-no-such-gateway`);
    expect([theirs.status, nobody.status]).toEqual([404, 404]);
    expect(await theirs.json()).toEqual({ error: `no gateway "${globexGateway}"` });
    expect((await as(TOKENS.acme, `/logs/${globexGateway}/ids`)).status).toBe(404);
    const ownLogs = await as(TOKENS.acme, `/logs/${acmeGateway}/ids?tail=1`);
    expect(ownLogs.status).toBe(200);
    expect((await as(TOKENS.acme, '/metrics')).status).toBe(403);

    expect((await snapshotAs(TOKENS.globex)).gateways.map((g) => g.gateway)).toEqual([globexGateway]);
    expect((await snapshotAs(TOKENS.operator)).gateways.map((g) => g.gateway).sort()).toEqual([acmeGateway, globexGateway].sort());
    expect((await fetch(`${url}/status`)).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('shows essg status with an approver\'s GitHub token what that approver may see', async () => {
    const result = await runEssg(['status', '--url', url], { env: { ESSG_STATUS_TOKEN: TOKENS.acme } });
    expect(result.stdout).toContain(acmeGateway);
    expect(result.stdout).not.toContain(globexGateway);
    const unsigned = await runEssg(['status', '--url', url], { env: { ESSG_STATUS_TOKEN: '', GITHUB_TOKEN: '' } });
    expect(unsigned.code).toBe(2);
  });

  it('signs an acme approver in through GitHub in a browser: the dashboard shows acme only, a globex drill-down finds nothing, signing out ends it', async () => {
    browser = await launchChromium();
    const page: Page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(`${url}/#${globexGateway}`, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/auth/login');
    // The sign-in card reads top to bottom: heading, GitHub, then the token form across the card.
    const layout = await page.evaluate(() => {
      const box = (selector: string) => {
        const { top, bottom, width } = document.querySelector(selector)!.getBoundingClientRect();
        return { top, bottom, width };
      };
      return { heading: box('.login-box h1'), github: box('#sign-in-github'), form: box('#token-form'), card: box('.login-box') };
    });
    expect(layout.github.top).toBeGreaterThan(layout.heading.bottom);
    expect(layout.form.top).toBeGreaterThan(layout.github.bottom);
    expect(layout.form.width).toBeGreaterThan(layout.card.width * 0.8);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#sign-in-github')]);
    // GitHub's sign-in page (the fake's).
    expect(page.url().startsWith(`${fake.baseUrl}/login/oauth/authorize`)).toBe(true);
    await page.type('#login_field', 'acme-secops-lead');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#authorize')]);
    expect(new URL(page.url()).pathname).toBe('/');
    await waitFor('the dashboard drawn', async () => (await page.$$('#customers .tile')).length > 0, { timeoutMs: 30_000, intervalMs: 250 });
    expect(await page.$$eval('#customers .tile', (tiles) => tiles.map((t) => t.textContent ?? ''))).toEqual([acmeGateway]);
    expect(await page.$eval('#who-login', (e) => e.textContent)).toBe('acme-secops-lead · approver: acme');
    expect(await page.$eval('#glance [data-figure="gateways"] b', (e) => e.textContent)).toBe('1');
    // The page was opened on globex's gateway: there is none to show.
    expect(await page.$eval('#detail', (e) => (e as HTMLElement).hidden)).toBe(true);
    const guessed = await page.evaluate(async (name) => (await fetch(`status/gateways/${name}`)).status, globexGateway);
    expect(guessed).toBe(404);
    expect(await page.content()).not.toContain(globexGateway);
    await screenshot(page, 'dashboard-acme-approver');

    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#who button[type=submit]')]);
    expect(new URL(page.url()).pathname).toBe('/auth/login');
    expect((await page.goto(`${url}/status`))?.status()).toBe(401);
  }, 120_000);
});
