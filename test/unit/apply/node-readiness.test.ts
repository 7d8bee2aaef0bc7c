// The watch cache tells the service when an edge node comes online, so a gateway back from an
// outage catches up at once. Not for the nodes of the first listing (the startup pass covers
// them), nor for a node that stays online across a resync.
import { describe, expect, it } from 'vitest';
import { NodeReadiness } from '../../../src/apply/watch-cache.ts';
import type { LiveObject } from '../../../src/diff/index.ts';

function node(name: string, ready: 'True' | 'False' | 'Unknown', unreachable = false): LiveObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    ...(unreachable ? { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } } : {}),
    status: { conditions: [{ type: 'Ready', status: ready }] },
  } as unknown as LiveObject;
}

describe('edge node readiness', () => {
  it('reports a node coming online after it was seen offline, and a node that appears online after the first listing', () => {
    const readiness = new NodeReadiness();
    const told: string[] = [];
    const unsubscribe = readiness.listen((name) => told.push(name));
    readiness.saw(node('gw-1', 'True'), true);
    readiness.saw(node('gw-2', 'Unknown'), true);
    readiness.saw(node('gw-3', 'True', true), true);
    expect(told).toEqual([]);
    readiness.saw(node('gw-1', 'True'), false); // a resync: still online
    readiness.saw(node('gw-2', 'Unknown'), false);
    readiness.saw(node('gw-2', 'True'), false);
    readiness.saw(node('gw-3', 'True'), false); // the unreachable taint lifted
    readiness.saw(node('gw-4', 'True'), false);
    readiness.saw(node('gw-1', 'False'), false);
    readiness.saw(node('gw-1', 'True'), false);
    expect(told).toEqual(['gw-2', 'gw-3', 'gw-4', 'gw-1']);
    unsubscribe();
    readiness.saw(node('gw-2', 'Unknown'), false);
    readiness.saw(node('gw-2', 'True'), false);
    expect(told).toHaveLength(4);
  });
});
