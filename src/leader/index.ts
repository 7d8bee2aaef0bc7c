// Leader election: one replica leads through a Lease (or, sharded, each shard has its own), and a pass started under a lost Lease writes nothing more.
export {
  LeaderElectionConfigError,
  LeaderElector,
  LeaseConflict,
  defaultIdentity,
  kubeLeaseClient,
  kubeLeaseDelete,
  kubeLeaseList,
  type ListedLease,
  type LeaderElectorOptions,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSpec,
} from './leader.ts';
export { ReplicaStanding, electInCluster, electShardsInCluster } from './replica.ts';
export { STALE_MEMBER_LEASES, ShardElection, type ShardElectionOptions } from './shards.ts';
export { PRIMARY_SHARD, assignShards, ownsGateway, ownsShared, shardOf, type GatewayShards } from './shard-of.ts';
