// The reconciler hands octokit `lineLogger(log)`. Octokit logs every failed request through
// `debug`, an ordinary 404 ("not a member of this team") included: the logger must take it
// and the answer must stay an answer, never turn into "GitHub unavailable".
import { describe, expect, it } from 'vitest';
import { createGitHubClient, lineLogger, TeamMembershipCache } from '../../../src/gate/index.ts';
import { TOKEN, useGitHubFake } from './github-fixture.ts';

describe('lineLogger', () => {
  const f = useGitHubFake();

  it('keeps a 404 for a team the reviewer is not in an answer (not a member), and logs nothing at the default level', async () => {
    f.fake.state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'acme-analyst' });
    const lines: string[] = [];
    const { octokit } = createGitHubClient({ baseUrl: f.fake.baseUrl, auth: { token: TOKEN }, logger: lineLogger((l) => lines.push(l)), retryUnitMs: 1 });
    const cache = new TeamMembershipCache();
    expect(await cache.isActiveMember({ octokit, team: 'other-org/auditors', login: 'acme-analyst' })).toBe(false);
    expect(await cache.isActiveMember({ octokit, team: 'acme-bank/secops', login: 'acme-analyst' })).toBe(true);
    expect(f.fake.requestsTo('/teams/').map((r) => r.status)).toEqual([404, 200]);
    expect(lines).toEqual([]);
  });

  it('writes debug lines only when asked, warnings always, and never the token', async () => {
    const lines: string[] = [];
    const logger = lineLogger((l) => lines.push(l), { debug: true });
    const { octokit } = createGitHubClient({ baseUrl: f.fake.baseUrl, auth: { token: TOKEN }, logger, retryUnitMs: 1 });
    await new TeamMembershipCache().isActiveMember({ octokit, team: 'other-org/auditors', login: 'someone' });
    octokit.log.warn(`rate limited, token ${TOKEN}`);
    expect(lines.some((l) => l.startsWith('github debug:') && l.includes('404'))).toBe(true);
    expect(lines.some((l) => l.startsWith('github warn:'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
