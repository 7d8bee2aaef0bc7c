// The apply stage: the cluster behind a narrow interface, plans applied with retries, the
// mass-deletion guard, and request counting.
export { KubeClusterClient, EDGE_NODE_SELECTOR, type ClusterClient, type KubeClusterClientOptions, type DeleteOutcome } from './cluster-client.ts';
export { applyGateways, applyShared, DEFAULT_APPLY_CONCURRENCY, type ApplyGatewaysOptions, type GatewayApplyResult, type ApplyError, type SharedApplyResult } from './apply.ts';
export { checkDeletionGuard, emptiedGateways, ALLOW_MASS_DELETION_FLAG, ALLOW_MASS_DELETION_ENV, type DeletionGuardOptions, type DeletionGuardResult } from './guard.ts';
export { withKubeDeadline } from './kube-deadline.ts';
export { makeKubeApi } from './kube-http.ts';
export { RequestCounter, countsSince, VERBS, WRITE_VERBS, type Verb, type RequestCounts } from './request-counter.ts';
export { DEFAULT_RETRY, isRetryableStatus, type RetryPolicy } from './retry.ts';
export { ClusterError, ListFailedError, WatchFailedError, ObjectRequestError, InventoryError, InventoryCorruptError, UnsupportedKindError, StillDeletingError, allListed, type RequestFailure } from './errors.ts';
