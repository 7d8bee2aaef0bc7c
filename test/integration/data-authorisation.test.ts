// Data authorisation on the test bed, through the reconciler as `essg reconcile` builds it:
// the customer's allow-lists reach each data-handling service as data-policy.json, a change
// of them reaches the running pod in place, and a commit whose service would report what
// the customer has not allowed is refused whole, the gateways staying on the last good commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

let k: Kube;
let fleet: TestFleet;
let r: TestRuntime;

printReconcilerLogOnFailure();

const ACME = 'customers/acme.yaml';
const ACME_REPORTS = 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]';

async function dataPolicy(gateway: string, service: string): Promise<{ collect: string[]; report: string[] } | undefined> {
  const cm = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace('acme'), name: `${gateway}-${service}` });
  const raw = cm.data?.['data-policy.json'];
  return raw === undefined ? undefined : JSON.parse(raw);
}

async function deployment(gateway: string, service: string) {
  return k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name: `${gateway}-${service}` });
}

describe('data authorisation', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01', 'acme-sh-02'] });
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it("applies the customer's allow-lists as data-policy.json beside each data-handling service's config", async () => {
    expect((await r.pass()).result).toBe('success');
    const gateway = fleet.gateway('acme-sh-01');
    expect(await dataPolicy(gateway, 'log-collector')).toEqual({
      collect: ['alerts', 'asset-inventory', 'flow-logs', 'packet-captures', 'raw-logs', 'vulnerability-findings'],
      report: ['alerts', 'asset-inventory', 'security-events', 'vulnerability-findings'],
    });
    const items = (await deployment(gateway, 'log-collector')).spec?.template.spec?.volumes?.[0]?.projected?.sources?.[0]?.configMap?.items?.map((i) => i.path);
    expect(items).toEqual(['config.json', 'data-policy.json']);
  }, 300_000);

  it('a change of the allow-lists rewrites data-policy.json in place: the pods are not rolled', async () => {
    const gateway = fleet.gateway('acme-sh-02');
    const before = await deployment(gateway, 'log-collector');
    await fleet.push({ [ACME]: fleet.files[ACME]!.replace(ACME_REPORTS, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]') }, 'acme also allows system metrics to be reported');
    await waitFor('the new policy in the ConfigMap', async () => {
      await r.pass();
      return (await dataPolicy(gateway, 'log-collector'))?.report.includes('system-metrics') === true;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const after = await deployment(gateway, 'log-collector');
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.template).toEqual(before.spec?.template);
  }, 300_000);

  it('refuses a commit whose upgrade would report a category acme does not allow: nothing of it is applied and the status names the gateway file and line', async () => {
    const gateway = fleet.gateway('acme-sh-01');
    const good = r.store.gateway(gateway)?.appliedRevision;
    const imageBefore = (await deployment(gateway, 'log-collector')).spec?.template.spec?.containers[0]?.image;
    const shipper = fleet.files['catalog/log-collector/2.4.0.yaml']!
      .replace('version: 2.4.0', 'version: 2.5.0')
      .replace(/log-collector@sha256:[0-9a-f]{64}/, `log-collector@sha256:${'5'.repeat(64)}`)
      .replace('reports: [alerts, security-events]', 'reports: [alerts, security-events, raw-logs]');
    const file = fleet.gatewayFile('acme-sh-01');
    const gatewayFile = fleet.files[file]!.replace('version: 2.4.0', 'version: 2.5.0');
    const line = gatewayFile.split('\n').findIndex((l) => l.includes('version: 2.5.0'));
    const bad = await fleet.push({ 'catalog/log-collector/2.5.0.yaml': shipper, [file]: gatewayFile }, 'log-collector 2.5.0 ships raw logs');

    expect((await r.pass()).result).toBe('bad-commit');
    const { badCommit } = r.store.snapshot().fleet;
    expect(badCommit?.revision).toBe(bad);
    expect(badCommit?.problems).toEqual([
      expect.objectContaining({ file, line: line + 1, col: 16, code: 'DATA_REPORTING_NOT_ALLOWED', message: expect.stringMatching(/^`log-collector` 2\.5\.0 reports raw-logs to the SOC, which customer `acme` does not allow/) }),
    ]);
    expect(r.store.gateway(gateway)?.appliedRevision).toBe(good);
    expect((await deployment(gateway, 'log-collector')).spec?.template.spec?.containers[0]?.image).toBe(imageBefore);
  }, 300_000);
});
