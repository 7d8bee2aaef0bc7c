import { describe, expect, it } from 'vitest';
import { RenderCache, renderFleet, renderGateway, toYaml } from '../../../src/render/index.ts';
import { CATALOG, fleetModel, gatewayModel, NOW, responseModel } from './fleet-fixture.ts';

const gateways = ['gw-a', 'gw-b', 'gw-c'].map((name) => gatewayModel({ name, services: [{ catalog: CATALOG.logCollector, config: { site: name } }, { catalog: CATALOG.firewall }] }));

describe('rendering a fleet', () => {
  it('gives byte-identical YAML for the same model and time', () => {
    const yaml = () => renderFleet({ model: fleetModel({ gateways }), now: NOW }).gateways.map((g) => toYaml(g.objects)).join('');
    expect(yaml()).toBe(yaml());
    expect(yaml()).toMatch(/^---\napiVersion: v1\nkind: Namespace\n/);
  });

  it('re-renders only the gateway whose inputs changed', () => {
    // GIVEN a cache filled by a first pass
    const cache = new RenderCache();
    const first = renderFleet({ model: fleetModel({ gateways }), now: NOW, cache });
    expect(first.synthesized).toBe(3);
    // WHEN one gateway's config changes
    const changed = gatewayModel({ name: 'gw-b', services: [{ catalog: CATALOG.logCollector, config: { site: 'gw-b', verbose: true } }, { catalog: CATALOG.firewall }] });
    const second = renderFleet({ model: fleetModel({ gateways: [gateways[0]!, changed, gateways[2]!] }), now: NOW, cache });
    // THEN one chart is synthesized and the others are reused as they were
    expect(second.synthesized).toBe(1);
    expect(second.gateways[0]).toBe(first.gateways[0]);
    expect(second.gateways[1]!.inputHash).not.toBe(first.gateways[1]!.inputHash);
    expect(second.gateways[2]).toBe(first.gateways[2]);
  });

  it('keeps a gateway\'s last two renders: going back and forth between two revisions renders nothing again', () => {
    // GIVEN gw-b rendered at one revision and then at another that changes it
    const cache = new RenderCache();
    const before = fleetModel({ gateways });
    const changed = gatewayModel({ name: 'gw-b', services: [{ catalog: CATALOG.logCollector, config: { site: 'gw-b', verbose: true } }, { catalog: CATALOG.firewall }] });
    const after = fleetModel({ gateways: [gateways[0]!, changed, gateways[2]!] });
    const old = renderFleet({ model: before, now: NOW, cache });
    const next = renderFleet({ model: after, now: NOW, cache });
    // WHEN a pass in a rollout renders both again, in either order
    const again = [renderFleet({ model: before, now: NOW, cache }), renderFleet({ model: after, now: NOW, cache }), renderFleet({ model: before, now: NOW, cache })];
    // THEN each is taken from the cache, the same objects as the first time
    expect(again.map((r) => r.synthesized)).toEqual([0, 0, 0]);
    expect(again[0]!.gateways[1]).toBe(old.gateways[1]);
    expect(again[1]!.gateways[1]).toBe(next.gateways[1]);
  });

  it('keeps no more than the renders it was made to keep per gateway, the least recently used going first', () => {
    const cache = new RenderCache(2);
    const version = (verbose: number) => fleetModel({ gateways: [gatewayModel({ name: 'gw-a', services: [{ catalog: CATALOG.logCollector, config: { site: 'gw-a', level: verbose } }] })] });
    for (const v of [1, 2, 3]) renderFleet({ model: version(v), now: NOW, cache });
    // 1 was pushed out by 3; 2 and 3 are kept.
    expect(renderFleet({ model: version(2), now: NOW, cache }).synthesized).toBe(0);
    expect(renderFleet({ model: version(3), now: NOW, cache }).synthesized).toBe(0);
    expect(renderFleet({ model: version(1), now: NOW, cache }).synthesized).toBe(1);
    // Now 1 and 3 are kept (3 was used after 2), and 2 is gone.
    expect(renderFleet({ model: version(3), now: NOW, cache }).synthesized).toBe(0);
    expect(renderFleet({ model: version(2), now: NOW, cache }).synthesized).toBe(1);
  });

  it('re-renders the gateways a new response acts on, and no other', () => {
    const cache = new RenderCache();
    renderFleet({ model: fleetModel({ gateways }), now: NOW, cache });
    const response = responseModel('c2', { action: 'ip-block', customer: 'acme', reason: 'r', expires: '2027-01-01T00:00:00Z', ipBlock: { cidrs: ['192.0.2.1'] } }, ['gw-c']);
    expect(renderFleet({ model: fleetModel({ gateways, responses: [response] }), now: NOW, cache }).synthesized).toBe(1);
  });

  it('keeps its cache when time passes without an expiry', () => {
    const cache = new RenderCache();
    renderFleet({ model: fleetModel({ gateways }), now: NOW, cache });
    expect(renderFleet({ model: fleetModel({ gateways }), now: '2026-12-02T00:00:00Z', cache }).synthesized).toBe(0);
  });

  it('forgets gateways that left the fleet', () => {
    const cache = new RenderCache();
    renderFleet({ model: fleetModel({ gateways }), now: NOW, cache });
    renderFleet({ model: fleetModel({ gateways: gateways.slice(0, 1) }), now: NOW, cache });
    expect(cache.size).toBe(1);
  });

  it('renders only the gateways asked for and names an unknown one', () => {
    const model = fleetModel({ gateways });
    expect(renderFleet({ model, now: NOW, gateways: ['gw-c', 'gw-a'] }).gateways.map((g) => g.gateway)).toEqual(['gw-a', 'gw-c']);
    expect(() => renderFleet({ model, now: NOW, gateways: ['gw-x'] })).toThrow(expect.objectContaining({ code: 'RENDER_UNKNOWN_GATEWAY', data: { gateway: 'gw-x' } }));
  });

  it('renders the same objects for a gateway alone as within the fleet', () => {
    const model = fleetModel({ gateways });
    expect(renderGateway({ model, gateway: 'gw-b', now: NOW })).toEqual(renderFleet({ model, now: NOW }).gateways[1]);
  });
});

describe('object names', () => {
  it('cuts names longer than a DNS label and ends them in a hash, keeping them distinct', () => {
    const long = `gw-${'a'.repeat(56)}`;
    const model = fleetModel({ gateways: [gatewayModel({ name: long, services: [{ catalog: CATALOG.logCollector }, { catalog: CATALOG.discovery }] })] });
    const names = renderGateway({ model, gateway: long, now: NOW }).objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const name of names) expect(name.split('/')[1]).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    const cronJob = names.find((n) => n.startsWith('CronJob/'))!;
    expect(cronJob.length - 'CronJob/'.length).toBeLessThanOrEqual(52);
    expect(new Set(names).size).toBe(names.length);
  });
});
