// Secrets never leave the reconciler: `essg reconcile` as an operator runs it, with a GitHub
// token, Git credentials and a webhook secret set, sends its Git credentials to a server that
// refuses them and is sent webhook deliveries with bad signatures; then no log line, no
// /status, /status/gateways or /metrics answer and no --once report holds any secret, in
// any form it travels in (as is, URL-encoded, base64, basic auth's base64 of user:password).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEssg } from '../../support/cli.ts';
import { leaksIn as leaksInForms, secretForms } from '../../support/secret-forms.ts';
import { startReconciler, type ReconcilerProcess } from '../../integration/helpers/process.ts';
import { waitFor } from '../../integration/helpers/kube.ts';
import { fetchAsOperator } from '../../support/status-auth.ts';

const SECRETS = {
  githubToken: 'ghp_Zq8Lw3Nv5Rt7Yx9Ab1Cd3Ef5Gh7Ij9Kl1Mn3',
  gitUser: 'fleet-bot',
  gitPassword: 'p@ss/w\u00f6rd+Q7 z9&k=1',
  webhookSecret: 'whsec-4f9a2c7e1b8d3f6a',
} as const;

const forms = (): Record<string, string> => secretForms(SECRETS);
const leaksIn = (text: string): string[] => leaksInForms(text, forms());

let dir: string;
let git: Server;
let gitUrl: string;
const authorizations: string[] = [];
let kubeconfig: string;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'essg-secrets-'));
  // A Git server that refuses every credential, as one whose password was rotated would.
  git = createServer((req: IncomingMessage, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    res.writeHead(401, { 'www-authenticate': 'Basic realm="fleet"', 'content-type': 'text/plain' });
    res.end(`bad credentials for ${req.headers.authorization ?? 'nobody'}\n`);
  });
  gitUrl = `${await listen(git)}/fleet.git`;
  // The cluster is never reached: the pass ends at the refused fetch.
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:9" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n');
});
afterAll(async () => {
  await new Promise((resolve) => git.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const env = {
  GITHUB_TOKEN: SECRETS.githubToken,
  ESSG_GIT_USERNAME: SECRETS.gitUser,
  ESSG_GIT_PASSWORD: SECRETS.gitPassword,
  ESSG_WEBHOOK_SECRET: SECRETS.webhookSecret,
};
const args = () => [
  '--repo', gitUrl, '--branch', 'main', '--approvals', 'github', '--github-repo', 'soc/fleet', '--github-url', 'http://127.0.0.1:9',
  '--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'),
];

describe('secrets of a failing reconciler', () => {
  let reconciler: ReconcilerProcess | undefined;
  afterAll(async () => reconciler?.stop());

  it('a running reconciler whose Git credentials are refused and whose webhook gets bad signatures shows no secret in its log, /status, /status/gateways or /metrics', async () => {
    reconciler = startReconciler([...args(), '--interval', '*/1 * * * * *', '--listen', '127.0.0.1:0'], env);
    const base = await reconciler.url();
    // The credentials were really sent (and refused), in more than one pass.
    await waitFor('the Git credentials sent twice', async () => authorizations.length >= 2, { timeoutMs: 60_000 });
    expect(authorizations[0]).toBe(`Basic ${forms()['basic auth']}`);
    const status = await waitFor('a failed pass in status', async () => {
      const snapshot = (await (await fetchAsOperator(`${base}/status`)).json()) as { fleet: { lastPass?: { result?: string }; source: { ok: boolean; error?: string } } };
      return snapshot.fleet.lastPass?.result === 'failed' ? snapshot : undefined;
    }, { timeoutMs: 60_000 });
    // The failure is named, with the repo, without its credentials.
    expect(status.fleet.source.ok).toBe(false);
    expect(status.fleet.source.error).toContain(gitUrl);

    // Bad webhook deliveries: another secret's signature, the secret itself as the signature, none.
    const body = JSON.stringify({ ref: 'refs/heads/main', after: '0'.repeat(40), secret: 'not-the-secret' });
    const signed = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    for (const signature of [signed('another-secret'), SECRETS.webhookSecret, `sha256=${SECRETS.webhookSecret}`, undefined]) {
      const response = await fetch(`${base}/webhook`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      });
      expect(response.status).toBe(401);
      expect(leaksIn(await response.text())).toEqual([]);
    }

    const answers = await Promise.all(['/status', '/status/gateways/acme-sh-01', '/metrics', '/healthz', '/readyz'].map(async (p) => `${p}\n${await (await fetchAsOperator(`${base}${p}`)).text()}`));
    await reconciler.stop();
    const everything = [reconciler.stderr(), reconciler.stdout(), ...answers].join('\n');
    expect(everything).toContain('needs credentials that were not accepted');
    expect(leaksIn(everything)).toEqual([]);
  });

  it('--once: the report and the log of a pass whose Git credentials are refused hold no secret', async () => {
    const before = authorizations.length;
    const result = await runEssg(['reconcile', ...args(), '--once', '--listen', '127.0.0.1:0'], { env });
    expect(authorizations.length).toBeGreaterThan(before);
    expect(result.code).not.toBe(0);
    const report = JSON.parse(result.stdout) as { result: string; error?: string };
    expect(report.result).toBe('failed');
    expect(report.error).toContain(gitUrl);
    expect(leaksIn(`${result.stdout}\n${result.stderr}`)).toEqual([]);
  });

  it('credentials in the repo URL itself appear nowhere either', async () => {
    const url = new URL(gitUrl);
    url.username = SECRETS.gitUser;
    url.password = encodeURIComponent(SECRETS.gitPassword);
    const withCredentials = args().map((a) => (a === gitUrl ? url.toString() : a));
    const result = await runEssg(['reconcile', ...withCredentials, '--once', '--listen', '127.0.0.1:0'], { env: { GITHUB_TOKEN: SECRETS.githubToken, ESSG_WEBHOOK_SECRET: SECRETS.webhookSecret } });
    expect(result.code).not.toBe(0);
    expect(leaksIn(`${result.stdout}\n${result.stderr}`)).toEqual([]);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(`${SECRETS.gitUser}:`);
  });
});
