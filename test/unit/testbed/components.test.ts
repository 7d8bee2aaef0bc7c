import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { apiserverArgs, controllerManagerArgs, heartbeatTiming, kwokArgs, kwokConfiguration, metricsServerArgs, resourceMetricsPath, UPLINK_LABEL, type ComponentFiles, type Ports } from '../../../src/testbed/components.ts';
import { edgeNodeManifest } from '../../../src/testbed/nodes.ts';
import { pkiPaths } from '../../../src/testbed/pki.ts';

const files: ComponentFiles = {
  stateDir: '/tb',
  pki: pkiPaths('/tb/pki'),
  kubeconfigs: { controllerManager: '/tb/cm', scheduler: '/tb/sched', kwok: '/tb/kwok', admin: '/tb/kubeconfig' },
  kwokConfig: '/tb/kwok.yaml',
};
const ports: Ports = { etcdClient: 1001, etcdPeer: 1002, apiserver: 1003, controllerManager: 1004, scheduler: 1005, git: 1006, kwokServer: 1007, metricsServer: 1008, registry: 1009 };

describe('test bed components', () => {
  it('marks a silent small-fleet gateway Unknown within seconds, always after more than one missed renewal', () => {
    const small = heartbeatTiming(10);

    expect(small.gracePeriodSeconds).toBeLessThanOrEqual(20);
    expect(small.gracePeriodSeconds).toBeGreaterThanOrEqual(small.renewSeconds * 3);
  });

  it('renews 1,000 gateway leases at most 50 times a second', () => {
    const large = heartbeatTiming(1000);

    expect(1000 / large.renewSeconds).toBeLessThanOrEqual(50);
    expect(large.gracePeriodSeconds).toBeGreaterThanOrEqual(large.renewSeconds * 3);
  });

  it('passes the heartbeat timing to the controller-manager and KWOK', () => {
    const timing = heartbeatTiming(3);

    expect(controllerManagerArgs({ files, ports, timing })).toContain(`--node-monitor-grace-period=${timing.gracePeriodSeconds}s`);
    expect(kwokArgs({ files, ports, timing })).toContain(`--node-lease-duration-seconds=${timing.leaseDurationSeconds}`);
  });

  it('has KWOK read its stages from the API server, so images can be made to fail while it runs', () => {
    expect(kwokArgs({ files, ports, timing: heartbeatTiming(3) })).toContain('--enable-crds=Stage');
  });

  it('lets KWOK heartbeat only the gateways whose uplink is up', () => {
    expect(kwokArgs({ files, ports, timing: heartbeatTiming(3) })).toContain(`--manage-nodes-with-label-selector=${UPLINK_LABEL}=up`);
  });

  it('serves the API server on loopback with TLS, client certificates, RBAC and service-account keys', () => {
    const args = apiserverArgs({ files, ports });

    expect(args).toEqual(
      expect.arrayContaining([
        '--bind-address=127.0.0.1',
        '--secure-port=1003',
        '--etcd-servers=http://127.0.0.1:1001',
        '--authorization-mode=RBAC',
        `--client-ca-file=${files.pki.caCert}`,
        `--service-account-key-file=${files.pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${files.pki.serviceAccountKey}`,
      ]),
    );
  });

  it('makes KWOK\'s server every node\'s kubelet, which the API server reaches at the node\'s InternalIP for pods/log', () => {
    expect(kwokArgs({ files, ports, timing: heartbeatTiming(3) })).toEqual(expect.arrayContaining(['--server-address=127.0.0.1:1007', '--node-ip=127.0.0.1', '--node-port=1007']));
    expect(apiserverArgs({ files, ports })).toContain('--kubelet-preferred-address-types=InternalIP');
  });

  it('has KWOK serve every container the test bed\'s log file, and its resource metrics documents as given', () => {
    const metric = 'kind: Metric\napiVersion: kwok.x-k8s.io/v1alpha1\nmetadata:\n  name: metrics-resource\n';
    const documents = parseAllDocuments(kwokConfiguration({ podLogs: '/tb/pod-logs/containers.log', metrics: [metric] })).map((d) => d.toJS() as { kind: string; spec?: unknown });

    expect(documents.map((d) => d.kind)).toEqual(['KwokConfiguration', 'ClusterLogs', 'Metric']);
    expect(documents[1]!.spec).toEqual({ logs: [{ logsFile: '/tb/pod-logs/containers.log' }] });
  });

  it('points metrics-server at each node\'s kubelet port and the resource metrics path its annotation names', () => {
    expect(metricsServerArgs({ files, ports })).toEqual(expect.arrayContaining(['--secure-port=1008', '--kubelet-use-node-status-port', '--kubelet-preferred-address-types=InternalIP']));
    expect(edgeNodeManifest({ name: 'gw-001', kubeedge: 'v1.23.0', kubernetes: 'v1.32.2' }).metadata?.annotations?.['metrics.k8s.io/resource-metrics-path']).toBe(resourceMetricsPath('gw-001'));
    expect(resourceMetricsPath('gw-001')).toBe('/metrics/nodes/gw-001/metrics/resource');
  });
});
