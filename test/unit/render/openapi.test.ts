import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFleetFromDir } from '../../../src/model/load.ts';
import { renderFleet, type K8sObject } from '../../../src/render/index.ts';
import { CATALOG, fleetModel, gatewayModel, NOW, responseModel } from './fleet-fixture.ts';
import type { Json } from './objects.ts';
import { schemaErrors } from './openapi-validator.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function everyObject(model: Parameters<typeof renderFleet>[0]['model']): K8sObject[] {
  return renderFleet({ model, now: NOW }).gateways.flatMap((gateway) => gateway.objects);
}

describe('rendered objects against the Kubernetes OpenAPI schema of the target version', () => {
  it('accepts every object rendered from the fleet repo template', async () => {
    // GIVEN the template fleet (daemons, host-network services, a job, a cronjob, responses; it pre-pulls, which the rollout does, not the render)
    const loaded = await loadFleetFromDir(path.join(root, 'fleet-repo-template'));
    if (!loaded.ok) throw new Error(`template does not load: ${JSON.stringify(loaded.problems)}`);
    // WHEN it is rendered
    const objects = everyObject(loaded.model);
    // THEN every kind is there and every object is valid
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['Namespace', 'ConfigMap', 'Deployment', 'CronJob', 'Job']));
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  it('accepts objects of every service kind, each response and long names', () => {
    const gateway = gatewayModel({
      name: `gw-${'x'.repeat(58)}`,
      services: [
        { catalog: CATALOG.logCollector, config: { socEndpoint: 'https://soc' } },
        { catalog: CATALOG.firewall },
        { catalog: CATALOG.ids },
        { catalog: CATALOG.scanner, config: { targets: ['10.0.0.0/24'] } },
        { catalog: CATALOG.discovery },
      ],
    });
    const responses = [
      responseModel('block', { action: 'ip-block', customer: 'acme', reason: 'r', expires: '2027-01-01T00:00:00Z', ipBlock: { cidrs: ['192.0.2.1'] } }, [gateway.name]),
      responseModel('scan', { action: 'vuln-scan', customer: 'acme', reason: 'r', expires: '2027-01-01T00:00:00Z', vulnScan: { service: 'vuln-scanner', version: '2.0.0', targets: ['10.0.0.0/24'] } }, [gateway.name]),
    ];
    const objects = everyObject(fleetModel({ gateways: [gateway], responses, fleet: { prePull: { enabled: true } } }));
    // namespace, ip-block list, 5 × (ConfigMap + workload), scan ConfigMap + Job
    expect(objects.length).toBe(14);
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  it('reports an unknown field, a missing required field and a wrongly typed value', () => {
    // GIVEN a Deployment with three mistakes: proof that the check is not vacuous
    const [deployment] = everyObject(fleetModel({ gateways: [gatewayModel({ name: 'gw', services: [{ catalog: CATALOG.logCollector }] })] })).filter((o) => o.kind === 'Deployment');
    const spec = (deployment as Json).spec;
    const broken = { ...deployment, spec: { ...spec, replicas: 'one', selector: undefined, nodeSelctor: {} } } as unknown as K8sObject;
    // THEN each is reported
    const errors = schemaErrors(JSON.parse(JSON.stringify(broken)) as K8sObject).join('\n');
    expect(errors).toMatch(/\/spec\/replicas: must be integer/);
    expect(errors).toMatch(/must have required property 'selector'/);
    expect(errors).toMatch(/must NOT have additional properties.*nodeSelctor/);
  });
});
