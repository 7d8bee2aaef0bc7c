// What the gateways share (a customer's Namespace) is planned once for the fleet: created
// once however many gateways want it, left alone when it is as desired, and pruned only when
// no planned gateway wants it, nothing of ours lives in it and no inventory names anything in it.
import { describe, expect, it } from 'vitest';
import { describeRef, groupLiveByGateway, planShared, type Inventory } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';
import { asLive, configMap, deployment, inventoryOf, namespace } from './fixtures.ts';
import { LABEL, MANAGED_BY } from '../../../src/contract/index.ts';

const globex: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-globex', labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.customer]: 'globex' } } };
const plan = ({ desired, live, inventories = [] }: { desired: K8sObject[]; live: K8sObject[]; inventories?: Inventory[] }) => {
  const result = planShared({ desired, live: groupLiveByGateway(live.map(asLive)), inventories });
  return {
    creates: result.creates.map((c) => describeRef(c.ref)),
    updates: result.updates.map((u) => describeRef(u.ref)),
    deletes: result.deletes.map(describeRef),
    unchanged: result.unchanged.map(describeRef),
  };
};

describe('the objects gateways share', () => {
  it('creates a Namespace once, however many gateways of its customer want it', () => {
    expect(plan({ desired: [namespace, namespace, namespace, globex], live: [] })).toEqual({
      creates: ['Namespace essg-acme', 'Namespace essg-globex'], updates: [], deletes: [], unchanged: [],
    });
  });

  it('leaves a Namespace that is as desired, and updates one whose labels were changed', () => {
    const edited = { ...asLive(namespace), metadata: { ...asLive(namespace).metadata, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.customer]: 'someone-else' } } };
    expect(plan({ desired: [namespace, globex], live: [namespace, globex] })).toMatchObject({ unchanged: ['Namespace essg-acme', 'Namespace essg-globex'] });
    expect(plan({ desired: [namespace], live: [edited] })).toMatchObject({ updates: ['Namespace essg-acme'], unchanged: [] });
  });

  it('keeps a Namespace no gateway wants while an object of ours still lives in it', () => {
    // The customer's last gateway was removed this pass: its objects are pruned first.
    expect(plan({ desired: [], live: [namespace, configMap(), deployment()] })).toMatchObject({ deletes: [] });
  });

  it('keeps a Namespace an inventory still names, even with its objects gone by hand', () => {
    expect(plan({ desired: [], live: [namespace], inventories: [inventoryOf([configMap(), deployment()])] })).toMatchObject({ deletes: [] });
  });

  it('prunes a Namespace of ours once its last gateway is gone, and only that one', () => {
    expect(plan({ desired: [globex], live: [namespace, globex], inventories: [] })).toEqual({
      creates: [], updates: [], deletes: ['Namespace essg-acme'], unchanged: ['Namespace essg-globex'],
    });
  });

  it('of two Namespaces no gateway wants, prunes the empty one and keeps the one something of ours is still in', () => {
    expect(plan({ desired: [], live: [namespace, globex, configMap()], inventories: [] })).toMatchObject({ deletes: ['Namespace essg-globex'] });
    expect(plan({ desired: [], live: [globex, namespace, configMap()], inventories: [inventoryOf([{ ...configMap(), metadata: { ...configMap().metadata, namespace: 'essg-globex' } }])] })).toMatchObject({ deletes: [] });
  });

  it('does not delete again a Namespace that is already going', () => {
    const terminating = { ...asLive(namespace), metadata: { ...asLive(namespace).metadata, deletionTimestamp: '2026-12-01T00:00:00Z' } };
    expect(plan({ desired: [], live: [terminating] })).toMatchObject({ deletes: [] });
  });
});
