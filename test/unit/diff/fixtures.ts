/* eslint-disable @typescript-eslint/no-explicit-any -- objects are plain JSON; tests edit them by path */
// Small desired objects of one gateway, and what the API server makes of them.
import type { K8sObject } from '../../../src/render/index.ts';
import type { Inventory } from '../../../src/diff/index.ts';
import { inventoryEntry } from '../../../src/diff/index.ts';
import { FIELD_MANAGER, LABEL, MANAGED_BY } from '../../../src/contract/index.ts';

export const GATEWAY = 'acme-gw-01';

const labels = (service?: string) => ({
  [LABEL.managedBy]: MANAGED_BY,
  [LABEL.customer]: 'acme',
  ...(service ? { [LABEL.gateway]: GATEWAY, [LABEL.service]: service } : {}),
});

export const namespace: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme', labels: labels() } };

export function configMap(service = 'ids', data: Record<string, string> = { 'config.json': '{"homeNet":["10.0.0.0/8"]}' }): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${GATEWAY}-${service}`, namespace: 'essg-acme', labels: labels(service) }, data };
}

export function deployment(service = 'ids', { image = `registry.example.com/${service}@sha256:${'1'.repeat(64)}`, cpu = '1' } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${GATEWAY}-${service}`, namespace: 'essg-acme', labels: labels(service) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { [LABEL.instance]: `${GATEWAY}-${service}` } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { [LABEL.instance]: `${GATEWAY}-${service}` } },
        spec: {
          containers: [{ name: service, image, resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu, memory: '1Gi' } } }],
          tolerations: [],
        },
      },
    },
  };
}

export function job(service = 'vuln-scanner', image = `registry.example.com/scan@sha256:${'2'.repeat(64)}`): K8sObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${GATEWAY}-${service}-abcd1234`, namespace: 'essg-acme', labels: labels(service) },
    spec: { ttlSecondsAfterFinished: 86400, template: { spec: { restartPolicy: 'Never', containers: [{ name: service, image }] } } },
  };
}

/** The object as read back: server metadata, defaults, status, canonical quantities. */
export function asLive(object: K8sObject): K8sObject {
  const copy = structuredClone(object) as Record<string, any>;
  copy.metadata = { ...copy.metadata, uid: 'b1c2', resourceVersion: '4711', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply' }], annotations: { 'deployment.kubernetes.io/revision': '1' } };
  if (copy.kind === 'Deployment') {
    copy.spec.progressDeadlineSeconds = 600;
    copy.spec.revisionHistoryLimit = 10;
    const container = copy.spec.template.spec.containers[0];
    Object.assign(container, { terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent' });
    // "1" is canonical already; the server would turn "1000m" into "1".
    delete copy.spec.template.spec.tolerations;
    copy.spec.template.spec.dnsPolicy = 'ClusterFirst';
    copy.status = { observedGeneration: 2, replicas: 1, readyReplicas: 1 };
  }
  if (copy.kind === 'Job') {
    copy.spec.template.metadata = { labels: { 'batch.kubernetes.io/controller-uid': 'b1c2' } };
    copy.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'b1c2' } };
  }
  if (copy.kind === 'Namespace') copy.spec = { finalizers: ['kubernetes'] };
  return copy as K8sObject;
}

export function inventoryOf(objects: readonly K8sObject[], revision = 'c0ffee'): Inventory {
  return { gateway: GATEWAY, revision, renderHash: 'r1', objects: objects.map(inventoryEntry) };
}
