// Which replica applies which gateway when the fleet is split into shards. Pure: every replica
// computes the same answer from the same names, so they agree without talking to each other.
// A gateway's shard is a hash of its name (a gateway never moves between shards unless the
// shard count changes); a shard's replica is chosen by rendezvous hashing over the live
// members, capped so that no member holds more than its even share: a replica joining or
// leaving moves few shards, and three replicas of three shards hold one each.

/** The shards one pass may write: the shard count, and which of them this replica holds. */
export interface GatewayShards {
  readonly count: number;
  readonly held: ReadonlySet<number>;
}

/** The shard that owns every object the gateways share (their Namespaces, the pre-pull jobs) and the commit status. */
export const PRIMARY_SHARD = 0;

/** 32-bit FNV-1a over the UTF-16 code units: small, fast, and spread well enough for names. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // murmur3's finaliser: names that differ in one character land far apart.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export function shardOf(gateway: string, count: number): number {
  return count <= 1 ? 0 : fnv1a(gateway) % count;
}

/** Whether a pass under `shards` writes this gateway; undefined shards: one replica writes every gateway. */
export function ownsGateway(shards: GatewayShards | undefined, gateway: string): boolean {
  return shards === undefined || shards.held.has(shardOf(gateway, shards.count));
}

export function ownsShared(shards: GatewayShards | undefined): boolean {
  return shards === undefined || shards.held.has(PRIMARY_SHARD);
}

/**
 * Each shard's member (index = shard): of the members not yet holding their even share
 * (count / members, rounded up), the one whose hash with that shard is highest. No members: none.
 */
export function assignShards(members: readonly string[], count: number): readonly (string | undefined)[] {
  const unique = [...new Set(members)].sort();
  if (unique.length === 0) return Array.from({ length: count }, () => undefined);
  const share = Math.ceil(count / unique.length);
  const holds = new Map(unique.map((member) => [member, 0]));
  return Array.from({ length: count }, (_, shard) => {
    const ranked = unique.map((member) => ({ member, score: fnv1a(`${member}\u0000${shard}`) })).sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
    const chosen = ranked.find(({ member }) => holds.get(member)! < share)!.member;
    holds.set(chosen, holds.get(chosen)! + 1);
    return chosen;
  });
}
