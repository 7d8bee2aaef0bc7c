import { describe, expect, it } from 'vitest';
import { renderGateway } from '../../../src/render/index.ts';
import { CATALOG, fleetModel, gatewayModel, NOW, responseModel } from './fleet-fixture.ts';
import { find, ofKind, podSpecOf } from './objects.ts';
import { LABEL } from '../../../src/contract/index.ts';

const LATER = '2027-06-01T00:00:00Z';
const firewallGateway = (name: string) => gatewayModel({ name, services: [{ catalog: CATALOG.firewall }, { catalog: CATALOG.logCollector }] });
const block = (name: string, cidrs: [string, ...string[]], gateways: readonly string[], extra: { direction?: 'inbound' | 'outbound' | 'both'; expires?: string } = {}) =>
  responseModel(name, { action: 'ip-block', customer: 'acme', reason: 'incident', expires: extra.expires ?? LATER, ipBlock: { cidrs, ...(extra.direction ? { direction: extra.direction } : {}) } }, gateways);

describe('ip-block responses', () => {
  const model = fleetModel({
    gateways: [firewallGateway('gw-1'), firewallGateway('gw-2')],
    responses: [
      block('c2', ['203.0.113.0/24', '198.51.100.23'], ['gw-1', 'gw-2']),
      block('exfil', ['192.0.2.10', '198.51.100.23'], ['gw-1'], { direction: 'outbound' }),
      block('over', ['192.0.2.99'], ['gw-1'], { expires: '2026-11-30T23:59:59Z' }),
    ],
  });

  it('gives each gateway the union of the unexpired blocks acting on it, per direction', () => {
    const list = find(renderGateway({ model, gateway: 'gw-1', now: NOW }).objects, 'ConfigMap', 'gw-1-ip-block');
    expect(JSON.parse(list.data['ip-block.json'])).toEqual({
      inbound: ['198.51.100.23', '203.0.113.0/24'],
      outbound: ['192.0.2.10', '198.51.100.23', '203.0.113.0/24'],
      responses: [
        { name: 'c2', direction: 'both', expires: LATER },
        { name: 'exfil', direction: 'outbound', expires: LATER },
      ],
    });
    const other = find(renderGateway({ model, gateway: 'gw-2', now: NOW }).objects, 'ConfigMap', 'gw-2-ip-block');
    expect(JSON.parse(other.data['ip-block.json']).outbound).toEqual(['198.51.100.23', '203.0.113.0/24']);
  });

  it('mounts the list beside config.json into the services that consume ip-block, and only those', () => {
    const { objects } = renderGateway({ model, gateway: 'gw-1', now: NOW });
    const sources = (name: string) => podSpecOf(find(objects, 'Deployment', name)).volumes[0].projected.sources.map((s: { configMap: { name: string } }) => s.configMap.name);
    expect(sources('gw-1-firewall')).toEqual(['gw-1-firewall', 'gw-1-ip-block']);
    expect(sources('gw-1-log-collector')).toEqual(['gw-1-log-collector']);
  });

  it('updates the list without restarting the firewall', () => {
    const before = renderGateway({ model, gateway: 'gw-1', now: NOW }).objects;
    const after = renderGateway({ model: fleetModel({ gateways: [firewallGateway('gw-1')], responses: [block('new', ['192.0.2.200'], ['gw-1'])] }), gateway: 'gw-1', now: NOW }).objects;
    expect(find(after, 'ConfigMap', 'gw-1-ip-block').data).not.toEqual(find(before, 'ConfigMap', 'gw-1-ip-block').data);
    expect(find(after, 'Deployment', 'gw-1-firewall')).toEqual(find(before, 'Deployment', 'gw-1-firewall'));
  });

  it('renders no list on a gateway without an ip-block consumer', () => {
    const noFirewall = fleetModel({ gateways: [gatewayModel({ name: 'gw', services: [{ catalog: CATALOG.logCollector }] })], responses: [block('c2', ['192.0.2.1'], ['gw'])] });
    expect(ofKind(renderGateway({ model: noFirewall, gateway: 'gw', now: NOW }).objects, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['gw-log-collector']);
  });

  it('refuses a list larger than a ConfigMap can hold', () => {
    const cidrs = Array.from({ length: 10_000 }, (_, i) => `2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::/64`) as [string, ...string[]];
    const huge = fleetModel({ gateways: [firewallGateway('gw')], responses: [block('a', cidrs, ['gw']), block('b', cidrs.map((c) => c.replace('2001', '2002')) as [string, ...string[]], ['gw'])] });
    expect(() => renderGateway({ model: huge, gateway: 'gw', now: NOW })).toThrow(expect.objectContaining({ code: 'RENDER_IP_BLOCK_LIST_TOO_LARGE' }));
  });
});

describe('vuln-scan responses', () => {
  const scan = (gateways: readonly string[], expires = LATER) =>
    responseModel('scan-plc', { action: 'vuln-scan', customer: 'acme', reason: 'advisory', expires, vulnScan: { service: 'vuln-scanner', version: '2.0.0', targets: ['172.16.10.0/24'], profile: 'full' } }, gateways);

  it('runs the named catalog scanner once on each gateway it acts on, with the targets as config', () => {
    const model = fleetModel({ gateways: [firewallGateway('gw-1'), firewallGateway('gw-2')], responses: [scan(['gw-1'])] });
    const { objects } = renderGateway({ model, gateway: 'gw-1', now: NOW });
    const [job] = ofKind(objects, 'Job');
    expect(job.metadata.labels).toMatchObject({ [LABEL.response]: 'scan-plc', [LABEL.service]: 'vuln-scanner', [LABEL.serviceVersion]: '2.0.0' });
    expect(podSpecOf(job).containers[0].image).toBe(CATALOG.scanner.doc.spec.image);
    const config = find(objects, 'ConfigMap', 'gw-1-scan-scan-plc');
    expect(JSON.parse(config.data['config.json'])).toEqual({ targets: ['172.16.10.0/24'], profile: 'full' });
    expect(ofKind(renderGateway({ model, gateway: 'gw-2', now: NOW }).objects, 'Job')).toEqual([]);
  });

  it('drops an expired scan', () => {
    const model = fleetModel({ gateways: [firewallGateway('gw-1')], responses: [scan(['gw-1'], '2026-11-01T00:00:00Z')] });
    expect(ofKind(renderGateway({ model, gateway: 'gw-1', now: NOW }).objects, 'Job')).toEqual([]);
  });

  it('names a scanner version missing from the catalog', () => {
    const model = fleetModel({ gateways: [firewallGateway('gw-1')], responses: [scan(['gw-1'])], catalog: [CATALOG.firewall, CATALOG.logCollector] });
    expect(() => renderGateway({ model, gateway: 'gw-1', now: NOW })).toThrow(expect.objectContaining({ code: 'RENDER_CATALOG_VERSION_MISSING', data: { service: 'vuln-scanner', version: '2.0.0', usedBy: 'response scan-plc' } }));
  });
});

describe('service expiry', () => {
  const model = fleetModel({ gateways: [gatewayModel({ name: 'gw', services: [{ catalog: CATALOG.logCollector }, { catalog: CATALOG.scanner, expires: '2026-12-15T00:00:00Z' }] })] });
  const services = (now: string) => [...new Set(renderGateway({ model, gateway: 'gw', now }).objects.map((o) => o.metadata.labels?.[LABEL.service]).filter(Boolean))];

  it('keeps a service until the render time reaches its expiry, then leaves it out', () => {
    expect(services('2026-12-14T23:59:59Z')).toEqual(['log-collector', 'vuln-scanner']);
    expect(services('2026-12-15T00:00:00Z')).toEqual(['log-collector']);
  });

  it('takes the time from the caller and refuses one that is not RFC 3339', () => {
    expect(() => renderGateway({ model, gateway: 'gw', now: 'yesterday' })).toThrow(expect.objectContaining({ code: 'RENDER_INVALID_TIME' }));
  });
});

describe('image pre-pull', () => {
  const gateway = gatewayModel({ name: 'gw', node: 'node-7', services: [{ catalog: CATALOG.logCollector }, { catalog: CATALOG.firewall }] });

  it('renders no ImagePrePullJob beside the workloads, even when the fleet pre-pulls: the rollout issues one per wave before the switch', () => {
    const model = fleetModel({ gateways: [gateway], fleet: { prePull: { enabled: true, concurrency: 3, timeoutSeconds: 900, retryTimes: 1 } } });
    const objects = renderGateway({ model, gateway: 'gw', now: NOW }).objects;
    expect(ofKind(objects, 'ImagePrePullJob')).toEqual([]);
    expect(ofKind(objects, 'Deployment')).toHaveLength(2);
  });

  it('gives the same render hash whether or not the fleet pre-pulls, so turning it on starts no rollout', () => {
    const hash = (prePull: { enabled: boolean } | undefined) => renderGateway({ model: fleetModel({ gateways: [gateway], ...(prePull ? { fleet: { prePull } } : {}) }), gateway: 'gw', now: NOW }).inputHash;
    expect(hash({ enabled: true })).toBe(hash(undefined));
  });
});

describe('edr-action responses', () => {
  const edrGateway = (name: string) => gatewayModel({ name, services: [{ catalog: CATALOG.edrAdapter }, { catalog: CATALOG.firewall }] });
  const action = (name: string, endpoints: [string, ...string[]], extra: { command?: 'isolate-host' | 'scan-host' | 'collect-forensics'; expires?: string } = {}) =>
    responseModel(name, { action: 'edr-action', customer: 'acme', reason: `INC: ${name}`, expires: extra.expires ?? LATER, edrAction: { command: extra.command ?? 'isolate-host', endpoints } }, ['gw-1']);
  const model = fleetModel({
    gateways: [edrGateway('gw-1')],
    responses: [
      action('isolate-ws', ['ws-0042.corp.example', '10.0.4.42']),
      action('forensics', ['srv-db-01'], { command: 'collect-forensics' }),
      action('over', ['ws-0001'], { expires: '2026-11-30T23:59:59Z' }),
      block('c2', ['203.0.113.0/24'], ['gw-1']),
    ],
  });

  it('gives the EDR adapter every unexpired action, with its command, endpoints, reason and end, in response order', () => {
    const list = find(renderGateway({ model, gateway: 'gw-1', now: NOW }).objects, 'ConfigMap', 'gw-1-edr-actions');
    expect(list.metadata.labels).toMatchObject({ [LABEL.response]: 'edr-action-list', [LABEL.responseAction]: 'edr-action' });
    expect(JSON.parse(list.data['edr-actions.json'])).toEqual({
      actions: [
        { response: 'forensics', command: 'collect-forensics', endpoints: ['srv-db-01'], reason: 'INC: forensics', expires: LATER },
        { response: 'isolate-ws', command: 'isolate-host', endpoints: ['10.0.4.42', 'ws-0042.corp.example'], reason: 'INC: isolate-ws', expires: LATER },
      ],
    });
  });

  it('mounts each list into the services that consume its kind, and only those', () => {
    const { objects } = renderGateway({ model, gateway: 'gw-1', now: NOW });
    const mounted = (name: string) => podSpecOf(find(objects, 'Deployment', name)).volumes[0].projected.sources.map((s: { configMap: { name: string; items: { path: string }[] } }) => `${s.configMap.name}:${s.configMap.items.map((i) => i.path).join(',')}`);
    expect(mounted('gw-1-edr-adapter')).toEqual(['gw-1-edr-adapter:config.json', 'gw-1-edr-actions:edr-actions.json']);
    expect(mounted('gw-1-firewall')).toEqual(['gw-1-firewall:config.json', 'gw-1-ip-block:ip-block.json']);
  });

  it('updates the actions without restarting the adapter, and keeps an empty list when the last one ends', () => {
    const ended = fleetModel({ gateways: [edrGateway('gw-1')] });
    const before = renderGateway({ model, gateway: 'gw-1', now: NOW }).objects;
    const after = renderGateway({ model: ended, gateway: 'gw-1', now: NOW }).objects;
    // The adapter reads the empty list and releases what it isolated.
    expect(JSON.parse(find(after, 'ConfigMap', 'gw-1-edr-actions').data['edr-actions.json'])).toEqual({ actions: [] });
    expect(find(after, 'Deployment', 'gw-1-edr-adapter')).toEqual(find(before, 'Deployment', 'gw-1-edr-adapter'));
  });

  it('renders no EDR list on a gateway without an EDR adapter', () => {
    const noAdapter = fleetModel({ gateways: [firewallGateway('gw-1')], responses: [action('isolate-ws', ['ws-1'])] });
    expect(ofKind(renderGateway({ model: noAdapter, gateway: 'gw-1', now: NOW }).objects, 'ConfigMap').map((c) => c.metadata.name).sort()).toEqual(['gw-1-firewall', 'gw-1-ip-block', 'gw-1-log-collector']);
  });

  it('refuses actions larger than a ConfigMap can hold', () => {
    const endpoints = Array.from({ length: 1000 }, (_, i) => `${'w'.repeat(240)}-${i}.corp.example`) as [string, ...string[]];
    const huge = fleetModel({ gateways: [edrGateway('gw-1')], responses: [action('a', endpoints), action('b', endpoints), action('c', endpoints), action('d', endpoints), action('e', endpoints)] });
    expect(() => renderGateway({ model: huge, gateway: 'gw-1', now: NOW })).toThrow(expect.objectContaining({ code: 'RENDER_EDR_ACTION_LIST_TOO_LARGE' }));
  });
});
