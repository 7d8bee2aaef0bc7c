// The contract between the reconciler and the cluster: label and annotation keys, the
// system namespace and the names of the objects it keeps there, the kinds it manages and
// their apply order. Defined once; every stage, test and benchmark imports them from here.
export { ANNOTATION, CONTRACT_VERSION, EDGE_ROLE_LABEL, LABEL, MANAGED_BY, PRODUCT, SYSTEM_LABELS, type MetadataMap } from './labels.ts';
export {
  FIELD_MANAGER, HISTORY_FIELD_MANAGER, HISTORY_KEY, INVENTORY_KEY, LEASE_NAME, MEMBER_LEASE_LABEL, RECONCILER_NAME, REPORTING_COMPONENT, ROLLOUT_FIELD_MANAGER, SYSTEM_NAMESPACE,
  gatewayOfHistoryName, gatewayOfInventoryName, historyName, inventoryName, memberLeaseName, shardLeaseName,
} from './system-objects.ts';
export { REASON, type Reason } from './reasons.ts';
export { KIND_ORDER, MANAGED_KINDS, WORKLOAD_KINDS, type ManagedKind } from './kinds.ts';
