// Leader election: one replica leads through a Lease, and a pass started under a lost Lease writes nothing more.
export {
  LeaderElectionConfigError,
  LeaderElector,
  LeaseConflict,
  defaultIdentity,
  kubeLeaseClient,
  type LeaderElectorOptions,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSpec,
} from './leader.ts';
export { ReplicaStanding, electInCluster } from './replica.ts';
