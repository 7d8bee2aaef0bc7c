// Every reason the reconciler writes, on a gateway's status and on the Events it records:
// UpperCamelCase, as Kubernetes condition and Event reasons, and stable — users filter
// `kubectl get events` and alerts on them. One table, so the same news has one name.

export const REASON = {
  // A gateway's status (the health stage's phase policy).
  converged: 'Converged',
  rolloutInProgress: 'RolloutInProgress',
  serviceDegraded: 'ServiceDegraded',
  nodeOffline: 'NodeOffline',
  nodeUnregistered: 'NodeNotRegistered',
  outsideWindow: 'OutsideMaintenanceWindow',
  waitingForWave: 'WaitingForWave',
  soaking: 'Soaking',
  failedOnGateway: 'FailedOnGateway',
  badCommit: 'BadCommit',
  // The approval gate's decisions.
  changeApproved: 'ChangeApproved',
  awaitingApproval: 'AwaitingApproval',
  changeRefused: 'ChangeRefused',
  approvalCheckHeld: 'ApprovalCheckHeld',
  // What a pass did.
  applied: 'Applied',
  applyFailed: 'ApplyFailed',
  driftRestored: 'DriftRestored',
  pruned: 'Pruned',
  massDeletionRefused: 'MassDeletionRefused',
  rolledBack: 'RolledBack',
  rolloutHalted: 'RolloutHalted',
  gatewayOffline: 'GatewayOffline',
  gatewayOnline: 'GatewayOnline',
} as const;

export type Reason = (typeof REASON)[keyof typeof REASON];
