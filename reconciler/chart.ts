// The reconciler's own deployment, as a cdk8s chart: namespace, identity, least-privilege
// RBAC, configuration, two replicas (one leads through a Lease) and the Service for the
// webhook, metrics and dashboard port.
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import * as k8s from '../imports/k8s.ts';
import { LABEL, PRODUCT, RECONCILER_NAME, SYSTEM_NAMESPACE } from '../src/contract/index.ts';

export const NAMESPACE = SYSTEM_NAMESPACE;
export const NAME = RECONCILER_NAME;
export const PORT = 9464;

export interface ReconcilerChartProps extends ChartProps {
  /** The reconciler image. @default 'ghcr.io/essg-fleet/essg-reconciler:0.1.0' */
  readonly image?: string;
  /** @default 2 */
  readonly replicas?: number;
  /**
   * Split the gateways into this many shards, each applied by one replica (`--shards`); set
   * it to `replicas` (or a multiple) once one replica no longer keeps up. @default 1: one replica applies, the others stand by
   */
  readonly shards?: number;
  /** The fleet repo's clone URL. @default 'https://github.com/example/essg-fleet-repo.git' */
  readonly repo?: string;
  /** @default 'main' */
  readonly branch?: string;
  /** 'github' checks merged pull requests for the customers' approvals; 'off' trusts the branch. @default 'github' */
  readonly approvals?: 'github' | 'off';
  /** Poll schedule, a node-cron expression. @default every minute */
  readonly interval?: string;
  /** The fleet repo on GitHub (owner/name), whose pull requests carry the approvals. @default 'example/essg-fleet-repo' */
  readonly githubRepo?: string;
}

/**
 * Each rule names only the resources the reconciler manages or reads, with only the verbs
 * it uses: apply is a PATCH (create for a first write), prune a DELETE; watches back the
 * health assessment. Namespaces are never deleted by a pass (a customer namespace is shared).
 */
export const CLUSTER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['operations.kubeedge.io'], resources: ['imageprepulljobs'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  // Read only: gateway health and recent logs.
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  // CPU and memory figures (metrics-server's API), read only.
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
  // Events on the managed objects, in the customers' namespaces.
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

/**
 * The Leases live in the reconciler's own namespace only: the leader's, or (sharded) one per
 * shard and one per replica, listed to count the live replicas and deleted once a gone
 * replica's has been unrenewed for long.
 */
export const NAMESPACE_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
];

export class ReconcilerChart extends Chart {
  constructor(scope: Construct, id: string, props: ReconcilerChartProps = {}) {
    super(scope, id, { ...props, namespace: undefined, disableResourceNameHashes: true });
    const labels = { [LABEL.name]: NAME, [LABEL.partOf]: PRODUCT, [LABEL.component]: 'reconciler' };
    const metadata = (name: string, namespaced = true): k8s.ObjectMeta => ({ name, ...(namespaced ? { namespace: NAMESPACE } : {}), labels });

    new k8s.KubeNamespace(this, 'namespace', { metadata: metadata(NAMESPACE, false) });
    new k8s.KubeServiceAccount(this, 'service-account', { metadata: metadata(NAME) });
    new k8s.KubeClusterRole(this, 'cluster-role', { metadata: metadata(NAME, false), rules: [...CLUSTER_RULES] });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: metadata(NAME, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
    });
    new k8s.KubeRole(this, 'role', { metadata: metadata(`${NAME}-leader-election`), rules: [...NAMESPACE_RULES] });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: metadata(`${NAME}-leader-election`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
    });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: metadata(NAME),
      data: {
        ESSG_REPO: props.repo ?? 'https://github.com/example/essg-fleet-repo.git',
        ESSG_BRANCH: props.branch ?? 'main',
        ESSG_APPROVALS: props.approvals ?? 'github',
        ESSG_INTERVAL: props.interval ?? '*/1 * * * *',
        ESSG_STATUS_PORT: String(PORT),
        ESSG_CACHE_DIR: '/var/cache/essg',
        // Two replicas: one applies, the other stands by on the Lease (sharded: each applies its shards).
        ESSG_LEADER_ELECT: 'true',
        ...(props.shards && props.shards > 1 ? { ESSG_SHARDS: String(props.shards) } : {}),
        ESSG_GITHUB_REPO: props.githubRepo ?? 'example/essg-fleet-repo',
      },
    });
    new k8s.KubeDeployment(this, 'deployment', { metadata: metadata(NAME), spec: deploymentSpec({ labels, props }) });
    new k8s.KubeService(this, 'service', {
      metadata: metadata(NAME),
      spec: {
        selector: { [LABEL.name]: NAME },
        ports: [{ name: 'http', port: PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
  }
}

function deploymentSpec({ labels, props }: { readonly labels: Record<string, string>; readonly props: ReconcilerChartProps }): k8s.DeploymentSpec {
  const secret = (key: string, name: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: NAME, key, optional: true } } });
  const probe = (path: string, periodSeconds: number, failureThreshold: number): k8s.Probe => ({
    httpGet: { path, port: k8s.IntOrString.fromString('http') },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  return {
    replicas: props.replicas ?? 2,
    selector: { matchLabels: { [LABEL.name]: NAME } },
    // The standby is ready (it serves status); a new pod must be ready before an old one goes.
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
    template: {
      metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORT), 'prometheus.io/path': '/metrics' } },
      spec: {
        serviceAccountName: NAME,
        automountServiceAccountToken: true,
        // The leader's Lease outlives it by 15 s; a short grace lets it release the Lease itself.
        terminationGracePeriodSeconds: 30,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        // The reconciler belongs in the cloud part of the cluster, never on a gateway.
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/edge', operator: 'DoesNotExist' }] }],
            },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [LABEL.name]: NAME } } },
            }],
          },
        },
        containers: [{
          name: 'reconciler',
          image: props.image ?? 'ghcr.io/essg-fleet/essg-reconciler:0.1.0',
          imagePullPolicy: 'IfNotPresent',
          args: ['reconcile'],
          ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
          envFrom: [{ configMapRef: { name: NAME } }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            // The leader writes where it is reached into its Lease; a standby forwards webhooks there.
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'ESSG_ADVERTISE_URL', value: `http://$(POD_IP):${PORT}` },
            secret('github-token', 'GITHUB_TOKEN'),
            secret('webhook-secret', 'ESSG_WEBHOOK_SECRET'),
            // Who reads status, /metrics and the dashboard: a token for the SOC's tools (Prometheus), GitHub sign-in, and the key both replicas sign sessions with.
            secret('status-token', 'ESSG_STATUS_TOKEN'),
            secret('oauth-client-secret', 'ESSG_OAUTH_CLIENT_SECRET'),
            secret('session-secret', 'ESSG_SESSION_SECRET'),
            { name: 'NODE_OPTIONS', value: '--max-old-space-size=768' },
          ],
          resources: {
            requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
            limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') },
          },
          startupProbe: probe('/healthz', 2, 30),
          livenessProbe: probe('/healthz', 10, 3),
          readinessProbe: probe('/readyz', 5, 3),
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [
            { name: 'cache', mountPath: '/var/cache/essg' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          // The Git cache: refetched after a restart, so it needs no persistence.
          { name: 'cache', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        ],
      },
    },
  };
}
