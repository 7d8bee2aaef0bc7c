// The test bed makes a chosen image fail as a kubelet would show it, on real Deployments run
// by the real controller-manager: crash-looping, never ready, or not pullable; healing the
// image makes its pods healthy again. The health stage reads these pods as it would read a
// real kubelet's.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { deploymentHealth, HealthStatus, podHealth, restarts, type Deployment, type Pod } from '../../src/health/index.ts';
import { failImage, failingImages, healImage } from '../../src/testbed/index.ts';
import { DIGEST_ANNOTATION, failureStages } from '../../src/testbed/image-failures.ts';
import { ensureGateways, kube, namespace, waitFor, type Kube } from './helpers/kube.ts';

const GATEWAY = 'it-fail-image-gw';
const run = promisify(execFile);
const essg = (...args: string[]): Promise<{ stdout: string }> => run(process.execPath, [path.resolve('bin/essg.js'), ...args], { env: process.env });

/** A digest no other test (or earlier run on a kept test bed) uses. */
function freshDigest(): string {
  return `sha256:${randomBytes(32).toString('hex')}`;
}

function image(service: string, digest: string): string {
  return `registry.example.com/essg/${service}@${digest}`;
}

/** A daemon service as the renderer makes one: one replica pinned to the gateway, a readiness probe, surge before the old pod goes. */
function serviceDeployment({ name, digest, progressDeadlineSeconds }: { name: string; digest: string; progressDeadlineSeconds?: number }): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      ...(progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds } : {}),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': GATEWAY, 'node-role.kubernetes.io/edge': '' },
          containers: [{ name, image: image(name, digest), readinessProbe: { httpGet: { path: '/healthz', port: 9100 } } }],
        },
      },
    },
  };
}

/** The pod as the health stage reads live objects: plain JSON. */
function asJson<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function ready(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function waiting(pod: V1Pod): string | undefined {
  return pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
}

describe('test bed failing images', () => {
  let k: Kube;
  let ns: Awaited<ReturnType<typeof namespace>>;
  const digests: string[] = [];
  const failing = async (mode: Parameters<typeof failImage>[0]['mode']): Promise<string> => {
    const digest = freshDigest();
    digests.push(digest);
    await failImage({ kubeconfig: k.config, digest, mode });
    return digest;
  };
  const pods = async (app: string): Promise<V1Pod[]> => (await k.core.listNamespacedPod({ namespace: ns.name, labelSelector: `app=${app}` })).items;
  const deployment = (name: string): Promise<V1Deployment> => k.apps.readNamespacedDeployment({ name, namespace: ns.name });

  beforeAll(async () => {
    k = await kube();
    await ensureGateways([GATEWAY]);
    ns = await namespace(k, 'it-fail-image');
  });
  afterAll(async () => {
    if (k) await Promise.all(digests.map((digest) => healImage({ kubeconfig: k.config, digest, replacePods: false })));
    await ns?.remove();
  });

  it('crash-loops the new pod of a rolling update to a failing image, with rising restarts, while the old pod keeps serving', async () => {
    const good = freshDigest();
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: serviceDeployment({ name: 'ids', digest: good }) });
    const old = await waitFor('the ids pod Ready on the good image', async () => (await pods('ids')).find(ready));

    const bad = await failing('crashloop');
    await k.apps.patchNamespacedDeployment(
      { name: 'ids', namespace: ns.name, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image('ids', bad) }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );

    const crashing = await waitFor('the new ids pod crash-looping after a restart', async () =>
      (await pods('ids')).find((p) => p.spec?.containers[0]?.image === image('ids', bad) && restarts(asJson<Pod>(p)) > 0 && waiting(p) === 'CrashLoopBackOff'),
    );
    expect(podHealth(asJson<Pod>(crashing))).toMatchObject({ status: HealthStatus.Degraded, message: expect.stringContaining('CrashLoopBackOff') });
    expect(crashing.status?.phase).toBe('Running');
    expect(ready(crashing)).toBe(false);
    expect(crashing.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    // It keeps crashing: the kubelet restarts it again after its back-off.
    const restartsBefore = restarts(asJson<Pod>(crashing));
    await waitFor('the crash-looping pod restarted once more', async () => {
      const now = (await pods('ids')).find((p) => p.metadata?.uid === crashing.metadata?.uid);
      return now && restarts(asJson<Pod>(now)) > restartsBefore;
    });
    // maxUnavailable 0: the old pod stays until a new one is Ready, which never comes.
    const still = (await pods('ids')).find((p) => p.metadata?.uid === old.metadata?.uid);
    expect(still && ready(still)).toBe(true);
  }, 180_000);

  it('writes a failure’s stages one after the other, the stage a fresh pod enters last, so KWOK knows every later stage before a pod can enter the first', async () => {
    const digest = await failing('crashloop');
    const written = (await k.custom.listClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'stages' })) as { items: { metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> } }[] };
    const ofDigest = written.items.filter((s) => s.metadata.annotations?.[DIGEST_ANNOTATION] === digest);
    const byWrite = [...ofDigest].sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((s) => s.metadata.name);
    expect(byWrite).toEqual(failureStages({ digest, mode: 'crashloop' }).map((s) => s.metadata.name).reverse());
  });

  it('keeps a pod of an image that never becomes ready Running and not Ready, until the Deployment exceeds its progress deadline', async () => {
    const digest = await failing('never-ready');

    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: serviceDeployment({ name: 'logger', digest, progressDeadlineSeconds: 10 }) });

    const stuck = await waitFor('the logger Deployment past its progress deadline', async () => {
      const d = await deployment('logger');
      return d.status?.conditions?.some((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded') && d;
    });
    expect(deploymentHealth(asJson<Deployment>(stuck)).status).toBe(HealthStatus.Degraded);
    const [pod, ...others] = await pods('logger');
    expect(others).toEqual([]);
    expect(pod?.status?.phase).toBe('Running');
    expect(pod && ready(pod)).toBe(false);
    expect(pod?.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, restartCount: 0, state: { running: expect.anything() } });
  }, 180_000);

  it('holds a pod of an image that cannot be pulled in ImagePullBackOff', async () => {
    const digest = await failing('pull-error');

    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: serviceDeployment({ name: 'scanner', digest }) });

    const pod = await waitFor('the scanner pod in ImagePullBackOff', async () => (await pods('scanner')).find((p) => waiting(p) === 'ImagePullBackOff'));
    expect(podHealth(asJson<Pod>(pod))).toMatchObject({ status: HealthStatus.Degraded, message: expect.stringContaining('ImagePullBackOff') });
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(image('scanner', digest));
  }, 180_000);

  it('heals an image: its failing pods are replaced by Ready ones, and pods started later are Ready too', async () => {
    const digest = await failing('pull-error');
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: serviceDeployment({ name: 'edr', digest }) });
    // A bare pod has no controller to start it again: healing leaves it as it is.
    await k.core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: 'edr-bare', labels: { app: 'edr-bare' } }, spec: serviceDeployment({ name: 'edr-bare', digest }).spec?.template.spec } });
    const broken = await waitFor('the edr pod failing to pull', async () => (await pods('edr')).find((p) => waiting(p) === 'ImagePullBackOff'));
    await waitFor('the bare edr pod failing to pull', async () => (await pods('edr-bare')).find((p) => waiting(p) === 'ImagePullBackOff'));

    const healed = await healImage({ kubeconfig: k.config, digest });

    expect(healed).toMatchObject({ digest, mode: 'pull-error', replacedPods: [`${ns.name}/${broken.metadata?.name}`], keptPods: [`${ns.name}/edr-bare`] });
    const replacement = await waitFor('a Ready edr pod in place of the failing one', async () => (await pods('edr')).find((p) => p.metadata?.uid !== broken.metadata?.uid && ready(p)));
    expect(podHealth(asJson<Pod>(replacement)).status).toBe(HealthStatus.Healthy);
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: serviceDeployment({ name: 'edr-2', digest }) });
    await waitFor('a pod started after healing Ready', async () => (await pods('edr-2')).find(ready));
    expect((await failingImages({ kubeconfig: k.config })).map((f) => f.digest)).not.toContain(digest);
  }, 180_000);

  it('fail-image and heal-image on the command line take a full image reference, and status lists the failing image', async () => {
    const digest = freshDigest();
    digests.push(digest);

    const failed = await essg('testbed', 'fail-image', image('firewall', digest), '--mode', 'crashloop');
    expect(failed.stdout).toContain(`${digest}: pods started with this image now exit 1`);
    // Setting another mode replaces the first.
    await essg('testbed', 'fail-image', digest, '--mode', 'never-ready');
    const { stdout } = await essg('testbed', 'status', '--json');
    const listed = (JSON.parse(stdout) as { failingImages: { digest: string; mode: string }[] }).failingImages.filter((f) => f.digest === digest);
    expect(listed).toEqual([expect.objectContaining({ digest, mode: 'never-ready' })]);

    const healed = await essg('testbed', 'heal-image', digest);

    expect(healed.stdout).toContain(`${digest}: healthy again (it was failing: never-ready)`);
    expect((await failingImages({ kubeconfig: k.config })).map((f) => f.digest)).not.toContain(digest);
  }, 120_000);
});
