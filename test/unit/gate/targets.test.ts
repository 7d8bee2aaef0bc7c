// The gate's history walk: which revision each gateway should be on after a pass, from its
// applied revision along the branch to the head, against a local repo of the template and
// the GitHub fake. Approvals off, every gateway follows a valid head; a head that was not
// fetched, or is invalid, moves none; with approvals on, a gateway takes the newest commit
// its customer approved and stops before the first it may not take, and a gateway whose
// applied revision left the branch is refused as rewritten history.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseTargets, PassFacts, type TargetsArgs } from '../../../src/gate/index.ts';
import { FleetRevisions, inThreadLoader, type FleetLoader } from '../../../src/load/index.ts';
import { openLocalRepo } from '../../../src/source/index.ts';
import { templateRepo, type TemplateRepo } from '../../support/template-repo.ts';
import { OWNER, REPO, useGitHubFake } from './github-fixture.ts';

const NOW = '2026-06-01T00:00:00Z';
const GATEWAYS = ['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02'];
let repo: TemplateRepo;
let dir: string;
const git = (...args: string[]): string => repo.git(...args);
const commits = { trusted: '', firewall: '', broken: '' };

/** acme-sh-01's firewall logging flipped: a change for acme's approvers alone. */
function flipFirewall(): void {
  const file = path.join(dir, 'gateways/acme/acme-sh-01.yaml');
  const content = readFileSync(file, 'utf8');
  const next = content.replace(/config: \{ defaultPolicy: (accept|drop)(?:, logDropped: (true|false))? \}/, (_m, policy: string, logged?: string) => `config: { defaultPolicy: ${policy}, logDropped: ${logged !== 'true'} }`);
  if (next === content) throw new Error('no firewall line in acme-sh-01.yaml');
  writeFileSync(file, next);
}

beforeAll(() => {
  repo = templateRepo('essg-targets-');
  dir = repo.dir;
  commits.trusted = repo.first;
  flipFirewall();
  git('commit', '-q', '-am', 'acme-sh-01: firewall logging');
  commits.firewall = git('rev-parse', 'HEAD');
  writeFileSync(path.join(dir, 'fleet.yaml'), 'apiVersion: essg.io/v1\nkind: Fleet\n');
  git('commit', '-q', '-am', 'a broken fleet.yaml');
  commits.broken = git('rev-parse', 'HEAD');
});
afterAll(() => repo.remove());

describe('the gate\'s history walk', () => {
  const t = useGitHubFake();

  async function targets(over: Partial<TargetsArgs> & { headCommit: string }) {
    const store = openLocalRepo({ dir });
    const revisions = new FleetRevisions(inThreadLoader(store));
    revisions.startPass();
    const head = await revisions.at(over.headCommit, NOW);
    const list = await chooseTargets({ head, inventories: new Map(), headIsFresh: true, revisions, store, now: NOW, onRevision: new Map(), ...over });
    return new Map(list.map((target) => [target.gateway, target]));
  }
  const onTrusted = () => new Map(GATEWAYS.map((g) => [g, commits.trusted]));
  const facts = () => new PassFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO });

  it('with approvals off, every gateway of a valid head follows it, and asks no one', async () => {
    const all = await targets({ headCommit: commits.firewall, onRevision: onTrusted() });
    expect([...all.keys()]).toEqual(GATEWAYS);
    for (const target of all.values()) expect(target).toMatchObject({ revision: commits.firewall, decisions: [] });
    expect(all.get('acme-sh-01')?.customer).toBe('acme');
    expect(all.get('globex-fra-02')?.customer).toBe('globex');
  });

  it('with a head that could not be fetched, or that does not load, every gateway stays where it is', async () => {
    const stale = await targets({ headCommit: commits.firewall, headIsFresh: false, onRevision: onTrusted() });
    for (const target of stale.values()) expect(target.revision).toBe(commits.trusted);
    // An invalid head declares no gateways: those the cluster holds are the ones that stay.
    const inventories = new Map(GATEWAYS.map((g) => [g, { gateway: g, revision: commits.trusted, renderHash: 'h', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: `essg-${g.split('-')[0]}`, name: `${g}-ids`, hash: 'x' }] }]));
    const invalid = await targets({ headCommit: commits.broken, onRevision: onTrusted(), inventories });
    expect(invalid.size).toBe(GATEWAYS.length);
    for (const target of invalid.values()) expect(target).toMatchObject({ revision: commits.trusted, pending: commits.broken });
    // Whose gateway it is comes from the revision it is on, not from its namespace's name.
    expect(invalid.get('acme-sh-01')?.customer).toBe('acme');
    expect(invalid.get('globex-ams-01')?.customer).toBe('globex');
  });

  it('with approvals on, an unreviewed change is held where it was, with the head pending; gateways it does not change move on', async () => {
    const all = await targets({ headCommit: commits.firewall, onRevision: onTrusted(), facts: facts() });
    const held = all.get('acme-sh-01')!;
    expect(held).toMatchObject({ revision: commits.trusted, pending: commits.firewall });
    expect(held.blockedBy).toMatchObject({ result: 'refused', reason: 'direct-push' });
    // The commit changes no other gateway's render: they take it without a review.
    for (const gateway of GATEWAYS.filter((g) => g !== 'acme-sh-01')) expect(all.get(gateway)?.revision).toBe(commits.firewall);
  });

  it('with approvals on, a change merged with its customer\'s approval is taken, and the decision says who counted', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-analyst' });
    t.fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'APPROVED' });
    t.fake.state.mergePullRequest({ pr: number, mergeCommitSha: commits.firewall });
    const all = await targets({ headCommit: commits.firewall, onRevision: onTrusted(), facts: facts() });
    const moved = all.get('acme-sh-01')!;
    expect(moved.revision).toBe(commits.firewall);
    expect(moved.pending).toBeUndefined();
    expect(moved.blockedBy).toBeUndefined();
    expect(moved.decisions.map((d) => [d.result, d.counted.map((c) => c.login)])).toEqual([['approved', ['acme-secops-lead']]]);
  });

  it('with approvals on, a gateway with no applied revision starts from the trusted one; one already at the head asks nothing', async () => {
    const fromTrusted = await targets({ headCommit: commits.trusted, trustedRevision: commits.trusted, facts: facts() });
    for (const target of fromTrusted.values()) expect(target).toMatchObject({ revision: commits.trusted, decisions: [] });
  });

  it('with approvals on, a gateway whose applied revision is not in the branch is refused as rewritten history, the others unaffected', async () => {
    const elsewhere = 'f'.repeat(40);
    const onRevision = new Map([...onTrusted(), ['acme-sh-02', elsewhere]]);
    const all = await targets({ headCommit: commits.firewall, onRevision, facts: facts() });
    const refused = all.get('acme-sh-02')!;
    // Left as it is (no revision to apply) until an operator says which history is right.
    expect(refused.revision).toBeUndefined();
    expect(refused.pending).toBe(commits.firewall);
    expect(refused.blockedBy).toMatchObject({ result: 'refused', reason: 'history-rewritten' });
    expect(all.get('globex-ams-01')?.revision).toBe(commits.firewall);
  });

  it('with approvals on, a long history is read once: each commit loaded and asked about once per pass, however many gateways walk it, and not loaded again by the next pass', async () => {
    // Twelve commits after the trusted one, each moving one gateway to another node name,
    // each merged with its customer's approval: every gateway walks all twelve.
    git('checkout', '-q', '-b', 'long-history', commits.trusted);
    const approvers: Record<string, string[]> = { acme: ['acme-secops-lead'], globex: ['globex-ciso', 'globex-it-security'] };
    const history: string[] = [];
    for (let i = 0; i < 12; i++) {
      const gateway = GATEWAYS[i % GATEWAYS.length]!;
      const file = path.join(dir, 'gateways', gateway.split('-')[0]!, `${gateway}.yaml`);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}node: .*$/m, `  node: ${gateway}-r${i}`));
      git('commit', '-q', '-am', `${gateway} on node ${gateway}-r${i}`);
      const sha = git('rev-parse', 'HEAD');
      const { number } = t.fake.state.createPullRequest({ author: 'soc-analyst' });
      for (const user of approvers[gateway.split('-')[0]!]!) t.fake.state.submitReview({ pr: number, user, state: 'APPROVED' });
      t.fake.state.mergePullRequest({ pr: number, mergeCommitSha: sha });
      history.push(sha);
    }
    git('checkout', '-q', 'main');
    const store = openLocalRepo({ dir });
    const inner = inThreadLoader(store);
    const loaded: string[] = [];
    const counting: FleetLoader = { load: (args) => (loaded.push(args.commit), inner.load(args)), close: () => inner.close() };
    const revisions = new FleetRevisions(counting);
    const passFacts = facts();
    for (let pass = 0; pass < 2; pass++) {
      loaded.length = 0;
      revisions.startPass();
      const head = await revisions.at(history.at(-1)!, NOW);
      const all = await chooseTargets({ head, inventories: new Map(), headIsFresh: true, revisions, store, now: NOW, onRevision: onTrusted(), facts: pass === 0 ? passFacts : facts() });
      for (const target of all) expect(target).toMatchObject({ revision: history.at(-1), decisions: [{ result: 'approved' }, { result: 'approved' }] });
      // 6 gateways × 12 commits walked; the trusted revision and the 12 commits loaded once each,
      // by the first pass: the second takes them from the first, as nothing in them expired since.
      expect(loaded.sort()).toEqual(pass === 0 ? [commits.trusted, ...history].sort() : []);
      expect(revisions.commitsLoaded).toBe(pass === 0 ? 13 : 0);
    }
    expect(passFacts.lookups).toBe(12);
  });
});
