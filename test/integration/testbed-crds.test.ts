// The KubeEdge CRDs in the test bed are the real ones: their schemas admit a valid
// ImagePrePullJob and reject an invalid one, as a KubeEdge cluster's API server does.
import { ApiException } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { kube, type Kube } from './helpers/kube.ts';

const GROUP = { group: 'operations.kubeedge.io', version: 'v1alpha2', plural: 'imageprepulljobs' };

describe('test bed KubeEdge CRDs', () => {
  let k: Kube;
  beforeAll(async () => {
    k = await kube();
  });

  it('accepts a valid ImagePrePullJob', async () => {
    const name = `it-prepull-${Date.now()}`;
    const body = {
      apiVersion: 'operations.kubeedge.io/v1alpha2',
      kind: 'ImagePrePullJob',
      metadata: { name },
      spec: { imagePrePullTemplate: { images: ['registry.example.com/essg/ids@sha256:' + '2'.repeat(64)], nodeNames: ['gw-001'], concurrency: 2, timeoutSeconds: 300 } },
    };

    await k.custom.createClusterCustomObject({ ...GROUP, body });

    const stored = (await k.custom.getClusterCustomObject({ ...GROUP, name })) as typeof body;
    expect(stored.spec.imagePrePullTemplate.images).toEqual(body.spec.imagePrePullTemplate.images);
    await k.custom.deleteClusterCustomObject({ ...GROUP, name });
  });

  it('rejects an ImagePrePullJob whose fields break the CRD schema, naming the fields', async () => {
    const body = {
      apiVersion: 'operations.kubeedge.io/v1alpha2',
      kind: 'ImagePrePullJob',
      metadata: { name: `it-prepull-bad-${Date.now()}` },
      spec: { imagePrePullTemplate: { images: 'not-a-list', concurrency: 'lots' } },
    };

    const error = await k.custom.createClusterCustomObject({ ...GROUP, body }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(422);
    expect(String((error as ApiException<string>).body)).toContain('spec.imagePrePullTemplate.images');
    expect(String((error as ApiException<string>).body)).toContain('spec.imagePrePullTemplate.concurrency');
  });
});
