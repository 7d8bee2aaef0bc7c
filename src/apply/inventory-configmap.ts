// The inventory as a ConfigMap `essg-inv-<gateway>` in `essg-system`: the record pruning
// trusts, kept in the cluster so a restarted or new leader reads the same one.
import type { Inventory, InventoryEntry } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import { gatewayOfInventoryName, INVENTORY_KEY, inventoryName, LABEL, SYSTEM_LABELS, SYSTEM_NAMESPACE } from '../contract/index.ts';
import { InventoryCorruptError } from './errors.ts';

function metadataOf(gateway: string): K8sObject['metadata'] {
  return { name: inventoryName(gateway), namespace: SYSTEM_NAMESPACE, labels: { [LABEL.inventoryOf]: gateway, ...SYSTEM_LABELS } };
}

/** The inventory's part of the ConfigMap. The `rollout` key is not in it: it has a field manager of its own. */
export function inventoryConfigMap(inventory: Inventory): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataOf(inventory.gateway),
    data: { [INVENTORY_KEY.revision]: inventory.revision, [INVENTORY_KEY.renderHash]: inventory.renderHash, [INVENTORY_KEY.objects]: JSON.stringify(inventory.objects) },
  };
}

/**
 * The rollout state's part of the ConfigMap. It lives beside the inventory so one listing
 * gives a new leader both what each gateway holds and where its rollout stands.
 */
export function rolloutStateConfigMap(gateway: string, state: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadataOf(gateway), data: { [INVENTORY_KEY.rollout]: state } };
}

function isEntry(value: unknown): value is InventoryEntry {
  const entry = value as Record<string, unknown>;
  return typeof entry === 'object' && entry !== null && ['apiVersion', 'kind', 'name', 'hash'].every((key) => typeof entry[key] === 'string') && (entry['namespace'] === undefined || typeof entry['namespace'] === 'string');
}

export function parseInventoryConfigMap(configMap: K8sObject): Inventory {
  const gateway = configMap.metadata.labels?.[LABEL.inventoryOf] ?? gatewayOfInventoryName(configMap.metadata.name);
  const data = (configMap['data'] ?? {}) as Record<string, string | undefined>;
  const rollout = data[INVENTORY_KEY.rollout] ? { rolloutState: data[INVENTORY_KEY.rollout] } : {};
  // The rollout state is written ahead of a gateway's first apply: no objects yet.
  const objectsJson = data[INVENTORY_KEY.objects];
  if (objectsJson === undefined) return { gateway, revision: '', renderHash: '', objects: [], ...rollout };
  let objects: unknown;
  try {
    objects = JSON.parse(objectsJson);
  } catch (error) {
    throw new InventoryCorruptError({ gateway, detail: `data.objects is not JSON (${(error as Error).message})` });
  }
  if (!Array.isArray(objects) || !objects.every(isEntry)) throw new InventoryCorruptError({ gateway, detail: 'data.objects is not a list of object references' });
  return { gateway, revision: data[INVENTORY_KEY.revision] ?? '', renderHash: data[INVENTORY_KEY.renderHash] ?? '', objects, ...rollout };
}
