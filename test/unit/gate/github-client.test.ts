import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { fetchApprovalFacts } from '../../../src/gate/pull-request-facts.ts';
import { newSha } from '../../github-fake/index.ts';
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
