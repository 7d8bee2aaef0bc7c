import { beforeEach, describe, expect, it } from 'vitest';
import { edit, templateFiles } from '../../support/template-fleet.ts';
import { formatMarkdown, formatText, statusDescription } from '../../../src/prplan/index.ts';
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
    expect(formatText(plan)).toContain('no gateway changes');
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
      ['acme', { required: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'] }],
      ['globex', { required: 2, approvers: ['globex-ciso', 'globex-it-security'] }],
    ]);
    // acme-sh-02 moves onto another catalog version: the operators approve that too.
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'] });
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
    expect(plan.operators).toEqual({ required: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'] });
    expect(gatewaysOf(plan).map((g) => g.gateway)).toEqual(['acme-sh-01']);
  });

  it('reports a response added to the gateways it acts on', async () => {
    head['responses/block-scan-acme.yaml'] = [
      'apiVersion: essg.io/v1', 'kind: Response', 'metadata:', '  name: block-scan-acme', 'spec:', '  action: ip-block', '  customer: acme',
      '  gateways: [acme-sh-02]', '  reason: "INC-4800: port scans"', '  expires: "2027-01-01T00:00:00Z"', '  ipBlock: { cidrs: [192.0.2.0/24], direction: inbound }', '',
    ].join('\n');
    const plan = await planFiles(base, head);
    expect(gatewaysOf(plan).map((g) => [g.gateway, g.responses])).toEqual([['acme-sh-02', { added: ['block-scan-acme'], removed: [] }]]);
    expect(formatMarkdown(plan)).toContain('| `acme-sh-02` |   |   | + block-scan-acme |   | 1 |');
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
    expect(formatText(plan)).toMatch(/^essg plan: the head fleet is invalid: 1 problem\ngateways\/acme\/acme-sh-02.yaml:11:\d+: UNKNOWN_VERSION: /);
  });
});
