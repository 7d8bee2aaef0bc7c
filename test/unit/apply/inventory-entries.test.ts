// A gateway's inventory ConfigMap changes each time its rollout state is recorded; the list of
// applied objects it holds is handed out as the same list while its text stays the same, so
// the plan made from it is known to be made from the same thing (src/engine/input-memo.ts).
import { describe, expect, it } from 'vitest';
import { InventoryEntries } from '../../../src/apply/watch-cache.ts';
import { inventoryConfigMap, parseInventoryConfigMap } from '../../../src/apply/inventory-configmap.ts';
import type { Inventory } from '../../../src/diff/index.ts';

const inventory: Inventory = { gateway: 'gw-1', revision: 'r1', renderHash: 'h1', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'essg-acme', name: 'gw-1-ids', hash: 'abc' }] };

function version(rollout: string, objects = inventory.objects) {
  const configMap = inventoryConfigMap({ ...inventory, objects });
  return { ...configMap, data: { ...(configMap['data'] as Record<string, string>), rollout } };
}

describe('inventory entries across versions of an inventory ConfigMap', () => {
  it('are the same list while the objects text is the same, and a new one when it changes', () => {
    const entries = new InventoryEntries();
    const read = (configMap: ReturnType<typeof version>) => entries.keep(parseInventoryConfigMap(configMap), configMap);
    const first = read(version('{"revision":"r1"}'));
    const second = read(version('{"revision":"r2"}'));
    expect(second.rolloutState).toBe('{"revision":"r2"}');
    expect(second.objects).toBe(first.objects);
    const changed = read(version('{"revision":"r3"}', [{ ...inventory.objects[0]!, hash: 'def' }]));
    expect(changed.objects).not.toBe(first.objects);
    expect(changed.objects[0]?.hash).toBe('def');
    entries.forget('gw-1');
    expect(read(version('{"revision":"r3"}', [{ ...inventory.objects[0]!, hash: 'def' }])).objects).not.toBe(changed.objects);
  });
});
