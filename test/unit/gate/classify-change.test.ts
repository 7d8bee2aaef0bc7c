import { describe, expect, it } from 'vitest';
import { type RenderedObject, classifyChange } from '../../../src/gate/classify-change.ts';
import { LABEL } from '../../../src/contract/index.ts';

const ns = 'essg-acme';

function deployment(image: string): RenderedObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'ids', namespace: ns, labels: { [LABEL.service]: 'ids' } },
    spec: { template: { spec: { containers: [{ name: 'ids', image }] } } },
  };
}

function blockList(cidrs: string[]): RenderedObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'block-scanner', namespace: ns, labels: { [LABEL.response]: 'block-scanner', [LABEL.responseAction]: 'ip-block' } },
    data: { cidrs: cidrs.join('\n') },
  };
}

function scanJob(target: string): RenderedObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'scan-dmz', namespace: ns, labels: { [LABEL.response]: 'scan-dmz', [LABEL.responseAction]: 'vuln-scan' } },
    spec: { template: { spec: { containers: [{ name: 'scan', args: [target] }] } } },
  };
}

const ids1 = deployment('registry.example.com/essg/ids@sha256:' + '1'.repeat(64));
const ids2 = deployment('registry.example.com/essg/ids@sha256:' + '2'.repeat(64));

function classify(previous: RenderedObject[], candidate: RenderedObject[], operatorHash: { previous?: string; candidate?: string } = { previous: 'ops-1', candidate: 'ops-1' }) {
  return classifyChange({ gateway: 'acme-sh-01', customer: 'acme', previous, candidate, operatorHash: { previous: operatorHash.previous, candidate: operatorHash.candidate } });
}

describe('classifyChange: what a commit changes in one gateway’s render', () => {
  it('an identical render is no change, even if files changed', () => {
    const c = classify([ids1, blockList(['203.0.113.7/32'])], [ids1, blockList(['203.0.113.7/32'])], { previous: 'ops-1', candidate: 'ops-2' });
    expect(c).toMatchObject({ touchesWorkloads: false, changedObjects: [] });
    expect([...c.responseActions]).toEqual([]);
  });

  it('a new image is a workload change', () => {
    const c = classify([ids1], [ids2]);
    expect(c).toMatchObject({ touchesWorkloads: true, fleetWide: false, changedObjects: ['Deployment essg-acme/ids (apps/v1)'] });
  });

  it('an added ip-block list is a response change only', () => {
    const c = classify([ids1], [ids1, blockList(['203.0.113.7/32'])]);
    expect(c.touchesWorkloads).toBe(false);
    expect([...c.responseActions]).toEqual(['ip-block']);
  });

  it('a removed scan job is a vuln-scan change', () => {
    const c = classify([ids1, scanJob('10.0.0.0/24')], [ids1]);
    expect(c.touchesWorkloads).toBe(false);
    expect([...c.responseActions]).toEqual(['vuln-scan']);
  });

  it('a changed EDR action list is an edr-action change only', () => {
    const edrList = (endpoints: string[]): RenderedObject => ({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'acme-sh-01-edr-actions', namespace: ns, labels: { [LABEL.response]: 'edr-action-list', [LABEL.responseAction]: 'edr-action' } },
      data: { 'edr-actions.json': JSON.stringify({ actions: [{ response: 'isolate', command: 'isolate-host', endpoints }] }) },
    });
    const c = classify([ids1, edrList(['ws-1'])], [ids1, edrList(['ws-1', 'ws-2'])]);
    expect(c).toMatchObject({ touchesWorkloads: false, changedObjects: ['ConfigMap essg-acme/acme-sh-01-edr-actions (v1)'] });
    expect([...c.responseActions]).toEqual(['edr-action']);
  });

  it('a response and a workload change together are both reported', () => {
    const c = classify([ids1], [ids2, blockList(['198.51.100.0/24'])]);
    expect(c.touchesWorkloads).toBe(true);
    expect([...c.responseActions]).toEqual(['ip-block']);
  });

  it('catalog files or fleet settings that differ from the accepted render mark the change fleet-wide', () => {
    expect(classify([ids1], [ids2], { previous: 'ops-1', candidate: 'ops-2' }).fleetWide).toBe(true);
    // A gateway that never ran uses catalog versions no operator has accepted for it.
    expect(classify([], [ids2], { candidate: 'ops-2' }).fleetWide).toBe(true);
    expect(classify([ids1], [ids2], { previous: 'ops-1', candidate: 'ops-1' }).fleetWide).toBe(false);
    // A removed gateway uses nothing of the catalog: the customer's approval covers it.
    expect(classify([ids1], [], { previous: 'ops-1' }).fleetWide).toBe(false);
  });

  it('an object labelled as a response with an unknown action counts as a workload change', () => {
    const odd: RenderedObject = { ...blockList(['203.0.113.7/32']), metadata: { name: 'x', namespace: ns, labels: { [LABEL.response]: 'x', [LABEL.responseAction]: 'reboot' } } };
    expect(classify([ids1], [ids1, odd]).touchesWorkloads).toBe(true);
  });

  it('lists every changed object once, sorted, namespaced or not', () => {
    const namespace = (label: string): RenderedObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { tier: label } } });
    const c = classify([scanJob('10.0.0.0/24'), ids1, namespace('a')], [namespace('b'), ids2, blockList(['192.0.2.1/32'])]);
    expect(c.changedObjects).toEqual([
      'ConfigMap essg-acme/block-scanner (v1)',
      'Deployment essg-acme/ids (apps/v1)',
      'Job essg-acme/scan-dmz (batch/v1)',
      'Namespace essg-acme (v1)',
    ]);
  });
});
