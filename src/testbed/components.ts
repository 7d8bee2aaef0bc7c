// The command line of each test bed component, as pure functions of where its files are,
// which ports it got and how fast gateways heartbeat. Flags follow what controller-runtime's
// envtest and kubeadm use, trimmed to one loopback-only cluster.
import path from 'node:path';
import { LOOPBACK } from './ports.ts';
import type { Pki } from './pki.ts';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'registry', 'git-server', 'prepull-controller'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly git: number;
  /** KWOK's kubelet API (logs, resource metrics): every simulated node's kubelet endpoint. */
  readonly kwokServer: number;
  /** metrics-server, behind the API server's aggregation layer (metrics.k8s.io). */
  readonly metricsServer: number;
  /** The OCI registry (registry.ts). */
  readonly registry: number;
}
export const PORT_NAMES = ['etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'git', 'kwokServer', 'metricsServer', 'registry'] as const satisfies readonly (keyof Ports)[];

/** How often a simulated gateway renews its node lease, and how soon a silent one is marked Unknown. */
export interface HeartbeatTiming {
  readonly renewSeconds: number;
  readonly leaseDurationSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly monitorPeriodSeconds: number;
  /**
   * How often KWOK reports a node's status besides its lease (plus up to half again as jitter),
   * as a kubelet reports its conditions. A report already scheduled when the uplink is cut still
   * goes out, so `offline` waits this long past the last one.
   */
  readonly statusReportSeconds: number;
}

/**
 * Small fleets renew every 2 s so an offline gateway shows within ~12 s; large ones renew
 * less often so 1,000 leases stay around 50 writes a second on a 2-core machine.
 */
export function heartbeatTiming(gateways: number): HeartbeatTiming {
  const renewSeconds = Math.max(2, Math.ceil(gateways / 50));
  return { renewSeconds, leaseDurationSeconds: renewSeconds * 4, gracePeriodSeconds: Math.max(12, renewSeconds * 4), monitorPeriodSeconds: 2, statusReportSeconds: renewSeconds };
}

/** The latest a status report scheduled before the uplink was cut can still arrive, after the last one seen. */
export function lastStatusReportWithinMs(timing: HeartbeatTiming): number {
  return timing.statusReportSeconds * 1500 + 2000;
}

/** The label KWOK selects the nodes it heartbeats for by; `offline` flips it to `down`. */
export const UPLINK_LABEL = 'testbed.essg.io/uplink';
export const SERVICE_CIDR = '10.96.0.0/16';
export const POD_CIDR = '10.244.0.0/16';

export interface ComponentFiles {
  readonly stateDir: string;
  readonly pki: Pki;
  readonly kubeconfigs: { readonly controllerManager: string; readonly scheduler: string; readonly kwok: string; readonly admin: string };
  readonly kwokConfig: string;
}

/** Where the test bed keeps the log lines KWOK serves for every container (CRI log format). */
export function podLogFile(stateDir: string): string {
  return path.join(stateDir, 'pod-logs', 'containers.log');
}

export function etcdDataDir(stateDir: string): string {
  return path.join(stateDir, 'etcd');
}

export function etcdArgs({ files, ports }: { files: ComponentFiles; ports: Ports }): string[] {
  const client = `http://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    '--name=testbed',
    `--data-dir=${etcdDataDir(files.stateDir)}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testbed=${peer}`,
    // A test cluster is thrown away on `down`: durability buys nothing and fsync costs a lot.
    '--unsafe-no-fsync=true',
    '--quota-backend-bytes=4294967296',
    '--log-level=warn',
  ];
}

export function apiserverArgs({ files, ports }: { files: ComponentFiles; ports: Ports }): string[] {
  const { pki } = files;
  return [
    `--etcd-servers=http://${LOOPBACK}:${ports.etcdClient}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // Security services run with hostNetwork and NET_ADMIN; the test cluster must admit them.
    '--allow-privileged=true',
    // The `kubernetes` Service cannot have a loopback endpoint; nothing in the test bed needs it.
    '--endpoint-reconciler-type=none',
    // pods/log goes to the node's kubelet endpoint, which is KWOK's server on loopback (the
    // node's InternalIP); its Hostname address (the node name) resolves nowhere. Without a
    // kubelet CA the API server does not verify the kubelet's certificate, as with KWOK's own clusters.
    '--kubelet-preferred-address-types=InternalIP',
    // The aggregation layer (metrics.k8s.io is served by metrics-server): the API server
    // proxies with a client certificate metrics-server trusts, as kwokctl sets it up.
    `--proxy-client-cert-file=${pki.clients.admin.cert}`,
    `--proxy-client-key-file=${pki.clients.admin.key}`,
    '--profiling=false',
    '--v=0',
  ];
}

export function controllerManagerArgs({ files, ports, timing }: { files: ComponentFiles; ports: Ports; timing: HeartbeatTiming }): string[] {
  const { pki } = files;
  const kubeconfig = files.kubeconfigs.controllerManager;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${path.join(files.stateDir, 'kube-controller-manager')}`,
    '--leader-elect=false',
    '--controllers=*',
    // Each controller acts with its own service account, as in kubeadm clusters, so RBAC is real.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    `--node-monitor-period=${timing.monitorPeriodSeconds}s`,
    `--node-monitor-grace-period=${timing.gracePeriodSeconds}s`,
    '--kube-api-qps=100',
    '--kube-api-burst=200',
    '--profiling=false',
    '--v=0',
  ];
}

export function schedulerArgs({ files, ports }: { files: ComponentFiles; ports: Ports }): string[] {
  const kubeconfig = files.kubeconfigs.scheduler;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${path.join(files.stateDir, 'kube-scheduler')}`,
    '--leader-elect=false',
    '--profiling=false',
    '--v=0',
  ];
}

export function kwokArgs({ files, ports, timing }: { files: ComponentFiles; ports: Pick<Ports, 'kwokServer'>; timing: HeartbeatTiming }): string[] {
  return [
    `--config=${files.kwokConfig}`,
    `--kubeconfig=${files.kubeconfigs.kwok}`,
    // Stages come from the API server (kubelet-stages.ts installs them), so a failing image
    // can be set and healed while KWOK runs.
    '--enable-crds=Stage',
    '--manage-all-nodes=false',
    `--manage-nodes-with-label-selector=${UPLINK_LABEL}=up`,
    `--node-lease-duration-seconds=${timing.leaseDurationSeconds}`,
    `--cidr=${POD_CIDR}`,
    // KWOK's kubelet API (pods/log, resource metrics), with a certificate of its own. Every
    // node it initialises gets this address and port as its kubelet endpoint, as kwokctl does.
    `--server-address=${LOOPBACK}:${ports.kwokServer}`,
    `--node-ip=${LOOPBACK}`,
    `--node-port=${ports.kwokServer}`,
  ];
}

/** How often metrics-server scrapes every node (its minimum): figures appear within two scrapes. */
export const METRIC_RESOLUTION_SECONDS = 10;

/**
 * metrics-server as kwokctl runs it next to KWOK: it finds each node's kubelet at its
 * InternalIP and status port (KWOK's server), at the path the node's
 * `metrics.k8s.io/resource-metrics-path` annotation names, and trusts KWOK's own certificate.
 */
export function metricsServerArgs({ files, ports }: { files: ComponentFiles; ports: Pick<Ports, 'metricsServer'> }): string[] {
  const kubeconfig = files.kubeconfigs.admin;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${ports.metricsServer}`,
    `--tls-cert-file=${files.pki.serverCert}`,
    `--tls-private-key-file=${files.pki.serverKey}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    '--kubelet-insecure-tls',
    `--metric-resolution=${METRIC_RESOLUTION_SECONDS}s`,
    '--kubelet-request-timeout=5s',
    '--v=0',
  ];
}

/** The path KWOK serves a node's kubelet resource metrics on (its Metric `metrics-resource`). */
export function resourceMetricsPath(node: string): string {
  return `/metrics/nodes/${node}/metrics/resource`;
}

/**
 * KWOK's own configuration: more parallelism than its defaults, for 1,000 gateways; its
 * log emulation: every container's pods/log reads the test bed's one CRI log file (KWOK's
 * ClusterLogs; no selector matches every pod); and its resource metrics emulation, KWOK's
 * published Metric and ClusterResourceUsage documents as they are (`metrics`).
 */
export function kwokConfiguration({ podLogs, metrics = [] }: { podLogs: string; metrics?: readonly string[] }): string {
  return [
    'apiVersion: config.kwok.x-k8s.io/v1alpha1',
    'kind: KwokConfiguration',
    'options:',
    '  nodeLeaseParallelism: 16',
    '  nodePlayStageParallelism: 8',
    '  podPlayStageParallelism: 8',
    '  enableDebuggingHandlers: true',
    '---',
    'apiVersion: kwok.x-k8s.io/v1alpha1',
    'kind: ClusterLogs',
    'metadata:',
    '  name: essg-testbed-logs',
    'spec:',
    '  logs:',
    `  - logsFile: ${JSON.stringify(podLogs)}`,
    ...metrics.flatMap((document) => ['---', document.trim()]),
    '',
  ].join('\n');
}
