// `essg plan` as CI runs it: two revisions of a real Git work tree, read without checkout.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../../github-fake/index.ts';
import { runEssg } from '../../support/cli.ts';
import { TEMPLATE_DIR } from '../../support/template-fleet.ts';
import { PLAN_COMMENT_MARKER } from '../../../src/report/index.ts';

const HEAD_TIME = '2026-06-01T12:00:00Z';
let dir: string;

function git(args: readonly string[], date = HEAD_TIME): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=SOC operator', '-c', 'user.email=ops@example.com', ...args], {
    encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  }).trim();
}

function change(file: string, from: string, to: string): void {
  const full = path.join(dir, file);
  const text = readFileSync(full, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(full, text.replace(from, to));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'essg-plan-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['add', '.']);
  git(['commit', '-q', '-m', 'fleet'], '2026-05-01T00:00:00Z');
  // main~0 on branch "upgrade": acme-sh-02 moves to ids 1.1.0.
  git(['checkout', '-q', '-b', 'upgrade']);
  change('gateways/acme/acme-sh-02.yaml', 'version: 1.0.0', 'version: 1.1.0');
  git(['commit', '-q', '-am', 'Upgrade ids on acme-sh-02']);
  git(['checkout', '-q', '-b', 'edit-catalog', 'main']);
  change('catalog/ids/1.1.0.yaml', 'requests: { cpu: 250m, memory: 256Mi }', 'requests: { cpu: 300m, memory: 256Mi }');
  git(['commit', '-q', '-am', 'Edit a published version']);
  git(['checkout', '-q', 'main']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('essg plan', () => {
  it('prints the gateways a branch changes, reading the commits from .git', async () => {
    const result = await runEssg(['plan', dir, '--base', 'main', '--head', 'upgrade']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 gateway of 1 customer change');
    expect(result.stdout).toContain('acme-sh-02: ids 1.0.0 -> 1.1.0');
    expect(result.stdout).toContain('acme: needs 1 approval from acme-secops-lead, acme-bank/secops');
  });

  it('judges expiry as of the head commit time unless --now is given', async () => {
    const json = JSON.parse((await runEssg(['plan', dir, '--base', 'main', '--head', 'upgrade', '--format', 'json'])).stdout);
    expect(json).toMatchObject({ version: 'essg.io/plan/v1', ok: true, now: '2026-06-01T12:00:00.000Z', revisions: { head: git(['rev-parse', 'upgrade']) } });
    const later = JSON.parse((await runEssg(['plan', dir, '--base', 'main', '--head', 'upgrade', '--format', 'json', '--now', '2027-02-01T00:00:00Z'])).stdout);
    expect(later.now).toBe('2027-02-01T00:00:00Z');
  });

  it('exits 1 when a published catalog version was edited', async () => {
    const result = await runEssg(['plan', dir, '--base', 'main', '--head', 'edit-catalog']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/catalog\/ids\/1\.1\.0\.yaml:\d+:1: CATALOG_IMMUTABLE/);
  });

  it('exits 2 for a revision the repository does not have', async () => {
    const result = await runEssg(['plan', dir, '--base', 'no-such-branch', '--head', 'upgrade']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-branch');
  });

  it('refuses the markdown format with --cluster: the cluster plan is for people (text) or tools (json)', async () => {
    const result = await runEssg(['plan', dir, '--cluster', '--format', 'markdown']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--cluster');
  });
});

describe('essg plan --post', () => {
  let fake: GitHubFake;
  beforeAll(async () => {
    fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { ghp_plantesttoken0000000001: 'essg-ci' } });
  });
  afterAll(() => fake.stop());

  it('writes one plan comment, edited in place, and the essg/plan status on the given commit', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    const sha = 'a'.repeat(40);
    const args = ['plan', dir, '--base', 'main', '--head', 'upgrade', '--post', '--repo', 'soc/fleet', '--pr', String(number), '--sha', sha, '--github-url', fake.baseUrl];
    const env = { GITHUB_TOKEN: 'ghp_plantesttoken0000000001' };
    expect((await runEssg(args, { env })).code).toBe(0);
    expect((await runEssg(args, { env })).code).toBe(0);
    const comments = fake.state.comments.filter((c) => c.issue === number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(comments[0]?.body).toContain('| `acme-sh-02` | ids 1.0.0 → 1.1.0 |');
    expect(fake.state.statuses.filter((s) => s.sha === sha).map((s) => [s.context, s.state, s.description])).toEqual([
      ['essg/plan', 'success', '1 gateway of 1 customer change; approvals needed: acme, operators'],
      ['essg/plan', 'success', '1 gateway of 1 customer change; approvals needed: acme, operators'],
    ]);
  });

  it('sets a failing status naming the first problem when the plan fails', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    const sha = 'b'.repeat(40);
    const result = await runEssg(['plan', dir, '--base', 'main', '--head', 'edit-catalog', '--post', '--repo', 'soc/fleet', '--pr', String(number), '--sha', sha, '--github-url', fake.baseUrl], {
      env: { GITHUB_TOKEN: 'ghp_plantesttoken0000000001' },
    });
    expect(result.code).toBe(1);
    const [status] = fake.state.statuses.filter((s) => s.sha === sha);
    expect(status?.state).toBe('failure');
    expect(status?.description).toMatch(/^catalog\/ids\/1\.1\.0\.yaml:\d+:1: CATALOG_IMMUTABLE/);
  });

  it('refuses --post without a token', async () => {
    const result = await runEssg(['plan', dir, '--base', 'main', '--post', '--repo', 'soc/fleet', '--pr', '1'], { env: { GITHUB_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GITHUB_TOKEN');
  });
});

describe('essg plan --post and --reviews count the reviews already given', () => {
  const TOKEN = 'ghp_plantesttoken0000000002';
  let fake: GitHubFake;
  beforeAll(async () => {
    fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { [TOKEN]: 'essg-ci' } });
    fake.state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'acme-analyst' });
  });
  afterAll(() => fake.stop());

  /** The plan of branch "upgrade" (acme-sh-02 onto ids 1.1.0: acme and the operators approve) for pull request `pr`. */
  const plan = (pr: number, flags: readonly string[]) =>
    runEssg(['plan', dir, '--base', 'main', '--head', 'upgrade', ...flags, '--repo', 'soc/fleet', '--pr', String(pr), '--github-url', fake.baseUrl], { env: { GITHUB_TOKEN: TOKEN } });
  const commentOn = (pr: number) => fake.state.comments.find((c) => c.issue === pr)?.body ?? '';
  const statusesOf = (sha: string) => fake.state.statuses.filter((s) => s.sha === sha).map((s) => [s.state, s.description]);

  it('counts an approval a customer approver gave through a team and lists only the operators as missing', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    fake.state.submitReview({ pr: number, user: 'acme-analyst', state: 'APPROVED' });
    const sha = 'c'.repeat(40);

    const result = await plan(number, ['--post', '--sha', sha]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme: approved by acme-analyst via acme-bank/secops\n');
    expect(result.stdout).toContain('operators (catalog versions or fleet settings of a gateway change): needs 1 approval from soc-lead, example-soc/fleet-operators\n');
    expect(commentOn(number)).toContain('- **acme**: approved by `acme-analyst` via `acme-bank/secops`\n');
    expect(commentOn(number)).toContain('- **operators** (catalog versions or fleet settings of a gateway change): needs 1 approval from `soc-lead`, `example-soc/fleet-operators`\n');
    expect(statusesOf(sha)).toEqual([['success', '1 gateway of 1 customer change; approvals needed: operators']]);
  });

  it('--reviews reads the reviews without posting, and an approval given before the last push does not count', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'APPROVED' });
    fake.state.pushCommits({ pr: number });
    const before = fake.requests.length;

    const result = await plan(number, ['--reviews']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme: needs 1 approval from acme-secops-lead, acme-bank/secops\n');
    expect(result.stdout).toContain('not counted: acme-secops-lead (approved before the last push)\n');
    expect(fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(commentOn(number)).toBe('');
  });

  it('does not count the author’s own approval', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-lead' });
    fake.state.submitReview({ pr: number, user: 'soc-lead', state: 'APPROVED' });

    const result = await plan(number, ['--reviews']);

    expect(result.stdout).toContain('operators (catalog versions or fleet settings of a gateway change): needs 1 approval from soc-lead, example-soc/fleet-operators\n');
    expect(result.stdout).toContain("not counted: soc-lead (author's own approval)\n");
  });

  it('says a fully approved pull request is approved, in the comment and in the status', async () => {
    const { number, headSha } = fake.state.createPullRequest({ author: 'soc-operator' });
    fake.state.submitReview({ pr: number, user: 'acme-analyst', state: 'APPROVED' });
    fake.state.submitReview({ pr: number, user: 'soc-lead', state: 'APPROVED' });
    const sha = 'd'.repeat(40);

    const result = await plan(number, ['--post', '--sha', sha, '--format', 'markdown']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('- **operators** (catalog versions or fleet settings of a gateway change): approved by `soc-lead`\n');
    expect(commentOn(number)).toContain(`**Fully approved** on the pull request's head \`${headSha.slice(0, 7)}\`.`);
    expect(statusesOf(sha)).toEqual([['success', '1 gateway of 1 customer change; fully approved']]);
  });

  it('counts an approval past the first page of reviews', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    for (let i = 0; i < 120; i++) fake.state.submitReview({ pr: number, user: `watcher-${i}`, state: 'COMMENTED' });
    fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'APPROVED' });

    const result = await plan(number, ['--reviews']);

    expect(result.stdout).toContain('acme: approved by acme-secops-lead\n');
    expect(fake.requestsTo(`/pulls/${number}/reviews`)).toHaveLength(2);
  });

  it('still prints and posts the plan, every approval listed as needed, when GitHub fails to give the reviews; the token never shows', async () => {
    const { number } = fake.state.createPullRequest({ author: 'soc-operator' });
    fake.state.submitReview({ pr: number, user: 'acme-analyst', state: 'APPROVED' });
    fake.injectFault({ path: `/pulls/${number}/reviews`, kind: 'forbidden', message: `Resource not accessible by personal access token ${TOKEN}` });
    const sha = 'e'.repeat(40);

    const result = await plan(number, ['--post', '--sha', sha]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme: needs 1 approval from acme-secops-lead, acme-bank/secops\n');
    expect(result.stdout).toMatch(/\nreviews could not be read \(github\): GitHub is unavailable \(forbidden, HTTP 403\) for GET \/repos\/soc\/fleet\/pulls\/\d+\/reviews: .*; every approval is listed as needed\n/);
    expect(commentOn(number)).toContain('> Reviews could not be read (github): GitHub is unavailable (forbidden, HTTP 403)');
    expect(commentOn(number)).toContain('- **acme**: needs 1 approval from `acme-secops-lead`, `acme-bank/secops`\n');
    expect(statusesOf(sha)).toEqual([['success', '1 gateway of 1 customer change; approvals needed: acme, operators (reviews could not be read)']]);
    for (const text of [result.stdout, result.stderr, commentOn(number)]) expect(text).not.toContain(TOKEN);
  });

  it('refuses --reviews without the pull request', async () => {
    const result = await runEssg(['plan', dir, '--base', 'main', '--reviews', '--repo', 'soc/fleet'], { env: { GITHUB_TOKEN: TOKEN } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--reviews needs --pr NUMBER');
  });
});
