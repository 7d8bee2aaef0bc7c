// `essg testbed fail-image` and `heal-image`: put a failing image's stages into the running
// test bed, or take them out again. KWOK reads stages from the API server, so both act at
// once, without restarting anything.
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { StagesNotServedError } from './errors.ts';
import { DIGEST_ANNOTATION, failureStages, imageDigest, MODE_ANNOTATION, parseFailureMode, runsDigest, type FailureMode } from './image-failures.ts';
import { STAGE_GROUP, STAGE_PLURAL, STAGE_ROLE_LABEL, STAGE_VERSION, type KwokStage } from './kwok-stage.ts';

const FIELD_MANAGER = 'essg-testbed';
const STAGES = { group: STAGE_GROUP, version: STAGE_VERSION, plural: STAGE_PLURAL } as const;

export interface FailingImage {
  readonly digest: string;
  readonly mode: FailureMode;
  /** The stages that make it fail. */
  readonly stages: readonly string[];
}

/**
 * From now on, pods started with an image of this digest fail in `mode`. `digest` is
 * `sha256:<hex>` or an image reference pinned by it. Replaces a mode set for it before.
 */
export async function failImage({ kubeconfig, digest: image, mode }: { kubeconfig: KubeConfig; digest: string; mode: FailureMode }): Promise<FailingImage> {
  const digest = imageDigest(image);
  const wanted = failureStages({ digest, mode: parseFailureMode(mode) });
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const names = new Set(wanted.map((s) => s.metadata.name));
  const stale = (await stagesOf({ kubeconfig, digest })).filter((s) => !names.has(s.metadata.name));
  await Promise.all(stale.map((s) => deleteStage(custom, s.metadata.name)));
  // One after the other, the stage a pod enters first written last: KWOK sees the stages in the
  // order they were written, so once a fresh pod can enter the chain, every later stage of it
  // is known too. Written at once, a pod could start failing before KWOK knew its next stage,
  // and KWOK, which plays a stage only when the pod changes, would leave it there for good.
  for (const body of [...wanted].reverse()) {
    await custom.patchClusterCustomObject({ ...STAGES, name: body.metadata.name, body, fieldManager: FIELD_MANAGER, force: true }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
  }
  return { digest, mode, stages: [...names] };
}

export interface HealedImage {
  readonly digest: string;
  /** The mode it failed in, or undefined when it was not failing. */
  readonly mode?: FailureMode;
  /** Failing pods (namespace/name) deleted so that their controllers start healthy ones. */
  readonly replacedPods: readonly string[];
  /** Failing pods left as they are: no controller would replace them, or `replacePods` was false. */
  readonly keptPods: readonly string[];
}

/**
 * Pods started from now on with this image are healthy again. KWOK never revisits a pod that
 * nothing changes, so the failing ones would stay failed: unless `replacePods` is false, the
 * not-Ready pods of the image that a controller owns (a ReplicaSet, a Job …) are deleted and
 * come back healthy; pods without an owner are left alone, as nothing would bring them back.
 */
export async function healImage({ kubeconfig, digest: image, replacePods = true }: { kubeconfig: KubeConfig; digest: string; replacePods?: boolean }): Promise<HealedImage> {
  const digest = imageDigest(image);
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const stages = await stagesOf({ kubeconfig, digest });
  await Promise.all(stages.map((s) => deleteStage(custom, s.metadata.name)));
  const mode = stages[0]?.metadata.annotations?.[MODE_ANNOTATION] as FailureMode | undefined;
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const failing = (await core.listPodForAllNamespaces()).items.filter((pod) => (pod.spec?.containers ?? []).some((c) => runsDigest(c.image, digest)) && isFailing(pod));
  const replaced = replacePods ? failing.filter((pod) => (pod.metadata?.ownerReferences ?? []).some((o) => o.controller)) : [];
  await Promise.all(
    replaced.map(async (pod) => {
      try {
        await core.deleteNamespacedPod({ name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '' });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
      }
    }),
  );
  const name = (pod: V1Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  return { digest, mode, replacedPods: replaced.map(name), keptPods: failing.filter((p) => !replaced.includes(p)).map(name) };
}

/** The images the test bed makes fail, by digest. */
export async function failingImages({ kubeconfig }: { kubeconfig: KubeConfig }): Promise<FailingImage[]> {
  const byDigest = new Map<string, FailingImage>();
  for (const stage of await listStages(kubeconfig, 'fail-image')) {
    const digest = stage.metadata.annotations?.[DIGEST_ANNOTATION];
    const mode = stage.metadata.annotations?.[MODE_ANNOTATION] as FailureMode | undefined;
    if (!digest || !mode) continue;
    const known = byDigest.get(digest);
    byDigest.set(digest, { digest, mode, stages: [...(known?.stages ?? []), stage.metadata.name] });
  }
  return [...byDigest.values()].sort((a, b) => a.digest.localeCompare(b.digest));
}

async function stagesOf({ kubeconfig, digest }: { kubeconfig: KubeConfig; digest: string }): Promise<KwokStage[]> {
  return (await listStages(kubeconfig, 'fail-image')).filter((s) => s.metadata.annotations?.[DIGEST_ANNOTATION] === digest);
}

async function listStages(kubeconfig: KubeConfig, role: string): Promise<KwokStage[]> {
  try {
    const list = (await kubeconfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({ ...STAGES, labelSelector: `${STAGE_ROLE_LABEL}=${role}` })) as { items: KwokStage[] };
    return list.items;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) throw new StagesNotServedError(kubeconfig.getCurrentCluster()?.server ?? 'unknown');
    throw error;
  }
}

async function deleteStage(custom: CustomObjectsApi, name: string): Promise<void> {
  try {
    await custom.deleteClusterCustomObject({ ...STAGES, name });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  }
}

/** Not Ready, and neither completed nor on its way out. */
function isFailing(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Succeeded') return false;
  return !(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
}
