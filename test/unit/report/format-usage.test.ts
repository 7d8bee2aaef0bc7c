import { describe, expect, it } from 'vitest';
import { formatFleetSummary, formatGatewayDetail, formatRollout, type GatewayStatus, type StatusSnapshot } from '../../../src/report/index.ts';
import { bytes, millicores, nodeUsage, resourceMetricsStatus, serviceUsage } from '../../../src/report/resource-usage.ts';

const gateway = (over: Partial<GatewayStatus> = {}): GatewayStatus => ({
  gateway: 'acme-01', customer: 'acme', phase: 'Ready', reason: 'Converged', message: 'ok', lastTransition: '2026-12-02T09:00:00Z', history: [],
  node: { name: 'acme-01', ready: 'True', pressure: { memory: false, disk: false, pid: false } },
  services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0 }],
  ...over,
});

describe('resource figures', () => {
  it('reads CPU and memory quantities as the metrics API and pod specs write them', () => {
    expect([millicores('250m'), millicores('2'), millicores('1234567n'), millicores(undefined), millicores('lots')]).toEqual([250, 2000, 1, undefined, undefined]);
    expect([bytes('64Mi'), bytes('8Gi'), bytes('1000k'), bytes('')]).toEqual([64 * 1024 ** 2, 8 * 1024 ** 3, 1_000_000, undefined]);
  });

  it('sets a node\'s use against its capacity, and has none for a node metrics-server did not report', () => {
    const node = { metadata: { name: 'acme-01' }, status: { capacity: { cpu: '4', memory: '8Gi' } } };
    expect(nodeUsage({ node, metrics: [{ metadata: { name: 'acme-01' }, timestamp: '2026-12-02T09:00:00Z', usage: { cpu: '120m', memory: '512Mi' } }] }))
      .toEqual({ cpuMillicores: 120, cpuCapacityMillicores: 4000, memoryBytes: 512 * 1024 ** 2, memoryCapacityBytes: 8 * 1024 ** 3, at: '2026-12-02T09:00:00Z' });
    expect(nodeUsage({ node, metrics: [] })).toBeUndefined();
  });

  it('sums a service\'s pods against their limits, and leaves a limit out when a container sets none', () => {
    const pod = (name: string, limits?: Record<string, string>) => ({ metadata: { name, namespace: 'essg-acme' }, spec: { containers: [{ name: 'ids', ...(limits ? { resources: { limits } } : {}) }] } });
    const metric = (name: string) => ({ metadata: { name, namespace: 'essg-acme' }, containers: [{ name: 'ids', usage: { cpu: '10m', memory: '32Mi' } }] });
    expect(serviceUsage({ pods: [pod('a', { cpu: '500m', memory: '256Mi' }), pod('b', { cpu: '500m', memory: '256Mi' })], metrics: [metric('a'), metric('b')] }))
      .toEqual({ cpuMillicores: 20, cpuLimitMillicores: 1000, memoryBytes: 64 * 1024 ** 2, memoryLimitBytes: 512 * 1024 ** 2 });
    expect(serviceUsage({ pods: [pod('a')], metrics: [metric('a')] })).toEqual({ cpuMillicores: 10, memoryBytes: 32 * 1024 ** 2 });
    expect(serviceUsage({ pods: [pod('a')], metrics: [] })).toBeUndefined();
  });

  it('says why there are no figures rather than showing zeros', () => {
    expect(resourceMetricsStatus({ available: false, reason: 'the cluster serves no metrics API (metrics.k8s.io: install metrics-server)' }))
      .toEqual({ available: false, message: 'no CPU or memory figures: the cluster serves no metrics API (metrics.k8s.io: install metrics-server)' });
    const fleet = { passes: 1, source: { ok: true }, phases: {}, resourceMetrics: resourceMetricsStatus({ available: false, reason: 'x' }) } as unknown as StatusSnapshot['fleet'];
    expect(formatFleetSummary(fleet)).toContain('\nno CPU or memory figures: x');
  });

  it('prints the node\'s and each service\'s use in essg status --gateway, a dash where there is none', () => {
    const text = formatGatewayDetail(gateway({
      node: { name: 'acme-01', ready: 'True', pressure: { memory: false, disk: true, pid: false }, usage: { cpuMillicores: 400, cpuCapacityMillicores: 4000, memoryBytes: 1024 ** 3, memoryCapacityBytes: 8 * 1024 ** 3 } },
      services: [
        { name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0, usage: { cpuMillicores: 50, cpuLimitMillicores: 500, memoryBytes: 64 * 1024 ** 2, memoryLimitBytes: 256 * 1024 ** 2 } },
        { name: 'fw', desiredVersion: '2.0.0', ready: false, restarts: 0 },
      ],
    }));
    expect(text).toContain('pressure disk');
    expect(text).toContain('  node use: CPU 400m/4000m (10%), memory 1024Mi/8192Mi (13%)');
    expect(text).toMatch(/ids\s+1\.0\.0\s+1\.0\.0\s+yes\s+0\s+50m\/500m \(10%\)\s+64Mi\/256Mi \(25%\)/);
    expect(text).toMatch(/fw\s+2\.0\.0\s+-\s+no\s+0\s+-\s+-/);
    expect(formatGatewayDetail(gateway())).toContain('  node use: no figures (see the fleet status)');
  });

  it('says in essg status whether this replica leads, stands by, or which shards it applies', () => {
    const fleet = (replica: NonNullable<StatusSnapshot['fleet']['replica']>) => ({ passes: 1, source: { ok: true }, phases: {}, replica }) as unknown as StatusSnapshot['fleet'];
    expect(formatFleetSummary(fleet({ identity: 'essg-reconciler-a', leading: true }))).toContain(', essg-reconciler-a leading');
    expect(formatFleetSummary(fleet({ identity: 'essg-reconciler-b', leading: false }))).toContain(', essg-reconciler-b standby');
    expect(formatFleetSummary(fleet({ identity: 'essg-reconciler-a', leading: true, shards: { count: 3, held: [0, 2], replicas: 2 } })))
      .toContain(', essg-reconciler-a shards 0, 2 of 3 (2 replicas)');
    expect(formatFleetSummary(fleet({ identity: 'essg-reconciler-c', leading: false, shards: { count: 3, held: [], replicas: 1 } })))
      .toContain(', essg-reconciler-c no shard of 3 (1 replica)');
  });

  it('lists the edge nodes no gateway declares, saying which are not Ready', () => {
    const fleet = { passes: 1, source: { ok: true }, phases: {}, unmanagedNodes: [{ name: 'edge-spare', ready: 'True' }, { name: 'edge-old', ready: 'Unknown' }] } as unknown as StatusSnapshot['fleet'];
    expect(formatFleetSummary(fleet)).toContain('\n2 edge node(s) no gateway declares: edge-spare, edge-old (Ready=Unknown)');
    expect(formatFleetSummary({ ...fleet, unmanagedNodes: undefined })).not.toContain('no gateway declares');
  });

  it('prints a gateway\'s data flows, and what a rollout changes on its services', () => {
    const text = formatGatewayDetail(gateway({ flows: [{ from: 'site', to: 'service:ids', what: 'packet-captures' }, { from: 'service:ids', to: 'soc', what: 'intrusion alerts' }, { from: 'service:edr', to: 'customer', what: 'isolate commands' }] }));
    expect(text).toContain('\nDATA FLOWS\n  site network → ids: packet-captures\n  ids → SOC: intrusion alerts\n  edr → customer\'s systems: isolate commands');
    const rollout = formatRollout({
      id: 'c'.repeat(40), waves: [], pending: ['gw-1'], complete: false,
      services: [{ service: 'ids', from: ['1.0.0'], to: '1.1.0', gateways: 3 }, { service: 'log-collector', from: [], to: '2.4.0', gateways: 1 }, { service: 'asset-discovery', from: ['1.0.0'], gateways: 2 }],
    });
    expect(rollout).toContain('\n  ids: 1.0.0 → 1.1.0 on 3 gateway(s)\n  log-collector: installs 2.4.0 on 1 gateway(s)\n  asset-discovery: stops 1.0.0 on 2 gateway(s)\n');
  });
});
