import { describe, expect, it } from 'vitest';
import { UPLINK_LABEL } from '../../../src/testbed/components.ts';
import { edgeNodeManifest, numberedGatewayNames, summarizeNode } from '../../../src/testbed/nodes.ts';

describe('simulated gateway nodes', () => {
  it('carries the labels KubeEdge gives an edge node, and an uplink that starts up', () => {
    const node = edgeNodeManifest({ name: 'acme-sh-01', kubeedge: 'v1.23.0', kubernetes: 'v1.32.2' });

    expect(node.metadata?.labels).toMatchObject({
      'node-role.kubernetes.io/edge': '',
      'node-role.kubernetes.io/agent': '',
      'kubernetes.io/hostname': 'acme-sh-01',
      [UPLINK_LABEL]: 'up',
    });
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.32.2-kubeedge-v1.23.0');
  });

  it('names numbered gateways so they sort in order', () => {
    expect(numberedGatewayNames(3)).toEqual(['gw-001', 'gw-002', 'gw-003']);
    expect(numberedGatewayNames(1000).at(-1)).toBe('gw-1000');
    expect(numberedGatewayNames(1000)[0]).toBe('gw-0001');
  });

  it('summarizes a node without a Ready condition as Unknown', () => {
    expect(summarizeNode({ metadata: { name: 'n', labels: { [UPLINK_LABEL]: 'down' } } })).toEqual({ name: 'n', uplink: 'down', ready: 'Unknown' });
  });
});
