import { describe, expect, it } from 'vitest';
import { renderGateway } from '../../../src/render/index.ts';
import { CATALOG, catalogEntry, fleetModel, gatewayModel, NOW } from './fleet-fixture.ts';
import { find, ofKind, podSpecOf } from './objects.ts';
import { ANNOTATION } from '../../../src/contract/index.ts';

function render(services: Parameters<typeof gatewayModel>[0]['services'], fleet = {}) {
  const model = fleetModel({ gateways: [gatewayModel({ name: 'gw', services })], fleet });
  return renderGateway({ model, gateway: 'gw', now: NOW }).objects;
}

describe('rolling updates of daemon services', () => {
  it('starts the new pod beside the old one and switches only when it is ready', () => {
    const deployment = find(render([{ catalog: CATALOG.logCollector }], { rollout: { progressDeadlineSeconds: 300 } }), 'Deployment', 'gw-log-collector');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.progressDeadlineSeconds).toBe(300);
    expect(podSpecOf(deployment).containers[0].readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 });
  });

  it('recreates a host-network service with fixed host ports, which cannot run twice on one gateway', () => {
    const deployment = find(render([{ catalog: CATALOG.firewall }]), 'Deployment', 'gw-firewall');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = podSpecOf(deployment);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.containers[0].ports).toEqual([{ name: 'api', containerPort: 9300, hostPort: 9300, protocol: 'TCP' }]);
  });

  it('keeps surging a host-network service that holds no ports', () => {
    expect(find(render([{ catalog: CATALOG.ids }]), 'Deployment', 'gw-ids').spec.strategy.type).toBe('RollingUpdate');
  });

  it('recreates a pod-network service that asks for a host port', () => {
    const withHostPort = catalogEntry('syslog-relay', { version: '1.0.0', ports: [{ name: 'syslog', containerPort: 514, hostPort: 514, protocol: 'UDP' }] });
    expect(find(render([{ catalog: withHostPort }]), 'Deployment', 'gw-syslog-relay').spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('rolls the pods when the config changes, and only then', () => {
    const hash = (config: object) => find(render([{ catalog: CATALOG.logCollector, config }]), 'Deployment', 'gw-log-collector').spec.template.metadata.annotations[ANNOTATION.configHash];
    expect(hash({ a: 1, b: [1, 2] })).toBe(hash({ b: [1, 2], a: 1 }));
    expect(hash({ a: 1, b: [1, 2] })).not.toBe(hash({ a: 1, b: [2, 1] }));
  });

  it('writes the config as config.json with sorted keys, mounted at the catalog path', () => {
    const objects = render([{ catalog: CATALOG.logCollector, config: { z: 1, a: { y: true, b: 'x' } } }]);
    expect(find(objects, 'ConfigMap', 'gw-log-collector').data).toEqual({ 'config.json': '{\n  "a": {\n    "b": "x",\n    "y": true\n  },\n  "z": 1\n}\n' });
    const pod = podSpecOf(find(objects, 'Deployment', 'gw-log-collector'));
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/essg', readOnly: true });
    const custom = catalogEntry('agent', { version: '1.0.0', configMountPath: '/opt/agent/conf' });
    expect(podSpecOf(find(render([{ catalog: custom }]), 'Deployment', 'gw-agent')).containers[0].volumeMounts[0].mountPath).toBe('/opt/agent/conf');
  });

  it('refuses a host-network port whose host port differs from its container port', () => {
    const bad = catalogEntry('probe', { version: '1.0.0', hostNetwork: true, ports: [{ name: 'http', containerPort: 80, hostPort: 8080 }] });
    expect(() => render([{ catalog: bad }])).toThrow(expect.objectContaining({ code: 'RENDER_HOST_PORT_MISMATCH', data: expect.objectContaining({ containerPort: 80, hostPort: 8080 }) }));
  });
});

describe('job and cronjob services', () => {
  it('runs a job service to completion with the catalog limits, named by its template', () => {
    const objects = render([{ catalog: CATALOG.scanner, config: { targets: ['10.0.0.0/24'] } }]);
    const [job] = ofKind(objects, 'Job');
    expect(job?.metadata.name).toMatch(/^gw-vuln-scanner-[0-9a-f]{8}$/);
    expect(job?.spec).toMatchObject({ activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 600, backoffLimit: 1 });
    expect(podSpecOf(job).restartPolicy).toBe('Never');
    const other = render([{ catalog: CATALOG.scanner, config: { targets: ['10.0.1.0/24'] } }]).find((o) => o.kind === 'Job');
    expect(other?.metadata.name).not.toBe(job?.metadata.name);
  });

  it('schedules a cronjob service without overlapping runs', () => {
    const cronJob = find(render([{ catalog: CATALOG.discovery }]), 'CronJob', 'gw-asset-discovery');
    expect(cronJob.spec).toMatchObject({ schedule: '30 1 * * *', concurrencyPolicy: 'Forbid' });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400, backoffLimit: 2 });
  });
});
