// The test bed's stand-in for CloudCore's task manager, on plain data: the node check, the
// delayed per-image result, a registry made unreachable for one node, and the job's phase as
// KubeEdge computes it from its nodes.
import { describe, expect, it } from 'vitest';
import { nextJobStatus, parsePullConfig, type NodeFacts, type PrePullJobObject } from '../../../src/testbed/prepull-controller.ts';

const IMAGE = 'registry.example.com/essg/firewall@sha256:4444';
const T0 = '2026-12-01T10:00:00Z';
const later = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString().replace('.000', '');
const ready: NodeFacts = { edge: true, ready: true };
const job = (nodeNames: string[], failureTolerate?: string): PrePullJobObject => ({ metadata: { name: 'j' }, spec: { imagePrePullTemplate: { images: [IMAGE], nodeNames, ...(failureTolerate ? { failureTolerate } : {}) } } });
const config = parsePullConfig({ delaySeconds: '2' });

describe('image pre-pull controller (simulated CloudCore)', () => {
  it('fails a NotReady node at once with KubeEdge\'s reason and starts the reachable ones', () => {
    const status = nextJobStatus({ job: job(['up', 'down', 'gone']), nodes: new Map([['up', ready], ['down', { edge: true, ready: false }]]), config, now: T0 })!;
    expect(status.phase).toBe('InProgress');
    expect(status.nodeStatus).toEqual([
      { nodeName: 'up', phase: 'InProgress', actionFlow: [{ action: 'Check', status: 'True', time: T0 }] },
      { nodeName: 'down', phase: 'Failure', reason: 'the node is not ready' },
      { nodeName: 'gone', phase: 'Failure', reason: 'failed to get node, err: nodes "gone" not found' },
    ]);
  });

  it('reports each image after the delay, and the job Completed', () => {
    const started = { ...job(['up']), status: nextJobStatus({ job: job(['up']), nodes: new Map([['up', ready]]), config, now: T0 })! };
    expect(nextJobStatus({ job: started, nodes: new Map([['up', ready]]), config, now: later(1) })).toBeUndefined();
    const done = nextJobStatus({ job: started, nodes: new Map([['up', ready]]), config, now: later(2) })!;
    expect(done.phase).toBe('Completed');
    expect(done.nodeStatus?.[0]).toMatchObject({ phase: 'Successful', imageStatus: [{ image: IMAGE, status: 'True' }], actionFlow: [{ action: 'Check' }, { action: 'Pull', status: 'True', time: later(2) }] });
    expect(nextJobStatus({ job: { ...started, status: done }, nodes: new Map([['up', ready]]), config, now: later(9) })).toBeUndefined();
  });

  it('fails the image the registry cannot serve to that node, and the job beyond failureTolerate', () => {
    const failing = parsePullConfig({ delaySeconds: '0', failures: JSON.stringify([{ image: IMAGE, node: 'b' }]) });
    const nodes = new Map([['a', ready], ['b', ready]]);
    const started = { ...job(['a', 'b'], '0.1'), status: nextJobStatus({ job: job(['a', 'b'], '0.1'), nodes, config: failing, now: T0 })! };
    const done = nextJobStatus({ job: started, nodes, config: failing, now: T0 })!;
    expect(done.nodeStatus?.map((n) => [n.nodeName, n.phase, n.reason])).toEqual([['a', 'Successful', undefined], ['b', 'Failure', 'there were some failures when pulling images']]);
    expect(done.nodeStatus?.[1]?.imageStatus?.[0]).toMatchObject({ image: IMAGE, status: 'False', reason: expect.stringContaining('registry unreachable') });
    expect(done.phase).toBe('Failure');
    // Half the nodes failed: within a failureTolerate of 0.5 the job is Completed.
    const tolerant = { ...job(['a', 'b'], '0.5'), status: started.status };
    expect(nextJobStatus({ job: tolerant, nodes, config: failing, now: T0 })?.phase).toBe('Completed');
  });

  it('fails a node that went away while it pulled as not ready', () => {
    const started = { ...job(['up']), status: nextJobStatus({ job: job(['up']), nodes: new Map([['up', ready]]), config, now: T0 })! };
    const done = nextJobStatus({ job: started, nodes: new Map([['up', { edge: true, ready: false }]]), config, now: later(5) })!;
    expect(done).toMatchObject({ phase: 'Failure', nodeStatus: [{ nodeName: 'up', phase: 'Failure', reason: 'the node is not ready' }] });
  });
});
