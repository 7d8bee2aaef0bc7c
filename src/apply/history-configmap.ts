// A gateway's history as a ConfigMap `essg-hist-<gateway>` in `essg-system`. Not in the
// inventory ConfigMap: the inventories are listed every pass, the histories only when a
// replica starts leading, so a pass over a large fleet does not carry every history along.
import type { K8sObject } from '../render/index.ts';
import { gatewayOfHistoryName, HISTORY_KEY, historyName, LABEL, SYSTEM_LABELS, SYSTEM_NAMESPACE } from '../contract/index.ts';

export function historyConfigMap(gateway: string, text: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: historyName(gateway), namespace: SYSTEM_NAMESPACE, labels: { [LABEL.historyOf]: gateway, ...SYSTEM_LABELS } },
    data: { [HISTORY_KEY]: text },
  };
}

/** The gateway and its history's text (parsed by the report stage's history codec). */
export function historyOfConfigMap(configMap: K8sObject): { readonly gateway: string; readonly text: string } {
  const gateway = configMap.metadata.labels?.[LABEL.historyOf] ?? gatewayOfHistoryName(configMap.metadata.name);
  const data = (configMap['data'] ?? {}) as Record<string, string | undefined>;
  return { gateway, text: data[HISTORY_KEY] ?? '[]' };
}
