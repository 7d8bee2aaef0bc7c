// The watch cache tells the service when one of our ImagePrePullJobs finishes on a node, so a
// gateway held while its node pulls switches as soon as the pull ends. Once per node and job,
// not for the jobs of the first listing (the startup pass reads them), not for a job still
// pulling, and a job deleted and made again under its name is a new one.
import { describe, expect, it } from 'vitest';
import { PrePullProgress, type PrePullFinished } from '../../../src/apply/prepull-progress.ts';
import type { LiveObject } from '../../../src/diff/index.ts';

type Phase = 'InProgress' | 'Successful' | 'Failure';

function job(name: string, nodes: Readonly<Record<string, Phase>>, reason?: string): LiveObject {
  return {
    apiVersion: 'operations.kubeedge.io/v1alpha2', kind: 'ImagePrePullJob', metadata: { name },
    spec: { imagePrePullTemplate: { nodeNames: ['gw-1', 'gw-2'], images: ['registry/ids:2.0'] } },
    status: { nodeStatus: Object.entries(nodes).map(([nodeName, phase]) => ({ nodeName, phase, ...(reason ? { reason } : {}) })) },
  } as unknown as LiveObject;
}

describe('pre-pull progress', () => {
  it('reports each node a job finishes on, once, whether it pulled, failed or could not be reached', () => {
    const progress = new PrePullProgress();
    const told: PrePullFinished[] = [];
    const unsubscribe = progress.listen((finished) => told.push(finished));
    progress.seen(job('a', { 'gw-1': 'Successful' }), { firstListing: true });
    expect(told).toEqual([]);
    progress.seen(job('a', { 'gw-1': 'Successful', 'gw-2': 'InProgress' }), { firstListing: false });
    expect(told).toEqual([]);
    progress.seen(job('a', { 'gw-1': 'Successful', 'gw-2': 'Successful' }), { firstListing: false });
    progress.seen(job('a', { 'gw-1': 'Successful', 'gw-2': 'Successful' }), { firstListing: false }); // a resync
    progress.seen(job('b', { 'gw-2': 'Failure', 'gw-1': 'Failure' }, 'the node is not ready'), { firstListing: false });
    expect(told).toEqual([{ job: 'a', nodes: ['gw-2'] }, { job: 'b', nodes: ['gw-1', 'gw-2'] }]);

    progress.gone(job('a', {}));
    progress.seen(job('a', { 'gw-1': 'Successful' }), { firstListing: false });
    expect(told.at(-1)).toEqual({ job: 'a', nodes: ['gw-1'] });
    unsubscribe();
    progress.seen(job('c', { 'gw-1': 'Successful' }), { firstListing: false });
    expect(told).toHaveLength(3);
  });
});
