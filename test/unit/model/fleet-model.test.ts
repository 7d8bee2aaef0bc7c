// The model later stages build on: typed, resolved, defaults filled, immutable.
import { describe, expect, it } from 'vitest';
import { loadFleetFromDir } from '../../../src/model/load.ts';
import type { FleetModel } from '../../../src/model/fleet-model.ts';
import { TEMPLATE_DIR } from '../../support/template-fleet.ts';

async function template(): Promise<FleetModel> {
  const result = await loadFleetFromDir(TEMPLATE_DIR);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.model;
}

describe('FleetModel', () => {
  it('resolves each gateway service to its catalog version, in file order', async () => {
    const model = await template();
    const gateway = model.gateways.get('acme-sh-01')!;
    expect(gateway.customer).toBe('acme');
    expect(gateway.node).toBe('acme-sh-01');
    expect(gateway.services.map((s) => `${s.entry.name}@${s.catalog.version}`)).toEqual(['ids@1.1.0', 'log-collector@2.4.0', 'firewall@3.0.0', 'asset-discovery@1.0.0']);
    expect(gateway.services[0]!.catalog.doc.spec.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(gateway.source).toEqual({ path: 'gateways/acme/acme-sh-01.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('orders maps by name and catalog versions by SemVer precedence', async () => {
    const model = await template();
    expect([...model.gateways.keys()]).toEqual(['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02']);
    expect([...model.catalog.get('ids')!.keys()]).toEqual(['1.0.0', '1.1.0']);
  });

  it('fills schema defaults so later stages read one value', async () => {
    const model = await template();
    expect(model.catalog.get('log-collector')!.get('2.4.0')!.doc.spec.hostNetwork).toBe(false);
    expect(model.catalog.get('log-collector')!.get('2.4.0')!.doc.spec.configMountPath).toBe('/etc/essg');
    expect(model.customers.get('acme')!.doc.spec.requiredApprovals).toBe(1);
  });

  it('resolves response targets: all the customer gateways by default, or the listed ones', async () => {
    const model = await template();
    expect(model.responses.get('block-c2-acme-2026-11')!.gateways).toEqual(['acme-bj-01', 'acme-sh-01', 'acme-sh-02']);
    expect(model.responses.get('scan-globex-fra-01')!.gateways).toEqual(['globex-fra-01']);
  });

  it('cannot be changed after loading', async () => {
    const model = await template();
    const gateway = model.gateways.get('acme-sh-01')!;
    expect(() => ((gateway.doc.spec as { node: string }).node = 'other')).toThrow(TypeError);
    expect(() => (gateway.services as unknown[]).push({})).toThrow(TypeError);
    expect(() => (model.gateways as Map<string, unknown>).set('x', {})).toThrow(TypeError);
  });
});
