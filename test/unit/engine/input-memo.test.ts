// A gateway's plan is made again only when what it is made from changed: the same render,
// inventory and live objects (the same objects, as the watch cache and the loader hand them
// out) give the plan made before, without planning.
import { describe, expect, it } from 'vitest';
import { InputMemo } from '../../../src/engine/input-memo.ts';
import { atRevision, planGateway, type GatewayPlan } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';

const configMap = (data: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gw-1-ids', namespace: 'essg-acme', labels: { 'app.kubernetes.io/managed-by': 'essg-fleet', 'essg.io/gateway': 'gw-1' } }, data });

describe('the input memo', () => {
  it('gives the plan made from the same objects, and plans again when one of them is another object', () => {
    const memo = new InputMemo<GatewayPlan>();
    const desired = [configMap({ a: '1' })];
    let live = [configMap({ a: '1' })];
    let planned = 0;
    const plan = (): GatewayPlan => memo.get('gw-1', [desired, 'r1', ...live], () => {
      planned++;
      return planGateway({ gateway: 'gw-1', desired, live, revision: 'r1' });
    });
    const first = plan();
    expect(plan()).toBe(first);
    expect(planned).toBe(1);
    // A hand edit arrives as a new live object: planned again, and the plan sees it.
    live = [configMap({ a: 'edited' })];
    const second = plan();
    expect(planned).toBe(2);
    expect(second.updates.map((u) => u.ref.name)).toEqual(['gw-1-ids']);
    expect(first.updates).toEqual([]);
  });

  it('forgets the gateways a pass did not plan', () => {
    const memo = new InputMemo<GatewayPlan>();
    let planned = 0;
    const make = () => {
      planned++;
      return planGateway({ gateway: 'gw-1', desired: [], live: [] });
    };
    memo.get('gw-1', ['same'], make);
    memo.keepOnly(new Set(['gw-2']));
    memo.get('gw-1', ['same'], make);
    expect(planned).toBe(2);
  });

  it('serves a plan made at one commit for another, as planGateway makes it there', () => {
    const desired = [configMap({ a: '1' })];
    const inventory = { gateway: 'gw-1', revision: 'r1', renderHash: 'h1', objects: [] };
    // A first apply: the inventory it writes records the commit.
    const atR1 = planGateway({ gateway: 'gw-1', desired, live: [], inventory, revision: 'r1', renderHash: 'h2' });
    expect(atRevision(atR1, 'r2')).toEqual(planGateway({ gateway: 'gw-1', desired, live: [], inventory, revision: 'r2', renderHash: 'h2' }));
    expect(atRevision(atR1, 'r2').inventory.revision).toBe('r2');
    // Nothing to write: the inventory keeps the commit it records, whatever commit is planned.
    const applied = atR1.inventory;
    const unchanged = planGateway({ gateway: 'gw-1', desired, live: desired, inventory: applied, revision: 'r1', renderHash: 'h2' });
    expect(atRevision(unchanged, 'r3')).toBe(unchanged);
    expect(planGateway({ gateway: 'gw-1', desired, live: desired, inventory: applied, revision: 'r3', renderHash: 'h2' })).toEqual(unchanged);
  });
});
