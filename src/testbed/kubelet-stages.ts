// The stages that play the kubelet of every simulated gateway. KWOK serves stages from the
// API server here (so fail-image can add some while it runs), and then loads no defaults of
// its own: the test bed installs the ones KWOK would have loaded, from KWOK's published
// stage YAML, plus one it lacks (a pod Ready again after its node's outage).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { KWOK_CRD_DIR, KWOK_STAGE_DIR } from './build-plan.ts';
import { UPLINK_LABEL, type HeartbeatTiming } from './components.ts';
import { installCrds } from './crds.ts';
import { conditionStatus, NOT_DELETING, podStage, STAGE_GROUP, STAGE_PLURAL, STAGE_ROLE_LABEL, STAGE_VERSION, type KwokStage } from './kwok-stage.ts';
import { LABEL } from '../contract/index.ts';

/**
 * KWOK's defaults, as its controller picks them when no stage is configured (kwok v0.7
 * cmd/root.go): node initialisation, a node status heartbeat, and pods made Ready at once,
 * completed when a Job owns them, and deleted when asked. KWOK takes the slow
 * "heartbeat-with-lease" variant only when node leases are off.
 */
export function kwokDefaultStageFiles({ leaseDurationSeconds }: { leaseDurationSeconds: number }): string[] {
  const heartbeat = leaseDurationSeconds === 0 ? 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml' : 'node/heartbeat/node-heartbeat.yaml';
  return ['node/fast/node-initialize.yaml', heartbeat, 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];
}

/** Marks a stage as one of the test bed's kubelet stages, leaving KWOK's definition as published. */
export function asKubeletStage(stage: KwokStage): KwokStage {
  return { ...stage, metadata: { ...stage.metadata, labels: { ...stage.metadata.labels, [LABEL.managedBy]: 'essg-testbed', [STAGE_ROLE_LABEL]: 'kubelet' } } };
}

/**
 * A gateway back from an outage reports its pods again. While it was unreachable the node
 * lifecycle controller set their Ready condition to False (and only that condition); its
 * kubelet, seeing its containers still ready, sets Ready back to True. KWOK's defaults only
 * make new pods Ready, so without this a pod stays not Ready after its gateway is back.
 */
export function podReadyAgainStage(): KwokStage {
  return podStage({
    name: 'essg-pod-ready-again',
    role: 'kubelet',
    selector: [
      NOT_DELETING,
      { key: '.status.phase', operator: 'In', values: ['Running'] },
      { key: conditionStatus('Ready'), operator: 'In', values: ['False'] },
      { key: conditionStatus('ContainersReady'), operator: 'In', values: ['True'] },
    ],
    next: {
      statusTemplate: ['conditions:', '- lastTransitionTime: {{ Now | Quote }}', '  status: "True"', '  type: Ready', ''].join('\n'),
    },
  });
}

/**
 * KWOK's node status report comes every 20–45 s; here as often as the lease renews (plus up to
 * half again), so that `offline`, which must outwait a report already scheduled when the
 * uplink is cut, returns within seconds on a small test bed.
 */
export function reportingEvery(stage: KwokStage, seconds: number): KwokStage {
  if (stage.spec.resourceRef.kind !== 'Node' || !stage.metadata.name.startsWith('node-heartbeat')) return stage;
  return { ...stage, spec: { ...stage.spec, delay: { durationMilliseconds: seconds * 1000, jitterDurationMilliseconds: seconds * 500 } } };
}

/**
 * The node status report only while the gateway's uplink is up. KWOK's heartbeat stage plays
 * itself again on the node its report returns (immediateNextStage), whether or not KWOK still
 * manages the node: a report in flight or queued when `offline` flips the uplink label would
 * otherwise keep the node Ready for ever. The report that returns the label down ends it.
 */
export function whileUplinkUp(stage: KwokStage): KwokStage {
  if (stage.spec.resourceRef.kind !== 'Node' || !stage.metadata.name.startsWith('node-heartbeat')) return stage;
  const uplinkUp = { key: `.metadata.labels["${UPLINK_LABEL}"]`, operator: 'In', values: ['up'] } as const;
  return { ...stage, spec: { ...stage.spec, selector: { matchExpressions: [...stage.spec.selector.matchExpressions, uplinkUp] } } };
}

export async function readKubeletStages({ kwokDir, timing }: { kwokDir: string; timing: Pick<HeartbeatTiming, 'leaseDurationSeconds' | 'statusReportSeconds'> }): Promise<KwokStage[]> {
  const files = kwokDefaultStageFiles({ leaseDurationSeconds: timing.leaseDurationSeconds });
  const defaults = await Promise.all(files.map(async (file) => parse(await readFile(path.join(kwokDir, KWOK_STAGE_DIR, file), 'utf8')) as KwokStage));
  return [...defaults.map((stage) => asKubeletStage(whileUplinkUp(reportingEvery(stage, timing.statusReportSeconds)))), podReadyAgainStage()];
}

/** Installs the Stage CRD and the kubelet stages; before KWOK starts, so it finds them at once. */
export async function installKubeletStages({ kubeconfig, kwokDir, timing }: { kubeconfig: KubeConfig; kwokDir: string; timing: HeartbeatTiming }): Promise<string[]> {
  await installCrds({ kubeconfig, dir: path.join(kwokDir, KWOK_CRD_DIR) });
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const stages = await readKubeletStages({ kwokDir, timing });
  await Promise.all(
    stages.map(async (body) => {
      try {
        await custom.createClusterCustomObject({ group: STAGE_GROUP, version: STAGE_VERSION, plural: STAGE_PLURAL, body });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }),
  );
  return stages.map((s) => s.metadata.name);
}
