import { describe, expect, it } from 'vitest';
import { checkDeletionGuard } from '../../../src/apply/guard.ts';
import { planGateway, type GatewayPlan } from '../../../src/plan/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';

const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme' } };
function objects(gateway: string, services: readonly string[]): K8sObject[] {
  const labels = { 'app.kubernetes.io/managed-by': 'essg-fleet', 'essg.io/gateway': gateway };
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
