// The labels and annotations the reconciler writes and selects by. It prunes by them
// (together with each gateway's inventory), the gate and health read them back from the
// cluster, so their keys and values are a contract with every object already running.

/** The product's name: `app.kubernetes.io/managed-by` and `part-of` of what it writes, its field manager, its Event reporter. */
export const PRODUCT = 'essg-fleet';
export const MANAGED_BY = PRODUCT;

export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  customer: 'essg.io/customer',
  gateway: 'essg.io/gateway',
  service: 'essg.io/service',
  serviceVersion: 'essg.io/version',
  response: 'essg.io/response',
  /** The response kind (ip-block, vuln-scan): customers pre-authorise by kind, and the gate reads it. */
  responseAction: 'essg.io/response-action',
  /** On an ImagePrePullJob: the rollout (its revision) and the wave it pulls for; it spans gateways, so it has no gateway label. */
  rollout: 'essg.io/rollout',
  wave: 'essg.io/wave',
  /**
   * On a gateway's inventory ConfigMap, naming the gateway. Not `managed-by`: an inventory is
   * the reconciler's record, not a fleet object to plan or prune.
   */
  inventoryOf: 'essg.io/inventory-of',
  /** On a gateway's history ConfigMap, naming the gateway. */
  historyOf: 'essg.io/history-of',
  /** On a replica's membership Lease: the shard count it runs with (replicas of one fleet must agree). */
  shards: 'essg.io/shards',
  /** KubeEdge's admission webhook keeps pods with this label on an edge node that goes offline. */
  kubeedgeOffline: 'app-offline.kubeedge.io',
} as const;

export const ANNOTATION = {
  /** On a pod template: the digest of the service's config, so a config change rolls the pods. */
  configHash: 'essg.io/config-hash',
} as const;

/** The value of `app.kubernetes.io/version` on objects that belong to no catalog version: the fleet-repo contract they were rendered from. */
export const CONTRACT_VERSION = 'v1';

/** The labels of the reconciler's own objects (its namespace, the inventories and histories). */
export const SYSTEM_LABELS: Readonly<Record<string, string>> = { [LABEL.partOf]: PRODUCT };

export type MetadataMap = Readonly<Record<string, string>>;

/** The label KubeEdge's join (`keadm join`) gives every edge node: the reconciler lists, and schedules onto, only nodes that carry it. */
export const EDGE_ROLE_LABEL = 'node-role.kubernetes.io/edge';
