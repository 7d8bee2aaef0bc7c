import { describe, expect, it } from 'vitest';
import { InventoryCorruptError } from '../../../src/apply/errors.ts';
import { inventoryConfigMap, parseInventoryConfigMap } from '../../../src/apply/inventory-configmap.ts';
import type { Inventory } from '../../../src/diff/index.ts';
import { inventoryName, LABEL, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

const inventory: Inventory = {
  gateway: 'acme-gw-01',
  revision: 'c0ffee',
  renderHash: 'abc',
  objects: [
    { apiVersion: 'v1', kind: 'Namespace', name: 'essg-acme', component: 'namespace', hash: '1' },
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'essg-acme', name: 'acme-gw-01-ids', component: 'ids', hash: '2' },
  ],
};

describe('inventory ConfigMap', () => {
  it('is essg-inv-<gateway> in essg-system, without the label that would make it a fleet object to prune', () => {
    const configMap = inventoryConfigMap(inventory);
    expect(configMap.metadata).toMatchObject({ name: inventoryName('acme-gw-01'), namespace: SYSTEM_NAMESPACE, labels: { [LABEL.inventoryOf]: 'acme-gw-01' } });
    expect(configMap.metadata.labels).not.toHaveProperty([LABEL.managedBy]);
    expect(configMap['data']).toMatchObject({ revision: 'c0ffee', renderHash: 'abc' });
  });

  it('reads back what it wrote', () => {
    expect(parseInventoryConfigMap(inventoryConfigMap(inventory))).toEqual(inventory);
  });

  it.each([
    ['not JSON', '{'],
    ['not a list of references', '[{"kind":"Deployment"}]'],
  ])('refuses an inventory whose objects are %s', (_, objects) => {
    const configMap = { ...inventoryConfigMap(inventory), data: { revision: 'x', renderHash: 'y', objects } };
    expect(() => parseInventoryConfigMap(configMap)).toThrow(InventoryCorruptError);
  });
});
