import { describe, expect, it } from 'vitest';
import { renderGateway } from '../../../src/render/index.ts';
import { CATALOG, fleetModel, gatewayModel, NOW } from './fleet-fixture.ts';
import { find, ofKind, podSpecOf } from './objects.ts';
import { LABEL, MANAGED_BY, PRODUCT } from '../../../src/contract/index.ts';

const model = fleetModel({
  gateways: [
    gatewayModel({
      name: 'acme-sh-01',
      node: 'edge-node-17',
      services: [{ catalog: CATALOG.logCollector }, { catalog: CATALOG.firewall }, { catalog: CATALOG.scanner }, { catalog: CATALOG.discovery }],
    }),
  ],
});
const { objects } = renderGateway({ model, gateway: 'acme-sh-01', now: NOW });
const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job'), ...ofKind(objects, 'CronJob')];

describe('placement on the KubeEdge edge node', () => {
  it('renders one workload per service kind', () => {
    expect(workloads.map((w) => w.kind).sort()).toEqual(['CronJob', 'Deployment', 'Deployment', 'Job']);
  });

  it('pins every pod by hostname and edge role through the scheduler, never by nodeName', () => {
    for (const workload of workloads) {
      const pod = podSpecOf(workload);
      expect(pod.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'edge-node-17', 'node-role.kubernetes.io/edge': '' });
      expect(pod.nodeName).toBeUndefined();
    }
  });

  it('keeps pods on a gateway that goes offline: NoExecute tolerations without tolerationSeconds and the autonomy label', () => {
    for (const workload of workloads) {
      const pod = podSpecOf(workload);
      expect(pod.tolerations).toEqual([
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ]);
      const template = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
      expect(template.metadata.labels['app-offline.kubeedge.io']).toBe('autonomy');
    }
  });

  it('runs each container locked down: all capabilities dropped but the catalog ones, no privilege escalation, read-only root', () => {
    const firewall = podSpecOf(find(objects, 'Deployment', 'acme-sh-01-firewall')).containers[0];
    expect(firewall.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
    });
    const collector = podSpecOf(find(objects, 'Deployment', 'acme-sh-01-log-collector'));
    expect(collector.containers[0].securityContext).toMatchObject({ capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
    expect(collector.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(collector.automountServiceAccountToken).toBe(false);
  });

  it('uses the catalog image by digest and the catalog resources', () => {
    const container = podSpecOf(find(objects, 'Deployment', 'acme-sh-01-log-collector')).containers[0];
    expect(container.image).toBe(CATALOG.logCollector.doc.spec.image);
    expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  it('labels every object of a service with the standard and essg.io labels', () => {
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.labels).toMatchObject({
        [LABEL.managedBy]: MANAGED_BY,
        [LABEL.partOf]: PRODUCT,
        [LABEL.customer]: 'acme',
        [LABEL.gateway]: 'acme-sh-01',
      });
    }
    expect(find(objects, 'Deployment', 'acme-sh-01-firewall').metadata.labels).toEqual({
      [LABEL.managedBy]: MANAGED_BY,
      [LABEL.partOf]: PRODUCT,
      [LABEL.name]: 'firewall',
      [LABEL.instance]: 'acme-sh-01-firewall',
      [LABEL.version]: '3.0.0',
      [LABEL.customer]: 'acme',
      [LABEL.gateway]: 'acme-sh-01',
      [LABEL.service]: 'firewall',
      [LABEL.serviceVersion]: '3.0.0',
    });
  });

  it("puts everything in the customer's namespace, which carries only customer labels", () => {
    expect(objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'essg-acme', labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.partOf]: PRODUCT, [LABEL.customer]: 'acme' } },
    });
    for (const object of objects.slice(1)) expect(object.metadata.namespace).toBe('essg-acme');
    const prefixed = fleetModel({ gateways: [gatewayModel({ name: 'gw', services: [] })], fleet: { namespacePrefix: 'soc-' } });
    expect(renderGateway({ model: prefixed, gateway: 'gw', now: NOW }).objects[0]?.metadata.name).toBe('soc-acme');
  });

  it('lists objects in apply order: namespace, config, workloads', () => {
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'CronJob', 'Job']);
  });
});
