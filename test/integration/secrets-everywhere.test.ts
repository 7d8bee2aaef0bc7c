// No secret leaves the reconciler, in any form it travels in, after a run that used each one
// and failed with each: `essg reconcile` as an operator runs it fetches its fleet from a real
// `git http-backend` that needs basic auth (the credentials work), asks a GitHub that refuses
// its token and its App key and echoes back whatever credentials it was sent, takes a signed
// webhook delivery, holds a status token and a GitHub sign-in whose code exchange GitHub
// refuses, and applies to the test bed. Then no log line, no --once report, no
// /status, /status/gateways or /metrics answer, no Event and no ConfigMap it wrote holds any.
import { generateKeyPairSync, createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_NAMESPACE } from '../../src/contract/index.ts';
import { createGitServer } from '../../src/testbed/git-server.ts';
import { runEssg } from '../support/cli.ts';
import { leaksIn, secretForms } from '../support/secret-forms.ts';
import { flipFirewallLogging } from './helpers/approval-bed.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { commitAndPush, tempDir } from './helpers/git.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';
import { OPERATOR_TOKEN, fetchAsOperator } from '../support/status-auth.ts';

const run = promisify(execFile);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SECRETS = {
  githubToken: 'ghp_Lk4Wd8Qs2Xv6Bn0Mz3Pr7Tf1Hy5Jc9Ga2Ue6',
  gitUser: 'fleet-reader',
  gitPassword: 'S3cr:et/pa ss+w\u00f6rd=9',
  webhookSecret: 'whsec-7c1e9a3f5b2d8e4a',
  appKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  statusToken: OPERATOR_TOKEN,
  oauthClientSecret: 'oauth-cs-3f9a1c7e5b2d4a6f',
  sessionSecret: 'session-key-8e2b4d6f1a3c5e7a',
} as const;

/** Every form a secret travels in: as is, URL-encoded, base64, basic auth; for the App key also each line of its body and the JWTs signed with it. */
function forms(jwts: readonly string[]): Record<string, string> {
  const out = secretForms(SECRETS);
  SECRETS.appKey.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----')).forEach((line, i) => (out[`appKey line ${i + 1}`] = line));
  jwts.forEach((jwt, i) => {
    out[`App JWT ${i + 1}`] = jwt;
    out[`App JWT ${i + 1} signature`] = jwt.split('.')[2]!;
    out[`App JWT ${i + 1} base64`] = Buffer.from(jwt).toString('base64');
  });
  return out;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('secrets of a reconciler that used each one and failed with each', () => {
  let k: Kube;
  let fleet: TestFleet;
  let gitServer: Server;
  let github: Server;
  let githubUrl: string;
  let repoUrl: string;
  let trusted: string;
  let dir: string;
  let reconciler: ReconcilerProcess | undefined;
  const githubAuthorizations: string[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01'] });
    dir = await tempDir('essg-secrets-');
    // The fleet repo behind basic auth, on real git http-backend.
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(dir, 'fleet.git')]);
    gitServer = createGitServer({ root: dir, auth: { username: SECRETS.gitUser, password: SECRETS.gitPassword } });
    repoUrl = `${await listen(gitServer)}/fleet.git`;
    const auth = () => ({ username: SECRETS.gitUser, password: SECRETS.gitPassword });
    trusted = await commitAndPush({ url: repoUrl, files: fleet.files, message: 'the fleet', auth });
    // A change the gate must ask GitHub about.
    await commitAndPush({ url: repoUrl, files: flipFirewallLogging(fleet, 'acme-sh-01'), message: 'flip firewall logging', auth });
    // A GitHub that refuses every credential and, worse, echoes it back in its answers.
    github = createServer((req, res) => {
      const authorization = req.headers.authorization ?? '';
      githubAuthorizations.push(authorization);
      const installationToken = /^\/app\/installations\/\d+\/access_tokens$/.test(req.url ?? '');
      res.writeHead(installationToken ? 500 : 401, { 'content-type': 'application/json; charset=utf-8', 'x-echo-authorization': authorization });
      // As is, and in the forms no token pattern knows: only the reconciler's own list of its secrets can catch those.
      const credential = authorization.split(' ')[1] ?? '';
      const echoed = `${authorization} (${Buffer.from(credential).toString('base64')}, ${encodeURIComponent(credential)})`;
      res.end(JSON.stringify({ message: `Bad credentials: ${echoed}`, documentation_url: 'https://docs.github.com/rest', request: { headers: req.headers } }));
    });
    githubUrl = await listen(github);
    await writeFile(path.join(dir, 'app-key.pem'), SECRETS.appKey, { mode: 0o600 });
  });

  afterAll(async () => {
    await reconciler?.stop();
    await new Promise((resolve) => github?.close(resolve));
    await new Promise((resolve) => gitServer?.close(resolve));
    await removeTestFleet(fleet, k);
  });

  const args = async () => [
    '--repo', repoUrl, '--branch', 'main', '--approvals', 'github', '--github-repo', 'soc/fleet', '--github-url', githubUrl, '--github-retries', '0',
    '--trusted-revision', trusted, '--kubeconfig', (await testbed()).kubeconfig, '--cache-dir', path.join(dir, `cache-${seen.length}`),
  ];
  const gitEnv = {
    ESSG_GIT_USERNAME: SECRETS.gitUser, ESSG_GIT_PASSWORD: SECRETS.gitPassword, ESSG_WEBHOOK_SECRET: SECRETS.webhookSecret,
    ESSG_STATUS_TOKEN: SECRETS.statusToken, ESSG_OAUTH_CLIENT_SECRET: SECRETS.oauthClientSecret, ESSG_SESSION_SECRET: SECRETS.sessionSecret,
  };

  it('a running reconciler with a token: applies with the Git credentials, holds the change GitHub refused, takes a signed webhook', async () => {
    reconciler = startReconciler([...(await args()), '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0', '--oauth-client-id', 'Iv1.essg', '--public-url', 'http://127.0.0.1:9'], { ...gitEnv, GITHUB_TOKEN: SECRETS.githubToken });
    const base = await reconciler.url();
    const gateway = fleet.gateway('acme-sh-01');
    const held = await waitFor('the change held on the GitHub failure', async () => {
      const status = (await (await fetchAsOperator(`${base}/status/gateways/${gateway}`)).json()) as { appliedRevision?: string; approval?: { result?: string } };
      return status.appliedRevision === trusted && status.approval?.result === 'hold' ? status : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    expect(held.appliedRevision).toBe(trusted);
    expect(githubAuthorizations).toContain(`token ${SECRETS.githubToken}`);

    const body = JSON.stringify({ ref: 'refs/heads/main', before: trusted, after: '1'.repeat(40) });
    const signature = `sha256=${createHmac('sha256', SECRETS.webhookSecret).update(body).digest('hex')}`;
    const delivery = await fetch(`${base}/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature } });
    expect(delivery.status).toBeLessThan(300);

    // A GitHub sign-in whose code exchange (the OAuth client secret in its body) GitHub refuses, echoing it.
    const start = await fetch(`${base}/auth/github`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const callback = await fetch(`${base}/auth/callback?code=bogus&state=${state}`, { headers: { cookie: start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') }, redirect: 'manual' });
    expect(callback.status).toBe(503);
    seen.push(`${start.headers.get('set-cookie')}\n${await callback.text()}`);
    for (const p of ['/status', `/status/gateways/${gateway}`, '/metrics']) seen.push(`${p}\n${await (await fetchAsOperator(`${base}${p}`)).text()}`);
    await reconciler.stop();
    seen.push(reconciler.stdout(), reconciler.stderr());
  }, 150_000);

  it('--once with a GitHub App key: the installation token request fails, and the report says GitHub failed', async () => {
    const result = await runEssg(['reconcile', ...(await args()), '--once', '--listen', '127.0.0.1:0'], {
      env: { ...gitEnv, GITHUB_APP_ID: '4242', GITHUB_APP_INSTALLATION_ID: '7', GITHUB_APP_PRIVATE_KEY_FILE: path.join(dir, 'app-key.pem') },
    });
    expect(githubAuthorizations.some((a) => a.startsWith('bearer ') || a.startsWith('Bearer '))).toBe(true);
    expect(result.stdout).toContain('"result"');
    seen.push(result.stdout, result.stderr);
  }, 120_000);

  it('no log line, report, status, metric, Event or ConfigMap holds any of them', async () => {
    const events = await k.core.listEventForAllNamespaces();
    const configMaps = await k.core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE });
    const customer = await k.core.listNamespacedConfigMap({ namespace: fleet.namespace('acme') });
    const everything = [...seen, JSON.stringify(events.items), JSON.stringify(configMaps.items), JSON.stringify(customer.items)].join('\n');
    // The failures are there, named: only the secrets are not.
    expect(everything).toContain('ApprovalCheckHeld');
    expect(everything).toContain('GitHub is unavailable');
    const jwts = githubAuthorizations.filter((a) => /^bearer /i.test(a)).map((a) => a.slice('bearer '.length));
    expect(jwts.length).toBeGreaterThan(0);
    expect(leaksIn(everything, forms(jwts))).toEqual([]);
  });
});
