import { describe, expect, it } from 'vitest';
import { ReplicaStanding } from '../../../src/leader/index.ts';

describe('ReplicaStanding', () => {
  it('writes everything, unfenced, when not elected', () => {
    const standing = new ReplicaStanding(false);
    standing.startPass();
    expect(standing.leading).toBe(true);
    expect(standing.passLeadership()).toBeUndefined();
    expect(standing.passShards()).toBeUndefined();
  });

  it('fences a pass started without the Lease, and one whose Lease was lost, even after leading again', () => {
    const standing = new ReplicaStanding(true);
    standing.startPass();
    expect(standing.passLeadership()?.aborted).toBe(true);
    const first = new AbortController();
    standing.lead(first.signal);
    standing.startPass();
    const signal = standing.passLeadership()!;
    expect(signal.aborted).toBe(false);
    first.abort();
    standing.standBy();
    standing.lead(new AbortController().signal);
    expect(signal.aborted).toBe(true);
    expect(standing.passShards()).toBeUndefined();
  });

  it('gives a sharded pass the shards held when it started, fenced when any of them is lost', () => {
    const standing = new ReplicaStanding(true, 3);
    const zero = new AbortController();
    const two = new AbortController();
    standing.lead(two.signal, 2);
    standing.lead(zero.signal, 0);
    expect(standing.heldShards()).toEqual([0, 2]);
    standing.startPass();
    expect(standing.passShards()).toEqual({ count: 3, held: new Set([0, 2]) });
    const signal = standing.passLeadership()!;
    // A shard gained mid-pass is not this pass's to write; one lost fences the whole pass.
    standing.lead(new AbortController().signal, 1);
    expect(standing.passShards()?.held).toEqual(new Set([0, 2]));
    two.abort();
    standing.standBy(2);
    expect(signal.aborted).toBe(true);
    expect(standing.leading).toBe(true);
    standing.startPass();
    expect(standing.passShards()?.held).toEqual(new Set([0, 1]));
  });
});
