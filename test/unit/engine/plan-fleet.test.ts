// The plan step over the fleet (planFleet, as the engine runs it): a gateway whose render,
// inventory and live objects are the objects planned last pass keeps its plan; a status that
// moved keeps it too; a hand edit, a new render or a new inventory plans it again. What the
// gateways share is planned once and kept while it reads the same, even when a gateway's own
// change renders its Namespace again.
import { describe, expect, it } from 'vitest';
import { groupLiveByGateway, type Inventory, type LiveObject } from '../../../src/diff/index.ts';
import { planFleet, PlanMemo, type FleetRenders } from '../../../src/engine/memo-plan.ts';
import type { K8sObject, RenderedGateway } from '../../../src/render/index.ts';

const MANAGED = { 'app.kubernetes.io/managed-by': 'essg-fleet' };
const namespace = (labels: Record<string, string> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme', labels: { ...MANAGED, ...labels } } });
const configMap = (gateway: string, data: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${gateway}-ids`, namespace: 'essg-acme', labels: { ...MANAGED, 'essg.io/gateway': gateway } }, data });
const render = (gateway: string, objects: K8sObject[], inputHash = `h-${gateway}`): RenderedGateway => ({ gateway, customer: 'acme', inputHash, operatorHash: 'o', objects });
/** A live copy as the server serves it: the same fields and a status of its own. */
const served = (object: K8sObject, status: Record<string, unknown> = {}): LiveObject => ({ ...structuredClone(object), status } as unknown as LiveObject);

function fleetOf(...renders: RenderedGateway[]) {
  const fleet: FleetRenders = { ok: true, rendered: new Map(renders.map((r) => [r.gateway, r])) };
  const asked: string[] = [];
  return { fleet, asked, fleetAt: (revision: string) => (asked.push(revision), Promise.resolve(fleet)) };
}

function inventoryOf(gateway: string, plan: { inventory: Inventory }): Inventory {
  return { ...plan.inventory, gateway, revision: 'r1' };
}

describe('the plan step over the fleet', () => {
  it('keeps each plan while its objects are the same, and plans a gateway again when a live object, its render or its inventory changes', async () => {
    const memo = new PlanMemo();
    const gw1 = render('gw-1', [namespace(), configMap('gw-1', { a: '1' })]);
    const gw2 = render('gw-2', [namespace(), configMap('gw-2', { a: '1' })]);
    const { fleetAt, asked } = fleetOf(gw1, gw2);
    let live = [served(namespace(), { phase: 'Active' }), served(gw1.objects[1]!), served(gw2.objects[1]!)];
    const pass = (inventories: ReadonlyMap<string, Inventory> = new Map()) => planFleet({ memo, gateways: ['gw-1', 'gw-2'], revisionOf: () => 'r1', fleetAt, inventories, live: groupLiveByGateway(live), owns: () => true });

    const first = await pass();
    expect(memo.made).toBe(2);
    expect(asked).toEqual(['r1']); // one revision, read once for both gateways
    const inventories = new Map(first.plans.map((p) => [p.gateway, inventoryOf(p.gateway, p)]));
    const recorded = await pass(inventories);
    expect(memo.made).toBe(4); // the inventories are new: planned against them
    const again = await pass(inventories);
    expect(memo.made).toBe(4);
    expect(again.plans[0]).toBe(recorded.plans[0]);
    expect(again.plans.every((p) => p.creates.length === 0 && p.updates.length === 0)).toBe(true);

    // The status of gw-1's ConfigMap moved (a new object, the same fields): kept.
    live = [live[0]!, served(gw1.objects[1]!, { observed: 2 }), live[2]!];
    expect((await pass(inventories)).plans[0]).toBe(recorded.plans[0]);
    expect(memo.made).toBe(4);

    // A hand edit of gw-2's ConfigMap: gw-2 alone is planned again, and its plan puts it back.
    live = [live[0]!, live[1]!, served(configMap('gw-2', { a: 'edited' }))];
    const edited = await pass(inventories);
    expect(memo.made).toBe(5);
    expect(edited.plans[1]!.updates.map((u) => u.ref.name)).toEqual(['gw-2-ids']);
    expect(edited.plans[0]).toBe(recorded.plans[0]);
  });

  it('plans the Namespace the gateways share once, keeps it through a gateway re-rendered with the same Namespace, and updates it when it reads otherwise', async () => {
    const memo = new PlanMemo();
    const gw1 = render('gw-1', [namespace(), configMap('gw-1', { a: '1' })]);
    const gw2 = render('gw-2', [namespace(), configMap('gw-2', { a: '1' })]);
    const live = groupLiveByGateway([served(namespace(), { phase: 'Active' })]);
    const pass = async (...renders: RenderedGateway[]) => planFleet({ memo, gateways: renders.map((r) => r.gateway), revisionOf: () => 'r1', fleetAt: fleetOf(...renders).fleetAt, inventories: new Map(), live, owns: () => true });

    const first = await pass(gw1, gw2);
    expect(first.shared.unchanged.map((r) => r.name)).toEqual(['essg-acme']);
    expect(first.shared.creates).toEqual([]);
    // gw-1's own change renders its objects again, its Namespace as it was.
    const rerendered = render('gw-1', [namespace(), configMap('gw-1', { a: '2' })], 'h-gw-1-2');
    const kept = await pass(rerendered, gw2);
    expect(kept.shared.unchanged).toBe(first.shared.unchanged);
    expect(kept.plans[0]!.creates.map((c) => c.ref.name)).toEqual(['gw-1-ids']);
    // The customer's Namespace gains a label: planned again, as an update.
    const relabelled = [render('gw-1', [namespace({ team: 'soc' }), configMap('gw-1', { a: '2' })], 'h3'), render('gw-2', [namespace({ team: 'soc' }), configMap('gw-2', { a: '1' })], 'h4')];
    const updated = await pass(...relabelled);
    expect(updated.shared.updates.map((u) => u.ref.name)).toEqual(['essg-acme']);
  });

  it('plans afresh a gateway a pass left out or another replica wrote meanwhile, and reads each gateway at its own revision', async () => {
    const memo = new PlanMemo();
    const r1 = fleetOf(render('gw-1', [configMap('gw-1', { a: '1' })]), render('gw-2', [configMap('gw-2', { a: '1' })]), render('gw-3', [configMap('gw-3', { a: '1' })]));
    const r2 = fleetOf(render('gw-2', [configMap('gw-2', { a: '2' })], 'h-gw-2-r2'));
    const live = groupLiveByGateway([]);
    const pass = (gateways: string[], owns: (gateway: string) => boolean = () => true) => planFleet({
      memo, gateways, revisionOf: (gateway) => (gateway === 'gw-2' ? 'r2' : 'r1'),
      fleetAt: (revision) => (revision === 'r1' ? r1.fleetAt(revision) : r2.fleetAt(revision)), inventories: new Map(), live, owns,
    });

    const first = await pass(['gw-1', 'gw-2', 'gw-3']);
    // gw-2 between two gateways at r1: each read at its own revision, each revision asked once.
    expect(first.plans.map((p) => [p.gateway, p.creates.map((c) => (c.object as unknown as { data: Record<string, string> }).data['a'])])).toEqual([['gw-1', ['1']], ['gw-2', ['2']], ['gw-3', ['1']]]);
    expect([r1.asked, r2.asked]).toEqual([['r1'], ['r2']]);
    expect(memo.made).toBe(3);
    await pass(['gw-1', 'gw-2', 'gw-3']);
    expect(memo.made).toBe(3);
    // gw-3 left out of a pass is forgotten: planned afresh when it comes back.
    await pass(['gw-1', 'gw-2']);
    await pass(['gw-1', 'gw-2', 'gw-3']);
    expect(memo.made).toBe(4);
    // gw-1 written by another replica for a pass: planned afresh when it is this replica's again.
    expect((await pass(['gw-1', 'gw-2', 'gw-3'], (gateway) => gateway !== 'gw-1')).plans.map((p) => p.gateway)).toEqual(['gw-2', 'gw-3']);
    expect(memo.made).toBe(4);
    await pass(['gw-1', 'gw-2', 'gw-3']);
    expect(memo.made).toBe(5);
  });

  it('counts the shared objects of gateways another replica writes, plans only its own, and leaves a gateway whose revision cannot be read', async () => {
    const memo = new PlanMemo();
    const gw1 = render('gw-1', [namespace(), configMap('gw-1', { a: '1' })]);
    const { fleetAt } = fleetOf(gw1);
    const unreadable = () => Promise.resolve<FleetRenders>({ ok: false });
    const planned = await planFleet({
      memo, gateways: ['gw-1', 'gw-2', 'gw-3'],
      revisionOf: (gateway) => ({ 'gw-1': 'r1', 'gw-2': 'gone' } as Record<string, string>)[gateway],
      fleetAt: (revision) => (revision === 'r1' ? fleetAt(revision) : unreadable()),
      inventories: new Map(), live: groupLiveByGateway([]), owns: (gateway) => gateway !== 'gw-1',
    });
    // gw-1 belongs to another replica, gw-2's revision cannot be read, gw-3 has no revision: nothing planned here.
    expect(planned.plans).toEqual([]);
    // gw-1's Namespace is still wanted: created once, not pruned.
    expect(planned.shared.creates.map((c) => c.ref.name)).toEqual(['essg-acme']);
  });
});
