import { describe, expect, it } from 'vitest';
import { checkDeletionGuard, emptiedGateways } from '../../../src/apply/guard.ts';
import { planGateway, type GatewayPlan } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';
import { LABEL, MANAGED_BY } from '../../../src/contract/index.ts';

const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme' } };
function objects(gateway: string, services: readonly string[]): K8sObject[] {
  const labels = { [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: gateway };
  return [
    ns,
    ...services.flatMap((s) => [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${gateway}-${s}`, namespace: 'essg-acme', labels }, data: {} },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${gateway}-${s}`, namespace: 'essg-acme', labels }, spec: {} },
    ]),
  ];
}

/** A gateway running `before`, now declared with `after` (undefined: removed from the fleet). */
function plan(gateway: string, before: readonly string[], after: readonly string[] | undefined): GatewayPlan {
  const live = objects(gateway, before);
  return planGateway({ gateway, desired: after ? objects(gateway, after) : [], live, inventory: { gateway, revision: 'a', renderHash: 'r', objects: [] } });
}

const gateways = ['gw-1', 'gw-2', 'gw-3', 'gw-4', 'gw-5', 'gw-6', 'gw-7', 'gw-8'];

interface Case {
  readonly name: string;
  readonly plans: GatewayPlan[];
  readonly declared: readonly string[];
  readonly allow?: boolean;
  readonly want: { ok: boolean; gateways: string[]; share: number };
}

const cases: Case[] = [
  {
    name: 'removing one service from every gateway empties none: allowed',
    plans: gateways.map((g) => plan(g, ['ids', 'fw'], ['ids'])),
    declared: gateways,
    want: { ok: true, gateways: [], share: 0 },
  },
  {
    name: 'removing 2 of 8 gateways from the fleet (25%) is allowed: the limit is inclusive',
    plans: [...gateways.slice(0, 6).map((g) => plan(g, ['ids'], ['ids'])), plan('gw-7', ['ids'], undefined), plan('gw-8', ['ids'], undefined)],
    declared: gateways.slice(0, 6),
    want: { ok: true, gateways: ['gw-7', 'gw-8'], share: 0.25 },
  },
  {
    name: 'removing 3 of 8 gateways is refused',
    plans: gateways.map((g, i) => (i < 3 ? plan(g, ['ids'], undefined) : plan(g, ['ids'], ['ids']))),
    declared: gateways.slice(3),
    want: { ok: false, gateways: ['gw-1', 'gw-2', 'gw-3'], share: 0.375 },
  },
  {
    name: 'gateways still declared but losing all their services count too',
    plans: gateways.map((g, i) => (i < 3 ? plan(g, ['ids', 'fw'], []) : plan(g, ['ids'], ['ids']))),
    declared: gateways,
    want: { ok: false, gateways: ['gw-1', 'gw-2', 'gw-3'], share: 0.375 },
  },
  {
    name: 'an emptied fleet repo is refused',
    plans: gateways.map((g) => plan(g, ['ids'], undefined)),
    declared: [],
    want: { ok: false, gateways, share: 1 },
  },
  {
    name: 'the operator may allow it deliberately for one pass',
    plans: gateways.map((g) => plan(g, ['ids'], undefined)),
    declared: [],
    allow: true,
    want: { ok: true, gateways, share: 1 },
  },
];

describe('checkDeletionGuard', () => {
  it.each(cases)('$name', ({ plans, declared, allow, want }) => {
    const result = checkDeletionGuard({ plans, declaredGateways: new Set(declared), totalGatewaysBefore: gateways.length, maxShare: 0.25, allow: allow ?? false });
    expect({ ok: result.ok, gateways: result.gateways, share: result.share }).toEqual(want);
  });

  it('says which gateways and how to allow the deletion deliberately', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: 8, maxShare: 0.25, allow: false });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('8 of 8 gateways (100%, more than the allowed 25%)');
    expect(result.message).toContain('gw-1, gw-2');
    expect(result.message).toContain('--allow-mass-deletion');
    expect(result.message).toContain('ESSG_ALLOW_MASS_DELETION=true');
  });
});

/** `count` gateways named gw-01 …, each running ids. */
const fleetOf = (count: number): string[] => Array.from({ length: count }, (_, i) => `gw-${String(i + 1).padStart(2, '0')}`);

describe('checkDeletionGuard: the share limit', () => {
  interface LimitCase {
    readonly name: string;
    readonly total: number;
    readonly emptied: number;
    readonly maxShare: number;
    readonly ok: boolean;
  }
  const limits: LimitCase[] = [
    { name: 'nothing emptied', total: 10, emptied: 0, maxShare: 0, ok: true },
    { name: 'exactly at the limit (1 of 10 at 10%)', total: 10, emptied: 1, maxShare: 0.1, ok: true },
    { name: 'just over the limit (2 of 10 at 10%)', total: 10, emptied: 2, maxShare: 0.1, ok: false },
    { name: 'exactly at the limit (5 of 20 at 25%)', total: 20, emptied: 5, maxShare: 0.25, ok: true },
    { name: 'just over the limit (6 of 20 at 25%)', total: 20, emptied: 6, maxShare: 0.25, ok: false },
    { name: 'one gateway when none may be emptied', total: 20, emptied: 1, maxShare: 0, ok: false },
    { name: 'the whole fleet when all may be', total: 4, emptied: 4, maxShare: 1, ok: true },
  ];

  it.each(limits)('$name: ok=$ok', ({ total, emptied, maxShare, ok }) => {
    const names = fleetOf(total);
    const plans = names.map((g, i) => (i < emptied ? plan(g, ['ids'], undefined) : plan(g, ['ids'], ['ids'])));
    const result = checkDeletionGuard({ plans, declaredGateways: new Set(names.slice(emptied)), totalGatewaysBefore: total, maxShare, allow: false });
    expect(result).toMatchObject({ ok, share: emptied / total, gateways: names.slice(0, emptied) });
    if (result.ok) expect(result.allowed).toBe(false);
  });
});

describe('checkDeletionGuard: what can never wipe gateways', () => {
  it('an emptied fleet (every gateway file removed) is refused', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, ['ids', 'fw'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: 8, maxShare: 0.25, allow: false });
    expect(result).toMatchObject({ ok: false, share: 1, gateways });
  });

  it('a fleet listing that returned nothing (every gateway declared, none rendering a service) is refused', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, ['ids'], [])), declaredGateways: new Set(gateways), totalGatewaysBefore: 8, maxShare: 0.25, allow: false });
    expect(result).toMatchObject({ ok: false, share: 1, gateways });
  });

  it('an inventory listing that returned nothing does not make the share zero: the emptied gateways existed before', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: 0, maxShare: 0.25, allow: false });
    expect(result).toMatchObject({ ok: false, share: 1, gateways });
  });

  it('an inventory listing that found fewer gateways than the pass empties is refused', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: 2, maxShare: 0.25, allow: false });
    expect(result).toMatchObject({ ok: false, share: 1 });
  });

  it('allow lets a refused pass through, and says it was allowed', () => {
    const args = { plans: gateways.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set<string>(), totalGatewaysBefore: 8, maxShare: 0.25 };
    expect(checkDeletionGuard({ ...args, allow: false }).ok).toBe(false);
    expect(checkDeletionGuard({ ...args, allow: true })).toEqual({ ok: true, share: 1, gateways, allowed: true });
  });

  it('allow is not reported as used when the pass was within the limit anyway', () => {
    const result = checkDeletionGuard({ plans: [plan('gw-1', ['ids'], undefined)], declaredGateways: new Set(gateways.slice(1)), totalGatewaysBefore: 8, maxShare: 0.25, allow: true });
    expect(result).toEqual({ ok: true, share: 1 / 8, gateways: ['gw-1'], allowed: false });
  });

  it('a first sync (nothing before, nothing deleted) passes', () => {
    const result = checkDeletionGuard({ plans: gateways.map((g) => plan(g, [], ['ids'])), declaredGateways: new Set(gateways), totalGatewaysBefore: 0, maxShare: 0.25, allow: false });
    expect(result).toEqual({ ok: true, share: 0, gateways: [], allowed: false });
  });

  it('names the first ten gateways and counts the rest', () => {
    const names = fleetOf(12);
    const result = checkDeletionGuard({ plans: names.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: 12, maxShare: 0.5, allow: false });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(`12 of 12 gateways (100%, more than the allowed 50%): ${names.slice(0, 10).join(', ')} and 2 more. Nothing was deleted.`);
    expect(result.message).toContain('raise spec.prune.maxDeletionShare in fleet.yaml');
  });

  it.each([[10, ''], [11, ' and 1 more']])('with %i gateways emptied, names ten of them%s', (count, rest) => {
    const names = fleetOf(count);
    const result = checkDeletionGuard({ plans: names.map((g) => plan(g, ['ids'], undefined)), declaredGateways: new Set(), totalGatewaysBefore: count, maxShare: 0.5, allow: false });
    expect(!result.ok && result.message).toContain(`: ${names.slice(0, 10).join(', ')}${rest}. Nothing was deleted.`);
  });

  it('gives shares to one decimal in the message', () => {
    const names = fleetOf(3);
    const result = checkDeletionGuard({ plans: names.map((g, i) => plan(g, ['ids'], i < 2 ? undefined : ['ids'])), declaredGateways: new Set(names.slice(2)), totalGatewaysBefore: 3, maxShare: 0.125, allow: false });
    expect(!result.ok && result.message).toContain('2 of 3 gateways (66.7%, more than the allowed 12.5%): gw-01, gw-02.');
  });
});

describe('emptiedGateways: which gateways a pass empties', () => {
  const workload = (gateway: string, kind: 'Job' | 'CronJob') => ({ apiVersion: 'batch/v1', kind, metadata: { name: `${gateway}-scan`, namespace: 'essg-acme', labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: gateway } }, spec: {} });
  const cm = (gateway: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${gateway}-extra`, namespace: 'essg-acme', labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: gateway } }, data: {} });
  it.each([
    ['a removed gateway', plan('gw-1', ['ids'], undefined), [], ['gw-1']],
    ['a removed gateway that only had a ConfigMap left', planGateway({ gateway: 'gw-1', desired: [], live: [cm('gw-1')] }), [], ['gw-1']],
    ['a declared gateway that loses every workload', plan('gw-1', ['ids', 'fw'], []), ['gw-1'], ['gw-1']],
    ['a declared gateway that keeps one workload', plan('gw-1', ['ids', 'fw'], ['fw']), ['gw-1'], []],
    ['a declared gateway that loses only a ConfigMap and had no workload', planGateway({ gateway: 'gw-1', desired: [ns], live: [cm('gw-1')] }), ['gw-1'], []],
    ['a declared gateway that loses a ConfigMap and keeps its workload', planGateway({ gateway: 'gw-1', desired: objects('gw-1', ['ids']), live: [...objects('gw-1', ['ids']), cm('gw-1')] }), ['gw-1'], []],
    ['a gateway with nothing to delete', plan('gw-1', ['ids'], ['ids']), [], []],
    ['a removed gateway that had nothing left to delete', planGateway({ gateway: 'gw-1', desired: [], live: [] }), [], []],
    ['a declared gateway that loses its only CronJob', planGateway({ gateway: 'gw-1', desired: [ns], live: [workload('gw-1', 'CronJob')] }), ['gw-1'], ['gw-1']],
    ['a declared gateway that loses its only Job', planGateway({ gateway: 'gw-1', desired: [ns], live: [workload('gw-1', 'Job')] }), ['gw-1'], ['gw-1']],
    ['a declared gateway that loses a Job and keeps a CronJob', planGateway({ gateway: 'gw-1', desired: [ns, workload('gw-1', 'CronJob')], live: [workload('gw-1', 'Job'), workload('gw-1', 'CronJob')] }), ['gw-1'], []],
  ] as const)('%s', (_, gatewayPlan, declared, want) => {
    expect(emptiedGateways({ plans: [gatewayPlan], declaredGateways: new Set(declared) })).toEqual(want);
  });

  it('lists the emptied gateways sorted', () => {
    const plans = ['gw-3', 'gw-1', 'gw-2'].map((g) => plan(g, ['ids'], undefined));
    expect(emptiedGateways({ plans, declaredGateways: new Set() })).toEqual(['gw-1', 'gw-2', 'gw-3']);
  });
});
