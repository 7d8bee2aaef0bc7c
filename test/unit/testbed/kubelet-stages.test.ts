import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KWOK_COPIES, KWOK_STAGE_DIR } from '../../../src/testbed/build-plan.ts';
import { kwokDefaultStageFiles, podReadyAgainStage, readKubeletStages } from '../../../src/testbed/kubelet-stages.ts';
import { STAGE_ROLE_LABEL } from '../../../src/testbed/kwok-stage.ts';

describe('kubelet stages', () => {
  it('loads the defaults KWOK itself loads: node status heartbeats when leases are on, the slow lease variant when they are off', () => {
    expect(kwokDefaultStageFiles({ leaseDurationSeconds: 8 })).toEqual(['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml']);
    expect(kwokDefaultStageFiles({ leaseDurationSeconds: 0 })).toContain('node/heartbeat-with-lease/node-heartbeat-with-lease.yaml');
  });

  it('reads KWOK’s published stages unchanged but for the test bed’s label and the node status report’s period and uplink, and adds the Ready-again stage', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kwok-stages-'));
    try {
      for (const file of kwokDefaultStageFiles({ leaseDurationSeconds: 8 })) {
        const target = path.join(dir, KWOK_STAGE_DIR, file);
        await mkdir(path.dirname(target), { recursive: true });
        const kind = file.startsWith('node/') ? 'Node' : 'Pod';
        await writeFile(target, `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: ${path.basename(file, '.yaml')}\nspec:\n  resourceRef: { apiGroup: v1, kind: ${kind} }\n  selector: { matchExpressions: [] }\n  delay: { durationMilliseconds: 20000, jitterDurationMilliseconds: 25000 }\n  next: { delete: true }\n`);
      }

      const stages = await readKubeletStages({ kwokDir: dir, timing: { leaseDurationSeconds: 8, statusReportSeconds: 2 } });

      expect(stages.map((s) => s.metadata.name)).toEqual(['node-initialize', 'node-heartbeat', 'pod-ready', 'pod-complete', 'pod-delete', 'essg-pod-ready-again']);
      expect(stages.every((s) => s.metadata.labels?.[STAGE_ROLE_LABEL] === 'kubelet')).toBe(true);
      expect(stages[2]?.spec).toEqual({ resourceRef: { apiGroup: 'v1', kind: 'Pod' }, selector: { matchExpressions: [] }, delay: { durationMilliseconds: 20000, jitterDurationMilliseconds: 25000 }, next: { delete: true } });
      // The node status report alone comes as often as the lease renews, so `offline` can outwait it.
      expect(stages[1]?.spec.delay).toEqual({ durationMilliseconds: 2000, jitterDurationMilliseconds: 1000 });
      expect(stages[0]?.spec.delay).toEqual({ durationMilliseconds: 20000, jitterDurationMilliseconds: 25000 });
      // …and only while the gateway's uplink is up: a report in flight at the cut ends the chain.
      expect(stages[1]?.spec.selector.matchExpressions).toEqual([{ key: '.metadata.labels["testbed.essg.io/uplink"]', operator: 'In', values: ['up'] }]);
      expect(stages[0]?.spec.selector.matchExpressions).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes Ready again only a running pod whose Ready condition alone went False, as the node lifecycle controller leaves it after an outage', () => {
    const stage = podReadyAgainStage();

    expect(stage.spec.selector.matchExpressions).toEqual([
      { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
      { key: '.status.phase', operator: 'In', values: ['Running'] },
      { key: '.status.conditions.[] | select(.type == "Ready") | .status', operator: 'In', values: ['False'] },
      { key: '.status.conditions.[] | select(.type == "ContainersReady") | .status', operator: 'In', values: ['True'] },
    ]);
    expect(stage.spec.next.statusTemplate).toBe('conditions:\n- lastTransitionTime: {{ Now | Quote }}\n  status: "True"\n  type: Ready\n');
    // A failing image's pods have their containers not ready: this stage leaves them alone.
    expect(stage.spec.weight).toBeUndefined();
  });

  it('copies the stage YAML, the Stage CRD and the resource metrics emulation out of the KWOK module into folders of their own', () => {
    expect(KWOK_COPIES.map((c) => c.to)).toEqual(['stage', 'crds/kwok.x-k8s.io_stages.yaml', 'metrics/metrics-resource.yaml', 'metrics/usage-from-annotation.yaml']);
    expect(KWOK_COPIES.every((c) => !path.isAbsolute(c.to) && !c.to.split('/').includes('..'))).toBe(true);
  });
});
