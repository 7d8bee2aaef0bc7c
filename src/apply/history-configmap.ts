// A gateway's history as a ConfigMap `essg-hist-<gateway>` in `essg-system`. Not in the
// inventory ConfigMap: the inventories are listed every pass, the histories only when a
// replica starts leading, so a pass over a large fleet does not carry every history along.
import type { K8sObject } from '../render/index.ts';
import { INVENTORY_NAMESPACE } from './inventory-configmap.ts';

export const HISTORY_LABEL = 'essg.io/history-of';
export const HISTORY_KEY = 'entries';

export function historyName(gateway: string): string {
  return `essg-hist-${gateway}`;
}

export function historyConfigMap(gateway: string, text: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: historyName(gateway), namespace: INVENTORY_NAMESPACE, labels: { [HISTORY_LABEL]: gateway, 'app.kubernetes.io/part-of': 'essg-fleet' } },
    data: { [HISTORY_KEY]: text },
  };
}

/** The gateway and its history's text (parsed by the report stage's history codec). */
export function historyOfConfigMap(configMap: K8sObject): { readonly gateway: string; readonly text: string } {
  const gateway = configMap.metadata.labels?.[HISTORY_LABEL] ?? configMap.metadata.name.replace(/^essg-hist-/, '');
  const data = (configMap['data'] ?? {}) as Record<string, string | undefined>;
  return { gateway, text: data[HISTORY_KEY] ?? '[]' };
}
