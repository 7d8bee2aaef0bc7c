// The contract's values are what running clusters already carry: a changed key or name would
// orphan every object, inventory and history written before it. Every other test imports
// them; this one pins them.
import { describe, expect, it } from 'vitest';
import {
  ANNOTATION, FIELD_MANAGER, HISTORY_FIELD_MANAGER, KIND_ORDER, LABEL, LEASE_NAME, MANAGED_BY, MANAGED_KINDS, REPORTING_COMPONENT, ROLLOUT_FIELD_MANAGER, SYSTEM_LABELS,
  SYSTEM_NAMESPACE, WORKLOAD_KINDS, gatewayOfHistoryName, gatewayOfInventoryName, historyName, inventoryName, memberLeaseName, shardLeaseName,
} from '../../../src/contract/index.ts';

describe('the contract with the cluster', () => {
  it('keeps the label and annotation keys objects already carry', () => {
    expect(LABEL).toEqual({
      managedBy: 'app.kubernetes.io/managed-by',
      partOf: 'app.kubernetes.io/part-of',
      name: 'app.kubernetes.io/name',
      instance: 'app.kubernetes.io/instance',
      version: 'app.kubernetes.io/version',
      component: 'app.kubernetes.io/component',
      customer: 'essg.io/customer',
      gateway: 'essg.io/gateway',
      service: 'essg.io/service',
      serviceVersion: 'essg.io/version',
      response: 'essg.io/response',
      responseAction: 'essg.io/response-action',
      rollout: 'essg.io/rollout',
      wave: 'essg.io/wave',
      inventoryOf: 'essg.io/inventory-of',
      historyOf: 'essg.io/history-of',
      kubeedgeOffline: 'app-offline.kubeedge.io',
      shards: 'essg.io/shards',
    });
    expect(ANNOTATION).toEqual({ configHash: 'essg.io/config-hash' });
    expect(MANAGED_BY).toBe('essg-fleet');
    expect(SYSTEM_LABELS).toEqual({ 'app.kubernetes.io/part-of': 'essg-fleet' });
  });

  it('finds its own state under the names a running reconciler wrote it', () => {
    expect(SYSTEM_NAMESPACE).toBe('essg-system');
    expect(LEASE_NAME).toBe('essg-reconciler');
    expect(inventoryName('acme-gw-01')).toBe('essg-inv-acme-gw-01');
    expect(historyName('acme-gw-01')).toBe('essg-hist-acme-gw-01');
    expect(shardLeaseName(2, 3)).toBe('essg-reconciler-shard-2-of-3');
    expect(memberLeaseName('essg-reconciler-7f9c')).toBe('essg-reconciler-member-essg-reconciler-7f9c');
    expect(gatewayOfInventoryName('essg-inv-acme-gw-01')).toBe('acme-gw-01');
    expect(gatewayOfHistoryName('essg-hist-acme-gw-01')).toBe('acme-gw-01');
    expect([FIELD_MANAGER, ROLLOUT_FIELD_MANAGER, HISTORY_FIELD_MANAGER, REPORTING_COMPONENT]).toEqual(['essg-fleet', 'essg-fleet-rollout', 'essg-fleet-history', 'essg-fleet']);
  });

  it('applies a namespace first, then config, pre-pull jobs and workloads', () => {
    expect(KIND_ORDER).toEqual(['Namespace', 'ConfigMap', 'ImagePrePullJob', 'Deployment', 'CronJob', 'Job']);
    expect(MANAGED_KINDS.map((k) => k.kind)).toEqual(KIND_ORDER);
    expect([...WORKLOAD_KINDS].sort()).toEqual(['CronJob', 'Deployment', 'Job']);
  });
});
