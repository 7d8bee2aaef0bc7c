import { createHash } from 'node:crypto';
// FleetModel objects built directly (as the loader would produce them, defaults filled), so
// render tests control every input and need no files.
import type { FleetModel, GatewayModel, GatewayService, ResponseModel, ServiceVersionModel } from '../../../src/model/fleet-model.ts';
import type { Fleet, Gateway, Response, ServiceVersion } from '../../../src/model/types.generated.ts';

// As the loader does with file bytes: the digest changes whenever the document does.
const source = (path: string, doc: unknown) => ({ path, sha256: createHash('sha256').update(JSON.stringify(doc)).digest('hex') });
const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

export type CatalogSpec = ServiceVersion['spec'];

export function catalogEntry(name: string, spec: Partial<CatalogSpec> & Pick<CatalogSpec, 'version'>): ServiceVersionModel {
  const doc: ServiceVersion = {
    apiVersion: 'essg.io/v1',
    kind: 'ServiceVersion',
    metadata: { name },
    spec: {
      workload: 'daemon',
      image: `registry.example.com/essg/${name}@${digest('a')}`,
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      configSchema: { type: 'object' },
      ...spec,
    },
  };
  return { service: name, version: spec.version, source: source(`catalog/${name}/${spec.version}.yaml`, doc), doc };
}

export const CATALOG = {
  logCollector: catalogEntry('log-collector', { version: '2.4.0', readiness: { httpGet: { path: '/ready', port: 8080 } }, ports: [{ name: 'http', containerPort: 8080 }] }),
  logCollectorNext: catalogEntry('log-collector', { version: '2.5.0', image: `registry.example.com/essg/log-collector@${digest('b')}`, readiness: { httpGet: { path: '/ready', port: 8080 } } }),
  firewall: catalogEntry('firewall', {
    version: '3.0.0',
    hostNetwork: true,
    ports: [{ name: 'api', containerPort: 9300, hostPort: 9300 }],
    capabilities: ['NET_RAW', 'NET_ADMIN'],
    readiness: { tcpSocket: { port: 9300 } },
    consumes: ['ip-block'],
  }),
  ids: catalogEntry('ids', { version: '1.1.0', hostNetwork: true, capabilities: ['NET_ADMIN', 'NET_RAW'] }),
  scanner: catalogEntry('vuln-scanner', { version: '2.0.0', workload: 'job', job: { activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 600, backoffLimit: 1 } }),
  edrAdapter: catalogEntry('edr-adapter', { version: '1.4.0', ports: [{ name: 'api', containerPort: 8443 }], consumes: ['edr-action'] }),
  discovery: catalogEntry('asset-discovery', { version: '1.0.0', workload: 'cronjob', schedule: '30 1 * * *' }),
} as const;

export interface GatewayFixture {
  readonly name: string;
  readonly customer?: string;
  readonly node?: string;
  readonly services: readonly { readonly catalog: ServiceVersionModel; readonly config?: object; readonly expires?: string }[];
}

export function gatewayModel(fixture: GatewayFixture): GatewayModel {
  const customer = fixture.customer ?? 'acme';
  const services = fixture.services.map((s) => {
    const entry: GatewayService = { name: s.catalog.service, version: s.catalog.version, ...(s.config ? { config: s.config } : {}), ...(s.expires ? { expires: s.expires } : {}) };
    return { entry, catalog: s.catalog };
  });
  const doc: Gateway = { apiVersion: 'essg.io/v1', kind: 'Gateway', metadata: { name: fixture.name }, spec: { node: fixture.node ?? fixture.name, services: services.map((s) => s.entry) } };
  return { name: fixture.name, customer, node: fixture.node ?? fixture.name, source: source(`gateways/${customer}/${fixture.name}.yaml`, doc), doc, services };
}

export function responseModel(name: string, spec: Response['spec'], gateways: readonly string[]): ResponseModel {
  const doc: Response = { apiVersion: 'essg.io/v1', kind: 'Response', metadata: { name }, spec };
  return { name, source: source(`responses/${name}.yaml`, doc), doc, gateways };
}

export function fleetModel({
  gateways,
  responses = [],
  fleet = {},
  catalog = Object.values(CATALOG),
}: {
  readonly gateways: readonly GatewayModel[];
  readonly responses?: readonly ResponseModel[];
  readonly fleet?: Partial<Fleet['spec']>;
  readonly catalog?: readonly ServiceVersionModel[];
}): FleetModel {
  const byService = new Map<string, Map<string, ServiceVersionModel>>();
  for (const entry of catalog) {
    const versions = byService.get(entry.service) ?? new Map<string, ServiceVersionModel>();
    versions.set(entry.version, entry);
    byService.set(entry.service, versions);
  }
  const customers = [...new Set(gateways.map((g) => g.customer))].sort();
  return {
    fleet: { source: source('fleet.yaml', fleet), doc: { apiVersion: 'essg.io/v1', kind: 'Fleet', metadata: { name: 'test' }, spec: { operators: ['soc-lead'], ...fleet } } },
    customers: new Map(customers.map((name) => [name, { name, source: source(`customers/${name}.yaml`, name), doc: { apiVersion: 'essg.io/v1', kind: 'Customer', metadata: { name }, spec: { approvers: ['lead'] } } }])),
    gateways: new Map([...gateways].sort((a, b) => (a.name < b.name ? -1 : 1)).map((g) => [g.name, g])),
    catalog: byService,
    responses: new Map([...responses].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => [r.name, r])),
  };
}

export const NOW = '2026-12-01T00:00:00Z';
