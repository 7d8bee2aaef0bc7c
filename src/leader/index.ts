// Leader election: one replica leads through a Lease, and a pass started under a lost Lease writes nothing more.
export {
  LeaderElectionConfigError,
  LeaderElector,
  LeaseConflict,
  defaultIdentity,
  kubeLeaseClient,
  kubeLeaseList,
  type ListedLease,
  type LeaderElectorOptions,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSpec,
} from './leader.ts';
export { ReplicaStanding, electInCluster, electShardsInCluster } from './replica.ts';
export { ShardElection, type ShardElectionOptions } from './shards.ts';
export { assignShards, ownsGateway, ownsShared, shardOf, type GatewayShards } from './shard-of.ts';
