import { describe, expect, it } from 'vitest';
import { gatewayFlows } from '../../../src/report/data-flows.ts';
import type { ServiceVersion } from '../../../src/model/types.generated.ts';

const spec = (over: Partial<ServiceVersion['spec']>): ServiceVersion['spec'] => ({
  version: '1.0.0', category: 'ids', workload: 'daemon', image: 'registry.example.com/x@sha256:' + '0'.repeat(64),
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  ...over,
}) as ServiceVersion['spec'];

describe('a gateway\'s data flows', () => {
  it('are drawn from what each service collects at the site, consumes from the SOC and sends where', () => {
    const flows = gatewayFlows([
      { name: 'firewall', spec: spec({ consumes: ['ip-block'], data: { collects: ['flow-logs'], reports: ['alerts'] }, flows: [{ to: 'service:log-collector', what: 'dropped-connection logs' }, { to: 'soc', what: 'block alerts' }] }) },
      { name: 'log-collector', spec: spec({ data: { collects: ['raw-logs', 'flow-logs'] }, flows: [{ to: 'soc', what: 'security events and alerts' }] }) },
      { name: 'edr-adapter', spec: spec({ flows: [{ to: 'customer', what: 'isolate and scan commands to the EDR console' }] }) },
    ]);
    expect(flows).toEqual([
      { from: 'site', to: 'service:firewall', what: 'flow-logs' },
      { from: 'soc', to: 'service:firewall', what: 'ip-block list' },
      { from: 'service:firewall', to: 'service:log-collector', what: 'dropped-connection logs' },
      { from: 'service:firewall', to: 'soc', what: 'block alerts' },
      { from: 'site', to: 'service:log-collector', what: 'raw-logs, flow-logs' },
      { from: 'service:log-collector', to: 'soc', what: 'security events and alerts' },
      { from: 'service:edr-adapter', to: 'customer', what: 'isolate and scan commands to the EDR console' },
    ]);
  });

  it('leave out a flow to a service the gateway does not run, and a service that declares nothing has none', () => {
    expect(gatewayFlows([
      { name: 'firewall', spec: spec({ flows: [{ to: 'service:log-collector', what: 'dropped-connection logs' }] }) },
      { name: 'quiet', spec: spec({}) },
    ])).toEqual([]);
  });
});
