// The customer's data policy at the edge: every service that handles site data reads what its
// customer allows from data-policy.json beside its config; a policy change reaches it in place.
import { describe, expect, it } from 'vitest';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import type { FleetModel } from '../../../src/model/fleet-model.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { RenderCache, renderFleet, renderGateway, type K8sObject } from '../../../src/render/index.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';
import { find, ofKind, podSpecOf, type Json } from './objects.ts';

const NOW = '2026-12-01T00:00:00Z';
const ACME = 'customers/acme.yaml';
const ACME_REPORTS = 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]';

async function modelOf(files: Record<string, string>): Promise<FleetModel> {
  const loaded = await loadFleet({ reader: new MemoryReader({ files }) });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.model;
}

const policyOf = (objects: readonly K8sObject[], configMap: string): unknown => {
  const raw = (find(objects, 'ConfigMap', configMap) as Json).data['data-policy.json'];
  return raw === undefined ? undefined : JSON.parse(raw);
};
const mountedFiles = (workload: Json): string[] => podSpecOf(workload).volumes[0].projected.sources[0].configMap.items.map((i: Json) => i.path);
const workloads = (objects: readonly K8sObject[]) => objects.filter((o) => ['Deployment', 'CronJob', 'Job'].includes(o.kind));

describe('the customer data policy in each data-handling service', () => {
  it("writes the customer's allow-lists into data-policy.json beside config.json and mounts it into the service", async () => {
    const { objects } = renderGateway({ model: await modelOf(templateFiles()), gateway: 'acme-sh-01', now: NOW });
    const acme = {
      collect: ['alerts', 'asset-inventory', 'flow-logs', 'packet-captures', 'raw-logs', 'vulnerability-findings'],
      report: ['alerts', 'asset-inventory', 'security-events', 'vulnerability-findings'],
    };
    for (const service of ['ids', 'log-collector', 'firewall', 'asset-discovery']) expect(policyOf(objects, `acme-sh-01-${service}`), service).toEqual(acme);
    expect(mountedFiles(find(objects, 'Deployment', 'acme-sh-01-log-collector'))).toEqual(['config.json', 'data-policy.json']);
    expect(mountedFiles(find(objects, 'CronJob', 'acme-sh-01-asset-discovery'))).toEqual(['config.json', 'data-policy.json']);
  });

  it('gives a service that declares no data handling neither the file nor the mount', async () => {
    const files = templateFiles();
    edit(files, 'catalog/firewall/3.0.0.yaml', '  data: { collects: [flow-logs], reports: [alerts] }\n', '');
    const { objects } = renderGateway({ model: await modelOf(files), gateway: 'acme-sh-01', now: NOW });
    expect(policyOf(objects, 'acme-sh-01-firewall')).toBeUndefined();
    expect(mountedFiles(find(objects, 'Deployment', 'acme-sh-01-firewall'))).toEqual(['config.json']);
  });

  it("a change of the customer's allow-lists rewrites data-policy.json and leaves every pod template alone (no restart, no new Job)", async () => {
    // GIVEN acme-bj-01 (a daemon, a job and the EDR adapter handle data) rendered at acme's policy
    const files = templateFiles();
    const before = renderGateway({ model: await modelOf(files), gateway: 'acme-bj-01', now: NOW });
    // WHEN acme also allows system metrics to be reported
    edit(files, ACME, ACME_REPORTS, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]');
    const after = renderGateway({ model: await modelOf(files), gateway: 'acme-bj-01', now: NOW });
    // THEN each data-handling service's ConfigMap says so, and only those change
    expect(policyOf(after.objects, 'acme-bj-01-log-collector')).toEqual({
      collect: ['alerts', 'asset-inventory', 'flow-logs', 'packet-captures', 'raw-logs', 'vulnerability-findings'],
      report: ['alerts', 'asset-inventory', 'security-events', 'system-metrics', 'vulnerability-findings'],
    });
    const changed = after.objects.filter((o, i) => JSON.stringify(o) !== JSON.stringify(before.objects[i])).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(changed).toEqual(['ConfigMap/acme-bj-01-edr-adapter', 'ConfigMap/acme-bj-01-ids', 'ConfigMap/acme-bj-01-log-collector', 'ConfigMap/acme-bj-01-vuln-scanner']);
    expect(workloads(after.objects)).toEqual(workloads(before.objects));
    expect(after.inputHash).not.toBe(before.inputHash);
  });

  it('re-renders a cached gateway when only its customer policy changed, and keeps other customers cached', async () => {
    const files = templateFiles();
    const cache = new RenderCache();
    renderFleet({ model: await modelOf(files), now: NOW, cache });
    edit(files, ACME, ACME_REPORTS, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]');
    const next = renderFleet({ model: await modelOf(files), now: NOW, cache });
    expect(next.synthesized).toBe(3);
    const sh01 = next.gateways.find((g) => g.gateway === 'acme-sh-01')!;
    expect((policyOf(sh01.objects, 'acme-sh-01-ids') as { report: string[] }).report).toEqual(['alerts', 'asset-inventory', 'security-events', 'system-metrics', 'vulnerability-findings']);
  });

  it('leaves the render alone when the customer file changes elsewhere (a maintenance window)', async () => {
    const files = templateFiles();
    const before = renderGateway({ model: await modelOf(files), gateway: 'acme-sh-01', now: NOW });
    edit(files, ACME, 'duration: 4h', 'duration: 3h');
    const after = renderGateway({ model: await modelOf(files), gateway: 'acme-sh-01', now: NOW });
    expect(after.inputHash).toBe(before.inputHash);
  });

  it("writes the customer's policy into a vuln-scan's config too, without renaming its Job", async () => {
    const files = templateFiles();
    const before = renderGateway({ model: await modelOf(files), gateway: 'globex-fra-01', now: NOW });
    edit(files, 'customers/globex.yaml', 'system-metrics]', ']');
    const after = renderGateway({ model: await modelOf(files), gateway: 'globex-fra-01', now: NOW });
    expect((policyOf(after.objects, 'globex-fra-01-scan-scan-globex-fra-01') as { report: string[] }).report).toEqual(['alerts', 'asset-inventory', 'security-events', 'vulnerability-findings']);
    expect(ofKind(after.objects, 'Job').map((j) => j.metadata.name)).toEqual(ofKind(before.objects, 'Job').map((j) => j.metadata.name));
  });
});
