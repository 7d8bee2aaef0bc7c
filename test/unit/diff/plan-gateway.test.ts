/* eslint-disable @typescript-eslint/no-explicit-any -- objects are plain JSON; tests edit them by path */
import { describe, expect, it } from 'vitest';
import { describeRef, formatGatewayPlans, isSubset, planGateway, type GatewayPlan, type Inventory } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';
import { GATEWAY, asLive, configMap, deployment, inventoryOf, job, namespace } from './fixtures.ts';
import { LABEL } from '../../../src/contract/index.ts';

const names = (refs: readonly { ref?: { kind: string; name: string } }[] | readonly { kind: string; name: string }[]) =>
  refs.map((r) => ('ref' in r && r.ref ? describeRef(r.ref as never) : describeRef(r as never)));

interface Case {
  readonly name: string;
  readonly desired: readonly K8sObject[];
  readonly live: readonly K8sObject[];
  readonly inventory?: Inventory;
  readonly want: { creates?: string[]; updates?: string[]; deletes?: string[]; unchanged?: string[]; drift?: string[]; inventoryChanged?: boolean };
}

const base = [namespace, configMap(), deployment()];
const edited = (object: K8sObject, edit: (o: Record<string, any>) => void): K8sObject => {
  const copy = asLive(object) as Record<string, any>;
  edit(copy);
  return copy as K8sObject;
};

const cases: Case[] = [
  {
    name: 'a first apply creates everything in dependency order',
    desired: [deployment(), configMap(), namespace],
    live: [],
    want: { creates: ['Namespace essg-acme', 'ConfigMap essg-acme/acme-gw-01-ids', 'Deployment essg-acme/acme-gw-01-ids'], inventoryChanged: true },
  },
  {
    name: 'server defaults, status and metadata are not a change',
    desired: base,
    live: base.map(asLive),
    inventory: inventoryOf(base),
    want: { unchanged: ['Namespace essg-acme', 'ConfigMap essg-acme/acme-gw-01-ids', 'Deployment essg-acme/acme-gw-01-ids'], inventoryChanged: false },
  },
  {
    name: 'a canonicalised quantity ("1000m" read back as "1") is not a change',
    desired: [deployment('ids', { cpu: '1000m' })],
    live: [asLive(deployment('ids', { cpu: '1' }))],
    inventory: inventoryOf([deployment('ids', { cpu: '1000m' })]),
    want: { unchanged: ['Deployment essg-acme/acme-gw-01-ids'] },
  },
  {
    name: 'a new desired image is an update, not drift',
    desired: [deployment('ids', { image: 'registry.example.com/ids@sha256:' + '9'.repeat(64) })],
    live: [asLive(deployment())],
    inventory: inventoryOf([deployment()]),
    want: { updates: ['Deployment essg-acme/acme-gw-01-ids'], drift: [], inventoryChanged: true },
  },
  {
    name: 'a hand edit of an object whose desired state did not change is drift',
    desired: base,
    live: [asLive(namespace), asLive(configMap()), edited(deployment(), (d) => (d.spec.replicas = 3))],
    inventory: inventoryOf(base),
    want: { updates: ['Deployment essg-acme/acme-gw-01-ids'], drift: ['Deployment essg-acme/acme-gw-01-ids'], inventoryChanged: false },
  },
  {
    name: 'an object we applied and someone deleted is created again and reported as drift',
    desired: base,
    live: [asLive(namespace), asLive(configMap())],
    inventory: inventoryOf(base),
    want: { creates: ['Deployment essg-acme/acme-gw-01-ids'], drift: ['Deployment essg-acme/acme-gw-01-ids'] },
  },
  {
    name: 'a removed service deletes only its own objects, workloads first; the shared Namespace stays',
    desired: [namespace, configMap('ids'), deployment('ids')],
    live: [namespace, configMap('ids'), deployment('ids'), configMap('fw'), deployment('fw')].map(asLive),
    inventory: inventoryOf([namespace, configMap('ids'), deployment('ids'), configMap('fw'), deployment('fw')]),
    want: { deletes: ['Deployment essg-acme/acme-gw-01-fw', 'ConfigMap essg-acme/acme-gw-01-fw'], inventoryChanged: true },
  },
  {
    name: 'a gateway removed from the fleet deletes everything it owns but the Namespace',
    desired: [],
    live: base.map(asLive),
    inventory: inventoryOf(base),
    want: { deletes: ['Deployment essg-acme/acme-gw-01-ids', 'ConfigMap essg-acme/acme-gw-01-ids'] },
  },
  {
    name: 'an inventory object missing from the listing is still deleted (its labels may have been removed)',
    desired: [namespace],
    live: [asLive(namespace)],
    inventory: inventoryOf([namespace, configMap()]),
    want: { deletes: ['ConfigMap essg-acme/acme-gw-01-ids'] },
  },
  {
    name: 'live objects of another gateway or not managed by us are never deleted',
    desired: [namespace],
    live: [
      asLive(namespace),
      edited(configMap(), (c) => (c.metadata.labels[LABEL.gateway] = 'acme-gw-02')),
      edited(configMap('x'), (c) => (c.metadata.labels[LABEL.managedBy] = 'helm')),
    ],
    want: { deletes: [], unchanged: ['Namespace essg-acme'] },
  },
  {
    name: 'a finished Job collected by its TTL is not run again',
    desired: [job()],
    live: [],
    inventory: inventoryOf([job()]),
    want: { creates: [], unchanged: ['Job essg-acme/acme-gw-01-vuln-scanner-abcd1234'], drift: [] },
  },
  {
    name: 'without an inventory, matching live objects are adopted unchanged and the inventory is written',
    desired: base,
    live: base.map(asLive),
    want: { unchanged: ['Namespace essg-acme', 'ConfigMap essg-acme/acme-gw-01-ids', 'Deployment essg-acme/acme-gw-01-ids'], inventoryChanged: true },
  },
];

describe('planGateway', () => {
  it.each(cases)('$name', ({ desired, live, inventory, want }) => {
    const plan: GatewayPlan = planGateway({ gateway: GATEWAY, desired, live, inventory, revision: 'beef', renderHash: 'r1' });
    if (want.creates) expect(names(plan.creates)).toEqual(want.creates);
    if (want.updates) expect(names(plan.updates)).toEqual(want.updates);
    if (want.deletes) expect(names(plan.deletes)).toEqual(want.deletes);
    if (want.unchanged) expect(names(plan.unchanged)).toEqual(want.unchanged);
    if (want.drift) expect(names(plan.drift)).toEqual(want.drift);
    if (want.inventoryChanged !== undefined) expect(plan.inventoryChanged).toBe(want.inventoryChanged);
  });

  it('shows a readable diff of only the fields we set', () => {
    const plan = planGateway({ gateway: GATEWAY, desired: base, live: [asLive(namespace), asLive(configMap()), edited(deployment(), (d) => (d.spec.replicas = 3))], inventory: inventoryOf(base) });
    const diff = plan.updates[0]?.diff ?? '';
    expect(diff).toContain('--- live Deployment essg-acme/acme-gw-01-ids');
    expect(diff).toContain('+++ desired Deployment essg-acme/acme-gw-01-ids');
    expect(diff).toMatch(/^-\s+replicas: 3$/m);
    expect(diff).toMatch(/^\+\s+replicas: 1$/m);
    for (const serverField of ['resourceVersion', 'managedFields', 'status', 'terminationMessagePath', 'progressDeadlineSeconds']) expect(diff).not.toContain(serverField);
  });

  it('records the planned revision only when the objects change', () => {
    const same = planGateway({ gateway: GATEWAY, desired: base, live: base.map(asLive), inventory: inventoryOf(base, 'old'), revision: 'new', renderHash: 'r1' });
    expect(same.inventory.revision).toBe('old');
    const changed = planGateway({ gateway: GATEWAY, desired: [namespace], live: base.map(asLive), inventory: inventoryOf(base, 'old'), revision: 'new', renderHash: 'r2' });
    expect(changed.inventory).toMatchObject({ revision: 'new', renderHash: 'r2', objects: [{ kind: 'Namespace', name: 'essg-acme' }] });
  });

  it('recreates a Job whose spec was changed, since its pod template is immutable', () => {
    const live = edited(job(), (j) => (j.spec.template.spec.containers[0].image = 'other@sha256:' + '3'.repeat(64)));
    const plan = planGateway({ gateway: GATEWAY, desired: [job()], live: [live], inventory: inventoryOf([job()]) });
    expect(plan.updates.map((u) => [u.recreate, u.drift])).toEqual([[true, true]]);
  });
});

/** The ids Deployment with its container's resources replaced. */
const withResources = (resources: Record<string, Record<string, string>>): K8sObject =>
  edited(deployment(), (d) => (d.spec.template.spec.containers[0].resources = resources));
const resources = ({ cpu = '250m', memory = '256Mi', limitCpu = '1', limitMemory = '1Gi' } = {}) =>
  ({ requests: { cpu, memory }, limits: { cpu: limitCpu, memory: limitMemory } });
/** As built by `edited`, but without the server's additions: the desired object. */
const desiredWith = (edit: (o: Record<string, any>) => void): K8sObject => {
  const copy = structuredClone(deployment()) as Record<string, any>;
  edit(copy);
  return copy as K8sObject;
};

describe('planGateway: removed fields and resource quantities', () => {
  interface QuantityCase {
    readonly name: string;
    readonly desired: K8sObject;
    readonly live: K8sObject;
    /** undefined: no inventory (a first apply, or a lost inventory). */
    readonly applied?: K8sObject;
    readonly want: 'update' | 'drift' | 'unchanged';
  }
  const DEPLOYMENT = 'Deployment essg-acme/acme-gw-01-ids';
  const cases: QuantityCase[] = [
    { name: 'a cpu request raised 250m → 300m', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ cpu: '300m' }))), live: withResources(resources()), applied: deployment(), want: 'update' },
    { name: 'a memory request raised 256Mi → 1Gi', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ memory: '1Gi' }))), live: withResources(resources()), applied: deployment(), want: 'update' },
    { name: 'a memory limit lowered 1Gi → 512Mi', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ limitMemory: '512Mi' }))), live: withResources(resources()), applied: deployment(), want: 'update' },
    { name: 'a cpu request raised 250m → 300m with no inventory to compare with', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ cpu: '300m' }))), live: withResources(resources()), want: 'update' },
    { name: 'a memory request raised 256Mi → 1Gi with no inventory to compare with', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ memory: '1Gi' }))), live: withResources(resources()), want: 'update' },
    { name: 'a cpu request changed by hand 250m → 300m', desired: deployment(), live: withResources(resources({ cpu: '300m' })), applied: deployment(), want: 'drift' },
    { name: 'a memory limit changed by hand 1Gi → 2Gi', desired: deployment(), live: withResources(resources({ limitMemory: '2Gi' })), applied: deployment(), want: 'drift' },
    { name: 'a cpu limit of 1000m read back as 1', desired: deployment('ids', { cpu: '1000m' }), live: withResources(resources({ limitCpu: '1' })), applied: deployment('ids', { cpu: '1000m' }), want: 'unchanged' },
    { name: 'a cpu limit of 1000m read back as 1, without an inventory', desired: deployment('ids', { cpu: '1000m' }), live: withResources(resources({ limitCpu: '1' })), want: 'unchanged' },
    { name: 'a memory request of 0.25Gi read back as 256Mi', desired: desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ memory: '0.25Gi' }))), live: withResources(resources()), want: 'unchanged' },
  ];

  it.each(cases)('$name: $want', ({ desired, live, applied, want }) => {
    const plan = planGateway({ gateway: GATEWAY, desired: [desired], live: [live], ...(applied ? { inventory: inventoryOf([applied]) } : {}) });
    expect({ updates: names(plan.updates), drift: names(plan.drift), unchanged: names(plan.unchanged) }).toEqual({
      updates: want === 'unchanged' ? [] : [DEPLOYMENT],
      drift: want === 'drift' ? [DEPLOYMENT] : [],
      unchanged: want === 'unchanged' ? [DEPLOYMENT] : [],
    });
  });

  it('a changed quantity shows in the diff with both values', () => {
    const desired = desiredWith((d) => (d.spec.template.spec.containers[0].resources = resources({ cpu: '300m', memory: '1Gi' })));
    const plan = planGateway({ gateway: GATEWAY, desired: [desired], live: [withResources(resources())], inventory: inventoryOf([deployment()]) });
    const diff = plan.updates[0]?.diff ?? '';
    expect(diff).toMatch(/^-\s+cpu: 250m$/m);
    expect(diff).toMatch(/^\+\s+cpu: 300m$/m);
    expect(diff).toMatch(/^-\s+memory: 256Mi$/m);
    expect(diff).toMatch(/^\+\s+memory: 1Gi$/m);
  });

  interface RemovedCase {
    readonly name: string;
    readonly remove: (o: Record<string, any>) => void;
  }
  const removed: RemovedCase[] = [
    { name: 'a resource limit', remove: (d) => delete d.spec.template.spec.containers[0].resources.limits },
    { name: 'a label', remove: (d) => delete d.metadata.labels[LABEL.customer] },
    { name: 'the rolling-update parameters', remove: (d) => delete d.spec.strategy.rollingUpdate },
  ];

  it.each(removed)('$name removed from the desired state is planned as an update that server-side apply drops', ({ remove }) => {
    const desired = desiredWith(remove);
    const plan = planGateway({ gateway: GATEWAY, desired: [desired], live: [asLive(deployment())], inventory: inventoryOf([deployment()]) });
    expect(names(plan.updates)).toEqual([DEPLOYMENT]);
    expect(plan.unchanged).toEqual([]);
    // Not drift: the desired state changed, nobody edited the live object.
    expect(plan.drift).toEqual([]);
    // What is applied is the desired object without the field: server-side apply removes a
    // field its manager no longer sets. The fields we still set are equal: no diff lines.
    expect(plan.updates[0]?.object).toEqual(desired);
    expect(plan.updates[0]?.diff).toBe('');
    expect(plan.inventoryChanged).toBe(true);
  });

  it('once applied, the removed field left on the live object by another manager is not a change', () => {
    const desired = desiredWith((d) => delete d.spec.template.spec.containers[0].resources.limits);
    const plan = planGateway({ gateway: GATEWAY, desired: [desired], live: [asLive(deployment())], inventory: inventoryOf([desired]) });
    expect(names(plan.unchanged)).toEqual([DEPLOYMENT]);
    expect(plan.updates).toEqual([]);
  });
});

describe('formatGatewayPlans', () => {
  const drifted = { ...(asLive(deployment()) as Record<string, any>) };
  drifted.spec = { ...drifted.spec, replicas: 3 };
  const plan = planGateway({ gateway: GATEWAY, desired: [...base, deployment('fw')], live: [asLive(namespace), asLive(configMap()), drifted as K8sObject, asLive(configMap('old'))], inventory: inventoryOf(base) });

  it('prints creates, updates with their diff and drift, and deletes for people', () => {
    const text = formatGatewayPlans({ plans: [plan], format: 'text' });
    expect(text).toContain('gateway acme-gw-01: 1 to create, 1 to update (1 drifted), 1 to delete, 2 unchanged');
    expect(text).toContain('  + Deployment essg-acme/acme-gw-01-fw\n');
    expect(text).toContain('  ~ Deployment essg-acme/acme-gw-01-ids (drift: changed by hand, will be restored)\n');
    expect(text).toContain('  - ConfigMap essg-acme/acme-gw-01-old\n');
    expect(text).not.toContain('tolerations');
  });

  it('prints refs and diffs as JSON for machines', () => {
    const json = JSON.parse(formatGatewayPlans({ plans: [plan], format: 'json' })) as { gateways: Array<Record<string, any>> };
    expect(json.gateways[0]).toMatchObject({
      gateway: GATEWAY,
      creates: [{ kind: 'Deployment', name: 'acme-gw-01-fw', namespace: 'essg-acme' }],
      updates: [{ ref: { kind: 'Deployment', name: 'acme-gw-01-ids' }, drift: true, recreate: false }],
      deletes: [{ kind: 'ConfigMap', name: 'acme-gw-01-old' }],
      drift: [{ reason: 'modified' }],
    });
    expect(json.gateways[0]?.['updates'][0].diff).toMatch(/^\+\s+replicas: 1$/m);
  });
});

describe('isSubset', () => {
  it.each([
    ['a zero value the server omits (hostNetwork: false)', { hostNetwork: false, n: 0, s: '' }, {}, true],
    ['an empty list the server omits', { tolerations: [] }, {}, true],
    ['a true flag that is absent', { hostNetwork: true }, {}, false],
    ['a hand-set true over our false', { hostNetwork: false }, { hostNetwork: true }, false],
    ['canonical quantities', { resources: { limits: { cpu: '1000m', memory: '1024Mi' } } }, { resources: { limits: { cpu: '1', memory: '1Gi' } } }, true],
    ['a quantity-looking label is compared as text', { labels: { v: '1.0' } }, { labels: { v: '1' } }, false],
    ['a list that grew', { args: ['a'] }, { args: ['a', 'b'] }, false],
    ['int-or-string read back in the other form', { port: 8080 }, { port: '8080' }, true],
  ])('%s', (_, desired, live, want) => {
    expect(isSubset(desired, live)).toBe(want);
  });
});
