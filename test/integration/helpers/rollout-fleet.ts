// A fleet of its own for a rollout test: N gateways of one customer, each running
// log-collector and firewall, the first `canaries` of them labelled as canaries, with the
// rollout settings the test names; helpers to upgrade them, publish catalog versions, and
// read what the cluster holds: each gateway's Deployment and its durable rollout state.
import { randomBytes } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import type { PassSummary } from '../../../src/engine/engine.ts';
import type { GatewayRolloutState, RolloutSummary, WaveGatewayStatus } from '../../../src/rollout/index.ts';
import { templateFiles } from '../../support/template-fleet.ts';
import { commitAndPush, createBareRepo } from './git.ts';
import { ensureGateways, waitFor, type Kube } from './kube.ts';
import { FIELD_MANAGER, inventoryName, LABEL, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

export const ROLLOUT_SERVICE = 'log-collector';
const CUSTOMER = 'acme';

export interface RolloutFleetOptions {
  /** How many gateways. */
  readonly size: number;
  /** The first this many gateways carry the canary label. @default 1 */
  readonly canaries?: number;
  readonly maxUnavailable: number | string;
  readonly soakSeconds: number;
  /** log-collector's version on every gateway at first. @default 2.3.0 */
  readonly version?: string;
  /** The customer's `maintenanceWindows`, each as a YAML flow mapping. @default none: changes start at any time */
  readonly maintenanceWindows?: readonly string[];
  /** The customer's `preauthorized` response kinds. @default none */
  readonly preauthorized?: readonly string[];
  /** fleet.yaml `rollout.emergencyBypassesWindows`. @default absent: the schema's default */
  readonly emergencyBypassesWindows?: boolean;
  /** fleet.yaml `spec.prePull.enabled`: a wave's new images are pulled before it switches. @default false */
  readonly prePull?: boolean;
}

export interface RolloutFleet {
  readonly prefix: string;
  readonly url: string;
  /** Gateway (and edge node) names, in name order. */
  readonly gateways: readonly string[];
  readonly canaries: readonly string[];
  readonly namespace: string;
  readonly soakSeconds: number;
  files: Record<string, string>;
  gatewayFile(gateway: string): string;
  /** The changes that put log-collector at `version` on these gateways (all by default). */
  withVersion(version: string, gateways?: readonly string[]): Record<string, string>;
  /** A catalog entry for log-collector `version`, a copy of 2.4.0 with its own image digest. */
  publish(version: string, digest: string): Record<string, string>;
  /** log-collector's image at a catalog version of this fleet. */
  image(version: string): string;
  push(changes: Record<string, string>, message: string): Promise<string>;
}

const gatewayYaml = ({ name, canary, version }: { name: string; canary: boolean; version: string }): string => `apiVersion: essg.io/v1
kind: Gateway
metadata:
  name: ${name}
  labels: { site: lab, tier: ${canary ? 'canary' : 'standard'} }
spec:
  node: ${name}
  mode: image
  services:
    - name: log-collector
      version: ${version}
      config: { socEndpoint: "https://soc.example.com/ingest", sources: [syslog] }
    - name: firewall
      version: 3.0.0
      config: { defaultPolicy: accept }
`;

const fleetYaml = ({ prefix, maxUnavailable, soakSeconds, emergencyBypassesWindows, prePull }: { prefix: string; maxUnavailable: number | string; soakSeconds: number; emergencyBypassesWindows: boolean | undefined; prePull: boolean }): string => `apiVersion: essg.io/v1
kind: Fleet
metadata:
  name: soc-fleet
spec:
  operators: [soc-lead, example-soc/fleet-operators]
  namespacePrefix: ${prefix}-
${prePull ? '  prePull: { enabled: true, concurrency: 5, timeoutSeconds: 300, retryTimes: 1 }\n' : '  # No pre-pull: what these tests watch is the waves; each gateway switches when its wave starts.\n'}  rollout:
    canarySelector: { tier: canary }
    maxUnavailable: ${typeof maxUnavailable === 'number' ? maxUnavailable : `"${maxUnavailable}"`}
    soakSeconds: ${soakSeconds}
    progressDeadlineSeconds: 600
${emergencyBypassesWindows === undefined ? '' : `    emergencyBypassesWindows: ${emergencyBypassesWindows}\n`}  prune:
    maxDeletionShare: 0.25
`;

// No maintenance windows unless the test names them: a change may then start on these
// gateways at any time, so the waves are all a rollout waits for. Every data category is
// allowed: the catalog's services collect and report several, and these tests are about waves.
const customerYaml = ({ maintenanceWindows = [], preauthorized = [] }: Pick<RolloutFleetOptions, 'maintenanceWindows' | 'preauthorized'>): string => `apiVersion: essg.io/v1
kind: Customer
metadata:
  name: ${CUSTOMER}
spec:
  displayName: ACME Bank
  approvers: [acme-secops-lead]
  requiredApprovals: 1
${maintenanceWindows.length > 0 ? `  maintenanceWindows:\n${maintenanceWindows.map((w) => `    - ${w}\n`).join('')}` : ''}${preauthorized.length > 0 ? `  preauthorized: [${preauthorized.join(', ')}]\n` : ''}  dataCollection:
    allow: [alerts, security-events, raw-logs, flow-logs, packet-captures, asset-inventory, vulnerability-findings, system-metrics]
  dataReporting:
    allow: [alerts, security-events, raw-logs, flow-logs, packet-captures, asset-inventory, vulnerability-findings, system-metrics]
`;

const VERSION_LINE = /(name: log-collector\n {6}version: )(\S+)/;

export async function createRolloutFleet({ size, canaries = 1, maxUnavailable, soakSeconds, version = '2.3.0', maintenanceWindows, preauthorized, emergencyBypassesWindows, prePull = false }: RolloutFleetOptions): Promise<RolloutFleet> {
  const prefix = `r${randomBytes(2).toString('hex')}`;
  const { url } = await createBareRepo(prefix);
  const gateways = Array.from({ length: size }, (_, i) => `${prefix}-gw-${String(i + 1).padStart(2, '0')}`);
  const gatewayFile = (gateway: string) => `gateways/${CUSTOMER}/${gateway}.yaml`;
  const files: Record<string, string> = {
    'fleet.yaml': fleetYaml({ prefix, maxUnavailable, soakSeconds, emergencyBypassesWindows, prePull }),
    [`customers/${CUSTOMER}.yaml`]: customerYaml({ ...(maintenanceWindows ? { maintenanceWindows } : {}), ...(preauthorized ? { preauthorized } : {}) }),
  };
  for (const [file, content] of Object.entries(templateFiles())) if (file.startsWith('catalog/')) files[file] = content;
  gateways.forEach((name, i) => (files[gatewayFile(name)] = gatewayYaml({ name, canary: i < canaries, version })));

  const fleet: RolloutFleet = {
    prefix,
    url,
    gateways,
    canaries: gateways.slice(0, canaries),
    namespace: `${prefix}-${CUSTOMER}`,
    soakSeconds,
    files,
    gatewayFile,
    withVersion(next, only = gateways) {
      return Object.fromEntries(only.map((g) => [gatewayFile(g), fleet.files[gatewayFile(g)]!.replace(VERSION_LINE, `$1${next}`)]));
    },
    publish(next, digest) {
      const base = fleet.files['catalog/log-collector/2.4.0.yaml']!;
      return { [`catalog/log-collector/${next}.yaml`]: base.replace('version: 2.4.0', `version: ${next}`).replace(/@sha256:[0-9a-f]{64}/, `@${digest}`) };
    },
    image(at) {
      const entry = fleet.files[`catalog/log-collector/${at}.yaml`];
      const image = entry && /^ {2}image: (\S+)$/m.exec(entry)?.[1];
      if (!image) throw new Error(`log-collector ${at} is not in this fleet's catalog`);
      return image;
    },
    async push(changes, message) {
      Object.assign(fleet.files, changes);
      return commitAndPush({ url, files: changes, message });
    },
  };
  await ensureGateways(gateways);
  await commitAndPush({ url, files, message: 'the fleet' });
  return fleet;
}

/** This fleet's namespace, inventories and edge nodes gone; other fleets keep theirs. */
export async function removeRolloutFleet(fleet: RolloutFleet | undefined, k: Kube): Promise<void> {
  if (!fleet) return;
  await k.core.deleteNamespace({ name: fleet.namespace }).catch(() => undefined);
  for (const gateway of fleet.gateways) {
    await k.core.deleteNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: inventoryName(gateway) }).catch(() => undefined);
    await k.core.deleteNode({ name: gateway }).catch(() => undefined);
  }
}

/** What a test reads of one gateway's log-collector Deployment. */
export interface DeploymentView {
  readonly image: string | undefined;
  readonly generation: number;
  /** When the reconciler's apply last changed it (the API server's managedFields time, whole seconds). */
  readonly appliedAt: string | undefined;
  /** The controller saw this spec and its one replica is updated, available, and the only one. */
  readonly ready: boolean;
}

export function viewOf(d: V1Deployment): DeploymentView {
  const status = d.status ?? {};
  const generation = d.metadata?.generation ?? 0;
  const replicas = d.spec?.replicas ?? 1;
  const applied = (d.metadata?.managedFields ?? []).find((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply');
  return {
    image: d.spec?.template.spec?.containers[0]?.image,
    generation,
    appliedAt: applied?.time ? new Date(applied.time).toISOString() : undefined,
    ready: (status.observedGeneration ?? 0) >= generation && status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas,
  };
}

/** Each gateway's log-collector Deployment, by gateway (absent: not created yet). */
export async function deployments(k: Kube, fleet: RolloutFleet): Promise<Map<string, DeploymentView>> {
  const list = await k.apps.listNamespacedDeployment({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=${ROLLOUT_SERVICE}` });
  const out = new Map<string, DeploymentView>();
  for (const d of list.items) {
    const gateway = d.metadata?.labels?.[LABEL.gateway];
    if (gateway && fleet.gateways.includes(gateway)) out.set(gateway, viewOf(d));
  }
  return out;
}

/** Each gateway's durable rollout state: the `rollout` key of its inventory ConfigMap. */
export async function rolloutStates(k: Kube, fleet: RolloutFleet): Promise<Map<string, GatewayRolloutState>> {
  const list = await k.core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf });
  const out = new Map<string, GatewayRolloutState>();
  for (const cm of list.items) {
    const gateway = cm.metadata?.labels?.[LABEL.inventoryOf];
    const text = cm.data?.['rollout'];
    if (gateway && text && fleet.gateways.includes(gateway)) out.set(gateway, JSON.parse(text) as GatewayRolloutState);
  }
  return out;
}

/** Gateways by the wave they took in rollout `id`, from their durable states. */
export function wavesOf(states: ReadonlyMap<string, GatewayRolloutState>, id: string): Map<number, string[]> {
  const waves = new Map<number, string[]>();
  for (const [gateway, state] of states) {
    if (state.rollout?.id !== id) continue;
    waves.set(state.rollout.wave, [...(waves.get(state.rollout.wave) ?? []), gateway].sort());
  }
  return new Map([...waves].sort(([a], [b]) => a - b));
}

/** One pass of a test's reconciler, and the Deployments as the sample right after it found them. */
export interface PassRecord {
  readonly index: number;
  /** Date.now() just before the pass started and just after it ended. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly summary: PassSummary;
  readonly deployments: ReadonlyMap<string, DeploymentView>;
}

/**
 * Runs passes, each followed by a sample of the Deployments, until `done` says so; appends
 * every pass to `record`. Only the reconciler changes these Deployments, so a change first
 * seen after pass i was made by pass i.
 */
export async function passUntil({ pass, k, fleet, what, done, record, timeoutMs = 180_000 }: {
  readonly pass: () => Promise<PassSummary>;
  readonly k: Kube;
  readonly fleet: RolloutFleet;
  readonly what: string;
  readonly done: (latest: PassRecord) => boolean;
  readonly record: PassRecord[];
  readonly timeoutMs?: number;
}): Promise<PassRecord> {
  return waitFor(what, async () => {
    const startedAt = Date.now();
    const summary = await pass();
    const endedAt = Date.now();
    const latest: PassRecord = { index: record.length, startedAt, endedAt, summary, deployments: await deployments(k, fleet) };
    record.push(latest);
    return done(latest) && latest;
  }, { timeoutMs, intervalMs: 300 });
}

/** The rollout `id` as pass `record` summarised it. */
export function rolloutIn(record: PassRecord, id: string): RolloutSummary | undefined {
  return record.summary.rollout?.rollouts.find((r) => r.id === id);
}

/** A gateway's status in rollout `id` as pass `record` summarised it. */
export function waveStatusIn(record: PassRecord, id: string, gateway: string): WaveGatewayStatus | undefined {
  return rolloutIn(record, id)?.waves.flatMap((w) => w.gateways).find((g) => g.gateway === gateway)?.status;
}

/** The index of the first pass after which the gateway's Deployment ran `image`. */
export function changedIn(record: readonly PassRecord[], gateway: string, image: string): number | undefined {
  return record.find((p) => p.deployments.get(gateway)?.image === image)?.index;
}
