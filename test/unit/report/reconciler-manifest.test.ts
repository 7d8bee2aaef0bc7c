// The reconciler's deployment manifests: least-privilege RBAC over exactly the kinds the
// renderer emits and the reconciler reads, a hardened Deployment, and a committed
// manifest that matches what the chart synthesizes.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MANIFEST, synthManifest } from '../../../reconciler/synth.ts';
import { LABEL, MANAGED_KINDS, RECONCILER_NAME, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }
interface Doc { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; [key: string]: unknown }

const committed = readFileSync(MANIFEST, 'utf8');
const docs = parseAllDocuments(committed).map((d) => d.toJSON() as Doc);
const find = (kind: string, name?: string): Doc => {
  const doc = docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (!doc) throw new Error(`no ${kind} ${name ?? ''} in the manifest`);
  return doc;
};

/** The renderer's KIND list (src/render/objects.ts's apply order), read from its source. */
function renderedKinds(): string[] {
  const source = readFileSync(new URL('../../../src/render/objects.ts', import.meta.url), 'utf8');
  const table = /KIND_RANK[^{]*\{([^}]*)\}/.exec(source)?.[1];
  if (!table) throw new Error('src/render/objects.ts no longer has a KIND_RANK table: update this test');
  return [...table.matchAll(/(\w+)\s*:/g)].map((m) => m[1] as string);
}

/** group/resource → verbs, over every rule of a role. */
function grants(rules: readonly Rule[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const key = `${group}/${resource}`;
        const verbs = out.get(key) ?? new Set<string>();
        rule.verbs.forEach((v) => verbs.add(v));
        out.set(key, verbs);
      }
    }
  }
  return out;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] as string : '');
const READS = ['/nodes', '/pods', '/pods/log', 'metrics.k8s.io/nodes', 'metrics.k8s.io/pods', '/events'];

describe('reconciler manifests', () => {
  it('are up to date with the chart (run `npm run reconciler:synth` after changing reconciler/)', () => {
    expect(committed).toBe(synthManifest());
  });

  it('grant no wildcard anywhere', () => {
    for (const role of docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role')) {
      for (const rule of role.rules ?? []) {
        for (const value of [...rule.apiGroups, ...rule.resources, ...rule.verbs, ...(rule.resourceNames ?? [])]) {
          expect(value, `${role.kind} ${role.metadata.name}`).not.toContain('*');
        }
      }
    }
  });

  it('cover exactly the kinds the renderer emits, plus nodes, pods, pod logs, their resource metrics and events', () => {
    const kinds = renderedKinds();
    expect(kinds.length).toBeGreaterThan(0);
    const managed = kinds.map((kind) => {
      const known = MANAGED_KINDS.find((k) => k.kind === kind);
      if (!known) throw new Error(`the renderer emits ${kind}, which the cluster client does not manage`);
      return `${groupOf(known.apiVersion)}/${known.plural}`;
    });
    const clusterRole = grants(find('ClusterRole', RECONCILER_NAME).rules ?? []);
    expect([...clusterRole.keys()].sort()).toEqual([...managed, ...READS].sort());
  });

  it('let the reconciler apply and prune what it renders, but never delete a namespace', () => {
    const clusterRole = grants(find('ClusterRole', RECONCILER_NAME).rules ?? []);
    for (const kind of MANAGED_KINDS.filter((k) => renderedKinds().includes(k.kind))) {
      const verbs = clusterRole.get(`${groupOf(kind.apiVersion)}/${kind.plural}`);
      expect(verbs, kind.kind).toEqual(new Set(kind.kind === 'Namespace'
        ? ['get', 'list', 'watch', 'create', 'patch']
        : ['get', 'list', 'watch', 'create', 'patch', 'delete']));
    }
  });

  it('only read nodes, pods and their resource metrics, and only write events', () => {
    const clusterRole = grants(find('ClusterRole', RECONCILER_NAME).rules ?? []);
    expect(clusterRole.get('/nodes')).toEqual(new Set(['get', 'list', 'watch']));
    expect(clusterRole.get('/pods')).toEqual(new Set(['get', 'list', 'watch']));
    expect(clusterRole.get('/pods/log')).toEqual(new Set(['get']));
    expect(clusterRole.get('metrics.k8s.io/nodes')).toEqual(new Set(['get', 'list']));
    expect(clusterRole.get('metrics.k8s.io/pods')).toEqual(new Set(['get', 'list']));
    expect(clusterRole.get('/events')).toEqual(new Set(['create', 'patch']));
  });

  it('grant Lease access only in essg-system, for leader election and sharded replicas\' membership', () => {
    const role = find('Role');
    expect(role.metadata.namespace).toBe(SYSTEM_NAMESPACE);
    expect(grants(role.rules ?? [])).toEqual(new Map([['coordination.k8s.io/leases', new Set(['get', 'list', 'create', 'update', 'delete'])]]));
    expect(grants(find('ClusterRole').rules ?? []).has('coordination.k8s.io/leases')).toBe(false);
  });

  it('bind both roles to the reconciler service account', () => {
    const subject = { kind: 'ServiceAccount', name: RECONCILER_NAME, namespace: SYSTEM_NAMESPACE };
    expect(find('ClusterRoleBinding')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: RECONCILER_NAME }, subjects: [subject] });
    expect(find('RoleBinding')).toMatchObject({ metadata: { namespace: SYSTEM_NAMESPACE }, roleRef: { kind: 'Role', name: find('Role').metadata.name }, subjects: [subject] });
    expect(find('ServiceAccount')).toMatchObject({ metadata: { name: RECONCILER_NAME, namespace: SYSTEM_NAMESPACE } });
  });

  it('run two hardened replicas with liveness and readiness probes, configured from a ConfigMap and a Secret', () => {
    interface Container {
      securityContext: unknown;
      livenessProbe: { httpGet: unknown };
      readinessProbe: { httpGet: unknown };
      resources: { limits: { memory: string } };
      envFrom: unknown;
      env: Array<{ name: string; valueFrom?: { secretKeyRef?: { key: string } } }>;
    }
    const deployment = find('Deployment') as unknown as {
      spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] } } };
    };
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(RECONCILER_NAME);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    const [container] = pod.containers;
    expect(container?.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(container?.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container?.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container?.resources.limits.memory).toBe('1Gi');
    expect(container?.envFrom).toEqual([{ configMapRef: { name: RECONCILER_NAME } }]);
    const secretKeys = (container?.env ?? [])
      .filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom?.secretKeyRef?.key]);
    expect(secretKeys).toEqual([['GITHUB_TOKEN', 'github-token'], ['ESSG_WEBHOOK_SECRET', 'webhook-secret'], ['ESSG_STATUS_TOKEN', 'status-token'], ['ESSG_OAUTH_CLIENT_SECRET', 'oauth-client-secret'], ['ESSG_SESSION_SECRET', 'session-secret']]);
    expect(Object.keys((find('ConfigMap', RECONCILER_NAME) as unknown as { data: object }).data)).toEqual(
      expect.arrayContaining(['ESSG_REPO', 'ESSG_BRANCH', 'ESSG_APPROVALS', 'ESSG_INTERVAL']),
    );
  });

  it('expose the webhook, metrics and dashboard port through a Service', () => {
    expect(find('Service')).toMatchObject({ spec: { selector: { [LABEL.name]: RECONCILER_NAME }, ports: [{ name: 'http', port: 9464, targetPort: 'http' }] } });
  });
});
