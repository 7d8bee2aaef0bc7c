// The plan's data-authorisation section: what a pull request changes in what customers allow
// and in what their services collect and report, and whose approval that needs.
import { describe, expect, it } from 'vitest';
import { formatChangePlanText } from '../../../src/change-plan/index.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';
import { planFiles } from './plan-fixture.ts';

const ACME = 'customers/acme.yaml';
const ACME_REPORTS = 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]';

describe('essg plan: data authorisation', () => {
  it("an allow-list change alone is shown in its own section and needs only that customer's approval", async () => {
    const base = templateFiles();
    const head = { ...base };
    edit(head, ACME, ACME_REPORTS, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]');
    const plan = await planFiles(base, head);
    expect(plan.dataAuthorisation).toEqual({
      customers: [{
        customer: 'acme', file: ACME,
        collection: { added: [], removed: [] },
        reporting: { added: ['system-metrics'], removed: [] },
        allows: {
          collect: ['alerts', 'asset-inventory', 'flow-logs', 'packet-captures', 'raw-logs', 'vulnerability-findings'],
          report: ['alerts', 'asset-inventory', 'security-events', 'system-metrics', 'vulnerability-findings'],
        },
      }],
      services: [],
    });
    expect(plan.customers.map((c) => [c.customer, c.gateways.map((g) => [g.gateway, g.dataPolicyChanged])])).toEqual([
      ['acme', [['acme-bj-01', true], ['acme-sh-01', true], ['acme-sh-02', true]]],
    ]);
    expect(plan.customers[0]?.approval).toMatchObject({ required: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'] });
    expect(plan.operators).toBeUndefined();
    expect(formatChangePlanText(plan)).toContain('\n  acme allows: reporting + system-metrics\n');
  });

  it('groups a fleet-wide move to a version that reports more into one entry naming every gateway', async () => {
    const base = templateFiles();
    const head = { ...base };
    head['catalog/ids/1.2.0.yaml'] = base['catalog/ids/1.1.0.yaml']!.replace('version: 1.1.0', 'version: 1.2.0').replace('reports: [alerts]', 'reports: [alerts, security-events]');
    for (const gateway of ['gateways/acme/acme-bj-01.yaml', 'gateways/acme/acme-sh-02.yaml']) edit(head, gateway, 'version: 1.0.0', 'version: 1.2.0');
    edit(head, 'gateways/acme/acme-sh-01.yaml', 'version: 1.1.0', 'version: 1.2.0');
    const plan = await planFiles(base, head);
    expect(plan.dataAuthorisation.services).toEqual([
      { customer: 'acme', service: 'ids', from: '1.0.0', to: '1.2.0', collects: { added: [], removed: [] }, reports: { added: ['security-events'], removed: [] }, gateways: ['acme-bj-01', 'acme-sh-02'] },
      { customer: 'acme', service: 'ids', from: '1.1.0', to: '1.2.0', collects: { added: [], removed: [] }, reports: { added: ['security-events'], removed: [] }, gateways: ['acme-sh-01'] },
    ]);
    expect(plan.dataAuthorisation.customers).toEqual([]);
    expect(plan.customers.flatMap((c) => c.gateways).every((g) => !g.dataPolicyChanged)).toBe(true);
  });

  it('lists a service added to a gateway with everything it starts collecting and reporting', async () => {
    const base = templateFiles();
    const head = { ...base };
    edit(head, 'gateways/acme/acme-sh-02.yaml', '      config: { defaultPolicy: accept }\n', '      config: { defaultPolicy: accept }\n    - name: asset-discovery\n      version: 1.0.0\n');
    const plan = await planFiles(base, head);
    expect(plan.dataAuthorisation.services).toEqual([
      { customer: 'acme', service: 'asset-discovery', to: '1.0.0', collects: { added: ['asset-inventory'], removed: [] }, reports: { added: ['asset-inventory'], removed: [] }, gateways: ['acme-sh-02'] },
    ]);
  });

  it('has no section when nothing about data changes', async () => {
    const base = templateFiles();
    const head = { ...base };
    edit(head, 'gateways/acme/acme-sh-02.yaml', 'defaultPolicy: accept', 'defaultPolicy: drop');
    const plan = await planFiles(base, head);
    expect(plan.dataAuthorisation).toEqual({ customers: [], services: [] });
    expect(formatChangePlanText(plan)).not.toContain('data authorisation');
  });
});
