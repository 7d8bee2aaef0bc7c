import { beforeEach, describe, expect, it } from 'vitest';
import { edit, templateFiles } from '../../support/template-fleet.ts';
import type { ReviewFact } from '../../../src/gate/index.ts';
import { type ReviewFacts, formatChangePlanJson, formatChangePlanMarkdown, formatChangePlanText, fullyApproved, statusDescription } from '../../../src/change-plan/index.ts';
import { planFiles } from './plan-fixture.ts';

const SH01 = 'gateways/acme/acme-sh-01.yaml';
const SH02 = 'gateways/acme/acme-sh-02.yaml';
const FRA01 = 'gateways/globex/globex-fra-01.yaml';

let base: Record<string, string>;
let head: Record<string, string>;
beforeEach(() => {
  base = templateFiles();
  head = templateFiles();
});

const gatewaysOf = (plan: Awaited<ReturnType<typeof planFiles>>) => plan.customers.flatMap((c) => c.gateways);

describe('planChanges', () => {
  it('lists nothing when the head renders the same as the base', async () => {
    edit(head, SH01, 'labels: { site: shanghai, tier: canary }', 'labels: { site: shanghai, tier: canary }  # a comment');
    const plan = await planFiles(base, head);
    expect(plan.ok).toBe(true);
    expect(plan.customers).toEqual([]);
    expect(formatChangePlanText(plan)).toContain('no gateway changes');
  });

  it('reports an upgrade as from → to, with the new image to pull', async () => {
    edit(head, SH02, 'version: 1.0.0', 'version: 1.1.0');
    const plan = await planFiles(base, head);
    const [gateway] = gatewaysOf(plan);
    expect(gateway).toMatchObject({
      gateway: 'acme-sh-02', customer: 'acme', change: 'changed',
      services: { added: [], upgraded: [{ name: 'ids', from: '1.0.0', to: '1.1.0', downgrade: false }], removed: [], configChanged: [] },
      imagesToPull: ['registry.example.com/essg/ids@sha256:f2840d3bf3edd4c95369d5763753d0e7b3494298ace8f4125d8098764d374edf'],
    });
    expect(gateway?.objectsChanged).toBeGreaterThan(0);
  });

  it('reports a service added to a gateway', async () => {
    edit(head, SH02, '      config: { defaultPolicy: accept }', '      config: { defaultPolicy: accept }\n    - name: asset-discovery\n      version: 1.0.0\n      config: { subnets: [10.21.0.0/16] }');
    const [gateway] = gatewaysOf(await planFiles(base, head));
    expect(gateway?.services.added).toEqual([{ name: 'asset-discovery', version: '1.0.0' }]);
    expect(gateway?.imagesToPull).toHaveLength(1);
  });

  it('reports a service removed from a gateway, with nothing to pull', async () => {
    edit(head, SH01, '    - name: asset-discovery\n      version: 1.0.0\n      config: { subnets: [10.20.0.0/16] }\n', '');
    const [gateway] = gatewaysOf(await planFiles(base, head));
    expect(gateway?.services.removed).toEqual([{ name: 'asset-discovery', version: '1.0.0' }]);
    expect(gateway?.imagesToPull).toEqual([]);
  });

  it('reports a config change at the same version', async () => {
    edit(head, FRA01, 'logDropped: true', 'logDropped: false');
    const [gateway] = gatewaysOf(await planFiles(base, head));
    expect(gateway?.services).toEqual({ added: [], upgraded: [], removed: [], configChanged: ['firewall'] });
  });

  it('reports a new gateway and a removed gateway, without counting the shared namespace', async () => {
    head['gateways/acme/acme-sh-03.yaml'] = (head[SH02] ?? '').replaceAll('acme-sh-02', 'acme-sh-03');
    delete head['gateways/acme/acme-bj-01.yaml'];
    // acme-bj-01 runs acme's only EDR adapter: its isolation ends with it.
    delete head['responses/isolate-acme-ws-0042.yaml'];
    const plan = await planFiles(base, head);
    const byName = new Map(gatewaysOf(plan).map((g) => [g.gateway, g]));
    expect(byName.get('acme-sh-03')?.change).toBe('added');
    expect(byName.get('acme-sh-03')?.services.added.map((s) => s.name)).toEqual(['firewall', 'ids', 'log-collector']);
    expect(byName.get('acme-bj-01')?.change).toBe('removed');
    // acme keeps other gateways: its Namespace is neither created nor deleted, so not counted.
    const sh02 = gatewaysOf(await planFiles(base, { ...base, [SH02]: (base[SH02] ?? '').replace('version: 1.0.0', 'version: 1.1.0') }));
    expect(byName.get('acme-sh-03')?.objectsChanged).toBeGreaterThan(sh02[0]?.objectsChanged ?? 0);
    expect(byName.get('acme-bj-01')?.services.removed.map((s) => s.name)).toEqual(['edr-adapter', 'ids', 'log-collector', 'vuln-scanner']);
  });

  it('lists only the gateways whose render changes', async () => {
    edit(head, SH02, 'version: 1.0.0', 'version: 1.1.0');
    const plan = await planFiles(base, head);
    expect(gatewaysOf(plan).map((g) => g.gateway)).toEqual(['acme-sh-02']);
    expect(plan.summary).toMatchObject({ gateways: 1, customers: 1, servicesUpgraded: 1 });
  });

  it('names each customer’s approvers when a change touches two customers', async () => {
    edit(head, SH02, 'version: 1.0.0', 'version: 1.1.0');
    edit(head, FRA01, 'logDropped: true', 'logDropped: false');
    const plan = await planFiles(base, head);
    expect(plan.customers.map((c) => [c.customer, c.approval])).toEqual([
      ['acme', { required: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'], approvedBy: [] }],
      ['globex', { required: 2, approvers: ['globex-ciso', 'globex-it-security'], approvedBy: [] }],
    ]);
    // acme-sh-02 moves onto another catalog version: the operators approve that too.
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'], approvedBy: [] });
    expect(statusDescription(plan)).toBe('2 gateways of 2 customers change; approvals needed: acme, globex, operators');
  });

  it('needs only the customer for a config change on the catalog versions the gateway already runs', async () => {
    edit(head, FRA01, 'logDropped: true', 'logDropped: false');
    const plan = await planFiles(base, head);
    expect(plan.customers.map((c) => c.customer)).toEqual(['globex']);
    expect(plan.operators).toBeUndefined();
  });

  it('adds the operators when a new catalog version is published and used', async () => {
    head['catalog/ids/1.2.0.yaml'] = (head['catalog/ids/1.1.0.yaml'] ?? '').replace('version: 1.1.0', 'version: 1.2.0').replace(/sha256:f2840d3b/, 'sha256:a2840d3b');
    edit(head, SH01, 'version: 1.1.0', 'version: 1.2.0');
    const plan = await planFiles(base, head);
    expect(plan.ok).toBe(true);
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'], approvedBy: [] });
    expect(gatewaysOf(plan).map((g) => g.gateway)).toEqual(['acme-sh-01']);
  });

  it('reports a response added to the gateways it acts on', async () => {
    head['responses/block-scan-acme.yaml'] = [
      'apiVersion: essg.io/v1', 'kind: Response', 'metadata:', '  name: block-scan-acme', 'spec:', '  action: ip-block', '  customer: acme',
      '  gateways: [acme-sh-02]', '  reason: "INC-4800: port scans"', '  expires: "2027-01-01T00:00:00Z"', '  ipBlock: { cidrs: [192.0.2.0/24], direction: inbound }', '',
    ].join('\n');
    const plan = await planFiles(base, head);
    expect(gatewaysOf(plan).map((g) => [g.gateway, g.responses])).toEqual([['acme-sh-02', { added: ['block-scan-acme'], removed: [] }]]);
    expect(formatChangePlanMarkdown(plan)).toContain('| `acme-sh-02` |   |   | + block-scan-acme |   | 1 |');
  });

  it('drops a response that has expired by the plan time', async () => {
    edit(head, 'responses/block-c2-acme-2026-11.yaml', 'expires: "2027-03-01T00:00:00Z"', 'expires: "2026-05-01T00:00:00Z"');
    const plan = await planFiles(base, head);
    // Only gateways with a firewall render the block list, so only they change.
    expect(gatewaysOf(plan).map((g) => [g.gateway, g.responses.removed])).toEqual([['acme-sh-01', ['block-c2-acme-2026-11']], ['acme-sh-02', ['block-c2-acme-2026-11']]]);
  });

  it('refuses an edit of a published catalog version, at the first changed line', async () => {
    edit(head, 'catalog/ids/1.1.0.yaml', 'requests: { cpu: 250m, memory: 256Mi }', 'requests: { cpu: 500m, memory: 256Mi }');
    const plan = await planFiles(base, head);
    expect(plan.ok).toBe(false);
    const line = (base['catalog/ids/1.1.0.yaml'] ?? '').split('\n').findIndex((l) => l.includes('cpu: 250m')) + 1;
    expect(plan.problems).toEqual([{
      file: 'catalog/ids/1.1.0.yaml', line, col: 1, code: 'CATALOG_IMMUTABLE',
      message: 'ids 1.1.0 is a published catalog version and must not change',
      hint: 'publish a new version as catalog/ids/<new version>.yaml and move the gateways to it',
    }]);
    expect(statusDescription(plan)).toBe(`catalog/ids/1.1.0.yaml:${line}:1: CATALOG_IMMUTABLE: ids 1.1.0 is a published catalog version and must not change (publish a new version as catalog/ids/<new version>.yaml and move the gateways to it)`);
  });

  it('allows publishing a new catalog version', async () => {
    head['catalog/ids/1.2.0.yaml'] = (head['catalog/ids/1.1.0.yaml'] ?? '').replace('version: 1.1.0', 'version: 1.2.0');
    const plan = await planFiles(base, head);
    expect(plan.ok).toBe(true);
    expect(plan.customers).toEqual([]);
  });

  it('fails with the loader’s FILE:LINE problems when the head fleet is invalid', async () => {
    edit(head, SH02, 'version: 1.0.0', 'version: 9.9.9');
    const plan = await planFiles(base, head);
    expect(plan.ok).toBe(false);
    expect(plan.customers).toEqual([]);
    expect(plan.problems).toEqual([expect.objectContaining({ file: SH02, line: 11, code: 'UNKNOWN_VERSION' })]);
    expect(formatChangePlanText(plan)).toMatch(/^essg plan: the head fleet is invalid: 1 problem\ngateways\/acme\/acme-sh-02.yaml:11:\d+: UNKNOWN_VERSION: /);
  });
});

const PR_HEAD = 'c0ffee'.padEnd(40, '0');
const BEFORE_PUSH = 'b'.repeat(40);

/** An open pull request by `author` with `reviews` in the order given, each on the head unless `commitId` says otherwise. */
function openPullRequest({ author = 'soc-operator', reviews, teams = {} }: {
  readonly author?: string;
  readonly reviews: readonly { readonly login: string; readonly state: ReviewFact['state']; readonly commitId?: string }[];
  readonly teams?: Readonly<Record<string, readonly string[]>>;
}): ReviewFacts {
  return {
    kind: 'pull-request',
    commitSha: PR_HEAD,
    pr: { number: 7, url: 'https://github.example/soc/fleet/pull/7', author, headSha: PR_HEAD, mergeCommitSha: null, mergedAt: null },
    reviews: reviews.map((r, i) => ({
      id: i + 1, login: r.login, state: r.state, commitId: r.commitId ?? PR_HEAD,
      submittedAt: new Date(Date.parse('2026-06-01T10:00:00Z') + i * 1000).toISOString(),
    })),
    teamMembers: new Map(Object.entries(teams).map(([team, logins]) => [team, new Set(logins)])),
  };
}

const ACME_TEAM = { 'acme-bank/secops': ['acme-analyst'] };

describe('planChanges with the pull request’s reviews', () => {
  // acme-sh-02 moves onto ids 1.1.0: acme and the operators must approve.
  beforeEach(() => edit(head, SH02, 'version: 1.0.0', 'version: 1.1.0'));

  it('counts a customer approver who approved through a team and leaves only the operators missing', async () => {
    const facts = openPullRequest({ reviews: [{ login: 'acme-analyst', state: 'APPROVED' }, { login: 'mallory', state: 'APPROVED' }], teams: ACME_TEAM });
    const plan = await planFiles(base, head, { facts });
    expect(plan.customers.map((c) => [c.customer, c.approval])).toEqual([
      ['acme', { required: 0, approvers: [], approvedBy: [{ login: 'acme-analyst', via: 'acme-bank/secops' }] }],
    ]);
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'], approvedBy: [] });
    expect(plan.reviews).toEqual({
      state: 'read', pr: { number: 7, url: 'https://github.example/soc/fleet/pull/7', author: 'soc-operator', headSha: PR_HEAD },
      notCounted: [{ login: 'mallory', reason: 'not-an-approver' }],
    });
    expect(statusDescription(plan)).toBe('1 gateway of 1 customer change; approvals needed: operators');
    const markdown = formatChangePlanMarkdown(plan);
    expect(markdown).toContain('- **acme**: approved by `acme-analyst` via `acme-bank/secops`\n');
    expect(markdown).toContain('- **operators** (catalog versions or fleet settings of a gateway change): needs 1 approval from `soc-lead`, `example-soc/fleet-operators`\n');
    expect(markdown).toContain('Not counted: `mallory` (not an approver).');
    expect(formatChangePlanText(plan)).toContain('acme: approved by acme-analyst via acme-bank/secops\n');
    expect(JSON.parse(formatChangePlanJson(plan)).customers[0].approval.approvedBy).toEqual([{ login: 'acme-analyst', via: 'acme-bank/secops' }]);
  });

  it('names who approved next to how many more a customer that needs two still needs', async () => {
    edit(head, FRA01, 'logDropped: true', 'logDropped: false');
    const plan = await planFiles(base, head, { facts: openPullRequest({ reviews: [{ login: 'globex-ciso', state: 'APPROVED' }] }) });
    expect(plan.customers.find((c) => c.customer === 'globex')?.approval).toEqual({ required: 1, approvers: ['globex-it-security'], approvedBy: [{ login: 'globex-ciso', via: 'globex-ciso' }] });
    expect(formatChangePlanMarkdown(plan)).toContain('- **globex**: approved by `globex-ciso`; needs 1 more from `globex-it-security`\n');
    expect(formatChangePlanText(plan)).toContain('globex: approved by globex-ciso; needs 1 more from globex-it-security\n');
    expect(statusDescription(plan)).toBe('2 gateways of 2 customers change; approvals needed: acme, globex, operators');
  });

  it('does not list a reviewer who counted for one customer as not counted for another', async () => {
    edit(head, FRA01, 'logDropped: true', 'logDropped: false');
    const plan = await planFiles(base, head, { facts: openPullRequest({ reviews: [{ login: 'acme-analyst', state: 'APPROVED' }], teams: ACME_TEAM }) });
    expect(plan.reviews.state === 'read' && plan.reviews.notCounted).toEqual([]);
  });

  it('does not count an approval given before the last push, and says why', async () => {
    const plan = await planFiles(base, head, { facts: openPullRequest({ reviews: [{ login: 'acme-secops-lead', state: 'APPROVED', commitId: BEFORE_PUSH }] }) });
    expect(plan.customers[0]?.approval).toEqual({ required: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'], approvedBy: [] });
    expect(plan.reviews.state === 'read' && plan.reviews.notCounted).toEqual([{ login: 'acme-secops-lead', reason: 'stale' }]);
    expect(formatChangePlanMarkdown(plan)).toContain('Not counted: `acme-secops-lead` (approved before the last push).');
    expect(formatChangePlanText(plan)).toContain('not counted: acme-secops-lead (approved before the last push)');
  });

  it('does not count the author’s own approval', async () => {
    const plan = await planFiles(base, head, { facts: openPullRequest({ author: 'soc-lead', reviews: [{ login: 'soc-lead', state: 'APPROVED' }] }) });
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'], approvedBy: [] });
    expect(plan.reviews.state === 'read' && plan.reviews.notCounted).toEqual([{ login: 'soc-lead', reason: 'author' }]);
  });

  it('cancels an approval the same reviewer later turned into a request for changes', async () => {
    const plan = await planFiles(base, head, {
      facts: openPullRequest({ reviews: [{ login: 'acme-secops-lead', state: 'APPROVED' }, { login: 'acme-secops-lead', state: 'CHANGES_REQUESTED' }] }),
    });
    expect(plan.customers[0]?.approval?.required).toBe(1);
    expect(plan.reviews.state === 'read' && plan.reviews.notCounted).toEqual([{ login: 'acme-secops-lead', reason: 'superseded' }]);
  });

  it('says a fully approved pull request is approved, in the comment and the status', async () => {
    const facts = openPullRequest({ reviews: [{ login: 'acme-analyst', state: 'APPROVED' }, { login: 'soc-lead', state: 'APPROVED' }], teams: ACME_TEAM });
    const plan = await planFiles(base, head, { facts });
    expect(fullyApproved(plan)).toBe(true);
    expect(plan.operators).toEqual({ required: 0, approvers: [], approvedBy: [{ login: 'soc-lead', via: 'soc-lead' }] });
    expect(statusDescription(plan)).toBe('1 gateway of 1 customer change; fully approved');
    const markdown = formatChangePlanMarkdown(plan);
    expect(markdown).toContain('- **operators** (catalog versions or fleet settings of a gateway change): approved by `soc-lead`\n');
    expect(markdown).toContain("**Fully approved** on the pull request's head `c0ffee0`.");
    expect(formatChangePlanText(plan)).toContain("reviews counted on the pull request's head c0ffee0: fully approved");
  });

  it('is not fully approved when no reviews were read', async () => {
    const plan = await planFiles(base, head);
    expect(fullyApproved(plan)).toBe(false);
    expect(plan.reviews).toEqual({ state: 'not-read' });
    expect(formatChangePlanMarkdown(plan)).not.toContain('Reviews counted');
  });

  it('lists every approval as needed and says the reviews could not be read when GitHub failed', async () => {
    const message = 'GitHub is unavailable (server-error, HTTP 502) for GET /repos/soc/fleet/pulls/7/reviews: Bad Gateway';
    const plan = await planFiles(base, head, {
      facts: { kind: 'unavailable', commitSha: PR_HEAD, error: { component: 'github', failure: 'server-error', status: 502, message } },
    });
    expect(plan.customers[0]?.approval).toEqual({ required: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'], approvedBy: [] });
    expect(plan.operators?.required).toBe(1);
    expect(plan.reviews).toMatchObject({ state: 'unavailable', error: { component: 'github', failure: 'server-error', status: 502 } });
    expect(formatChangePlanMarkdown(plan)).toContain(`> Reviews could not be read (github): ${message}; every approval is listed as needed.`);
    expect(formatChangePlanText(plan)).toContain(`reviews could not be read (github): ${message}`);
    expect(statusDescription(plan)).toBe('1 gateway of 1 customer change; approvals needed: acme, operators (reviews could not be read)');
  });
});
