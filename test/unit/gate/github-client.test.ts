import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { createGitHubClient, lineLogger } from '../../../src/gate/github-client.ts';
import { fetchApprovalFacts } from '../../../src/gate/pull-request-facts.ts';
import { newSha, startGitHubFake } from '../../github-fake/index.ts';
import { OWNER, REPO, TOKEN, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();

function everythingLogged(): string {
  return JSON.stringify(t.logs);
}

describe('GitHub client: authentication, bounded retries, no leaked credentials', () => {
  it('never puts the token in an error text or a log line, even when GitHub echoes it', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'server-error', status: 500, times: Infinity, message: `upstream rejected authorization: token ${TOKEN} (${TOKEN})` });

    const error = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: newSha() }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    const unavailable = error as GitHubUnavailable;
    expect(unavailable.message).toContain('upstream rejected');
    for (const text of [unavailable.message, JSON.stringify(unavailable), String(unavailable.stack), everythingLogged()]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(t.logs.length).toBeGreaterThan(0);
  });

  it('keeps the token out of rate-limit warnings', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'secondary-rate-limit', retryAfterSeconds: 1, times: 1 });

    await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: newSha() });

    expect(t.logs.some((l) => l.level === 'warn' && /secondary rate limit/.test(l.message))).toBe(true);
    expect(everythingLogged()).not.toContain(TOKEN);
  });

  it('bad credentials are GitHub unavailable (unauthorized), not a decision', async () => {
    const client = t.client({ auth: { token: 'ghp_notTheRightTokenAtAll0000000000' } });

    const error = await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: newSha() }).catch((e: unknown) => e);

    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'unauthorized', status: 401 });
    expect((error as GitHubUnavailable).message).not.toContain('ghp_notTheRightTokenAtAll');
  });

  it('as a GitHub App, fetches an installation token with a signed JWT and uses it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    t.fake.state.registerApp({
      appId: '4242',
      installationId: 77,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const merge = t.fake.state.mergePullRequest({ pr: number });
    const client = t.client({ auth: { appId: 4242, privateKey: pem, installationId: 77 } });

    const facts = await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: merge });

    expect(facts.kind).toBe('pull-request');
    expect(t.fake.requests.map((r) => [r.method, r.path.replace(/[0-9a-f]{40}/, 'SHA'), r.auth, r.status])).toEqual([
      ['POST', '/app/installations/77/access_tokens', 'jwt', 201],
      ['GET', `/repos/${OWNER}/${REPO}/commits/SHA/pulls`, 'token', 200],
      ['GET', `/repos/${OWNER}/${REPO}/pulls/${number}`, 'token', 200],
      ['GET', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, 'token', 200],
    ]);
    expect(client.redact(`key ${pem}`)).not.toContain('PRIVATE KEY');
  });

  it('as a GitHub App, a JWT signed with the wrong key gets no installation token', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    t.fake.state.registerApp({ appId: '4242', installationId: 77, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const client = t.client({ auth: { appId: 4242, privateKey: otherKey.export({ type: 'pkcs8', format: 'pem' }).toString(), installationId: 77 } });

    const error = await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: newSha() }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).data.status).toBe(401);
    expect(t.fake.requestsTo('/commits/')).toEqual([]);
  });
});

describe('GitHub client: rate limits, logging and addressing', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('waits for a rate limit that resets exactly at the longest wait allowed, and says so', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'secondary-rate-limit', retryAfterSeconds: 1, times: 1 });
    const commitSha = newSha();

    const facts = await fetchApprovalFacts({ octokit: t.client({ maxRateLimitWaitSeconds: 1 }).octokit, owner: OWNER, repo: REPO, commitSha });

    expect(facts.kind).toBe('direct-push');
    expect(t.fake.requestsTo('/pulls').map((r) => r.status)).toEqual([403, 200]);
    expect(t.logs.filter((l) => l.level === 'warn')).toEqual([{
      level: 'warn',
      message: `GitHub secondary rate limit for GET /repos/${OWNER}/${REPO}/commits/${commitSha}/pulls`,
      data: { retryAfterSeconds: 1, retryCount: 0, retrying: true },
    }]);
  });

  it('does not wait for a rate limit that resets later than the longest wait allowed', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'secondary-rate-limit', retryAfterSeconds: 2, times: 1 });

    const error = await fetchApprovalFacts({ octokit: t.client({ maxRateLimitWaitSeconds: 1 }).octokit, owner: OWNER, repo: REPO, commitSha: newSha() }).catch((e: unknown) => e);

    expect((error as GitHubUnavailable).data.failure).toBe('rate-limited');
    expect(t.fake.requestsTo('/pulls').length).toBe(1);
    expect(t.logs.find((l) => l.level === 'warn')?.data).toEqual({ retryAfterSeconds: 2, retryCount: 0, retrying: false });
  });

  it('names a primary rate limit as such', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'primary-rate-limit', resetInSeconds: 1, times: 1 });

    await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: newSha() });

    expect(t.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([expect.stringMatching(/^GitHub primary rate limit for GET \/repos\/soc\/fleet\/commits\/[0-9a-f]{40}\/pulls$/)]);
  });

  it('logs every failed request at debug level with what failed', async () => {
    await t.client().octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 999 }).catch(() => undefined);

    expect(t.logs.filter((l) => l.level === 'debug')).toEqual([{
      level: 'debug',
      message: expect.stringMatching(/^GitHub is unavailable \(not-found, HTTP 404\) for GET \/repos\/soc\/fleet\/pulls\/999: /),
      data: { component: 'github', failure: 'not-found', status: 404, method: 'GET', path: '/repos/soc/fleet/pulls/999' },
    }]);
  });

  it('routes octokit\'s log lines to the same level, redacted, whatever octokit passes', () => {
    const { octokit } = t.client();

    octokit.log.debug(`debug ${TOKEN}`);
    octokit.log.info(`info ${TOKEN}`, { header: `token ${TOKEN}` });
    octokit.log.warn(new Error(`warn ${TOKEN}`) as unknown as string);
    octokit.log.error(`error`, new Error(`failed with ${TOKEN}`) as unknown as Record<string, unknown>);

    expect(t.logs).toEqual([
      { level: 'debug', message: 'debug [REDACTED]', data: undefined },
      { level: 'info', message: 'info [REDACTED]', data: { header: 'token [REDACTED]' } },
      { level: 'warn', message: 'Error: warn [REDACTED]', data: undefined },
      { level: 'error', message: 'error', data: { error: 'failed with [REDACTED]' } },
    ]);
  });

  it('redacts its configured token before it ever sent it, even one no pattern knows', () => {
    const client = t.client({ auth: { token: 'tok_enterprise_1234' } });
    expect(client.redact('rejected tok_enterprise_1234')).toBe('rejected [REDACTED]');
  });

  it("redacts a GitHub App's private key in any form", () => {
    const client = createGitHubClient({ baseUrl: t.fake.baseUrl, auth: { appId: 1, privateKey: 'key-material-not-in-pem-form', installationId: 2 }, logger: lineLogger(() => undefined) });
    expect(client.redact('bad key-material-not-in-pem-form')).toBe('bad [REDACTED]');
  });

  it("learns the credentials it sends, such as a GitHub App's installation token in the older v1. form no pattern knows", async () => {
    const { generateKeyPairSync: keys } = await import('node:crypto');
    const { privateKey, publicKey } = keys('rsa', { modulusLength: 2048 });
    t.fake.state.registerApp({ appId: '4242', installationId: 77, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const v1 = `v1.${'0123456789abcdef'.repeat(2)}01234567`;
    t.fake.state.addToken({ token: v1, login: 'essg-fleet[bot]' });
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const response = await realFetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/access_tokens')) return response;
      const body = { ...(await response.json() as object), token: v1 };
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    });
    try {
      const client = t.client({ auth: { appId: 4242, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), installationId: 77 } });
      expect(client.redact(`echo ${v1}`)).toBe(`echo ${v1}`);

      await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: newSha() });

      expect(t.fake.requestsTo('/commits/').map((r) => [r.auth, r.status])).toEqual([['token', 200]]);
      expect(client.redact(`echo ${v1}`)).toBe('echo [REDACTED]');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('talks to api.github.com unless told otherwise', () => {
    expect(createGitHubClient({ auth: { token: TOKEN } }).octokit.request.endpoint.DEFAULTS.baseUrl).toBe('https://api.github.com');
  });

  it.each(['/', '//'])('accepts a GitHub Enterprise base URL with a trailing %s', async (slashes) => {
    const ghe = await startGitHubFake({ owner: OWNER, repo: REPO, pathPrefix: '/api/v3', tokens: { [TOKEN]: 'essg-bot' } });
    try {
      const client = t.client({ baseUrl: `${ghe.baseUrl}${slashes}` });
      const facts = await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: newSha() });
      expect(facts.kind).toBe('direct-push');
      expect(ghe.requests.map((r) => [r.path.replace(/[0-9a-f]{40}/, 'SHA'), r.status])).toEqual([[`/repos/${OWNER}/${REPO}/commits/SHA/pulls`, 200]]);
    } finally {
      await ghe.stop();
    }
  });

  it("honours the caller's abort signal as well as its own deadline", async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const { octokit } = t.client({ maxRetries: 0 });

    const error = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: number, request: { signal: AbortSignal.abort() } }).catch((e: unknown) => e);

    expect((error as GitHubUnavailable).data.failure).toBe('timeout');
    expect(t.fake.requestsTo(`/pulls/${number}`)).toEqual([]);
  });

  it('without a logger, warns and reports errors on the console, redacted, and keeps debug lines to itself', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { octokit } = createGitHubClient({ baseUrl: t.fake.baseUrl, auth: { token: TOKEN }, retryUnitMs: 1 });
    t.fake.injectFault({ path: '/pulls', kind: 'secondary-rate-limit', retryAfterSeconds: 1, times: 1 });

    await fetchApprovalFacts({ octokit, owner: OWNER, repo: REPO, commitSha: newSha() });
    await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 999 }).catch(() => undefined);
    octokit.log.info('nothing to see');
    octokit.log.warn('plain warning');
    octokit.log.error(`failed ${TOKEN}`);

    expect(warn.mock.calls).toEqual([[expect.stringMatching(/^GitHub secondary rate limit for GET /), { retryAfterSeconds: 1, retryCount: 0, retrying: true }], ['plain warning', '']]);
    expect(error.mock.calls).toEqual([['failed [REDACTED]', '']]);
  });
});

describe('lineLogger: GitHub log lines onto the reconciler log', () => {
  it('prefixes each line with its level and appends data as JSON when there is any', () => {
    const lines: string[] = [];
    const logger = lineLogger((line) => lines.push(line));

    logger.info('hello', { a: 1 });
    logger.warn('careful', {});
    logger.error('failed');
    logger.debug('dropped', { b: 2 });

    expect(lines).toEqual(['github info: hello {"a":1}', 'github warn: careful', 'github error: failed']);
  });

  it('keeps debug lines when asked', () => {
    const lines: string[] = [];
    lineLogger((line) => lines.push(line), { debug: true }).debug('details', { status: 404 });
    expect(lines).toEqual(['github debug: details {"status":404}']);
  });
});
