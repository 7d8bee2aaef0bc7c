// The reconciler's pass, wired as the engine wires it, against the in-memory cluster of the
// apply tests and a local Git repo of the template fleet: a first sync applies every
// gateway's objects and each customer's Namespace once, a second pass writes nothing, a hand
// edit is restored and reported as drift, and a bad commit changes nothing and is reported
// with its problems structured.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countsSince } from '../../../src/apply/index.ts';
import { describeRef, refKey } from '../../../src/diff/index.ts';
import { Reconciler } from '../../../src/engine/engine.ts';
import { FleetMetrics, InMemoryEventRecorder, StatusStore } from '../../../src/report/index.ts';
import { openLocalRepo, type GitSource } from '../../../src/source/index.ts';
import { MemoryCluster } from '../apply/memory-cluster.ts';
import { templateRepo } from '../../support/template-repo.ts';

const NOW = '2026-06-01T00:00:00Z';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fleet of its own for one test: the template committed to a fresh repo, an empty in-memory cluster, and the reconciler as the engine wires it. */
function freshFleet() {
  const repo = templateRepo('essg-pass-');
  const { dir, git } = repo;
  dirs.push(dir);
  const cluster = new MemoryCluster();
  const store = new StatusStore();
  const events = new InMemoryEventRecorder();
  const reconciler = new Reconciler({ source: localSource(dir, git), client: cluster, store, metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), events, now: () => NOW });
  return { dir, git, cluster, store, events, reconciler, good: repo.first };
}

/** A fresh fleet after its first sync. */
async function syncedFleet() {
  const fleet = freshFleet();
  expect((await fleet.reconciler.runPass()).result).toBe('success');
  return fleet;
}

/** The branch as the reconciler fetches it: here, the local repo's `main`. */
function localSource(dir: string, git: (...args: string[]) => string): GitSource {
  const store = openLocalRepo({ dir });
  const head = async () => git('rev-parse', 'main');
  return Object.assign(store, { url: dir, branch: 'main', gitdir: path.join(dir, '.git'), fetch: async () => ({ head: await head(), previousHead: undefined }), localHead: head });
}

describe('a pass as the engine wires it', () => {
  it('first sync: every gateway applied at the head, each customer\'s Namespace once and before anything in it', async () => {
    const { cluster, store, reconciler, good } = freshFleet();
    const pass = await reconciler.runPass();
    expect(pass.result).toBe('success');
    expect(pass.applied.map((a) => a.gateway).sort()).toEqual(['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02']);
    expect(pass.applied.every((a) => a.ok)).toBe(true);
    const namespaceApplies = cluster.log.filter((line) => line.startsWith('apply Namespace '));
    expect(namespaceApplies).toEqual(['apply Namespace essg-acme', 'apply Namespace essg-globex']);
    const firstInNamespace = cluster.log.findIndex((line) => line.startsWith('apply ') && line.includes(' essg-acme/'));
    expect(cluster.log.indexOf('apply Namespace essg-acme')).toBeLessThan(firstInNamespace);
    for (const inventory of cluster.inventories.values()) {
      expect(inventory.revision).toBe(good);
      for (const entry of inventory.objects) expect(cluster.objects.has(refKey(entry))).toBe(true);
      expect(inventory.objects.some((e) => e.kind === 'Namespace')).toBe(false);
    }
    expect(store.gateway('acme-sh-01')).toMatchObject({ appliedRevision: good, rollout: { state: 'updating', message: `installing ${good.slice(0, 12)}` } });
  });

  it('a second pass finds nothing to change and writes nothing', async () => {
    const { cluster, reconciler } = await syncedFleet();
    const before = cluster.requests.snapshot();
    const pass = await reconciler.runPass();
    expect(pass.result).toBe('noop');
    expect(countsSince(before, cluster.requests.snapshot())).toMatchObject({ patch: 0, create: 0, update: 0, delete: 0 });
  });

  it('restores an object edited by hand, and says so in a DriftRestored Event', async () => {
    const { cluster, events, reconciler } = await syncedFleet();
    const [key, deployment] = [...cluster.objects].find(([, o]) => o.kind === 'Deployment' && o.metadata.name.startsWith('acme-sh-01-'))!;
    const edited = structuredClone(deployment) as typeof deployment & { spec: { replicas: number } };
    edited.spec.replicas = 0;
    cluster.objects.set(key, edited);
    const pass = await reconciler.runPass();
    expect(pass.result).toBe('success');
    expect((cluster.objects.get(key) as typeof edited).spec.replicas).toBe(1);
    const drift = events.list({ reason: 'DriftRestored' });
    expect(drift.map((e) => e.message)).toEqual([expect.stringContaining(`Deployment ${deployment.metadata.name} (modified)`)]);
    expect(pass.plans.find((p) => p.gateway === 'acme-sh-01')!.drift.map((d) => describeRef(d.ref))).toEqual([`Deployment essg-acme/${deployment.metadata.name}`]);
  });

  it('a bad commit changes nothing, and status holds its problems structured', async () => {
    const { dir, git, cluster, store, reconciler, good } = await syncedFleet();
    const objects = structuredClone([...cluster.objects]);
    writeFileSync(path.join(dir, 'gateways/acme/acme-sh-01.yaml'), 'apiVersion: essg.io/v1\nkind: Gateway\nmetadata: { name: acme-sh-01 }\nspec: { customer: nobody }\n');
    git('commit', '-q', '-am', 'a gateway of no customer');
    const pass = await reconciler.runPass();
    expect(pass.result).toBe('bad-commit');
    expect(pass.applied).toEqual([]);
    expect([...cluster.objects]).toEqual(objects);
    const bad = store.snapshot().fleet.badCommit!;
    expect(bad.revision).toBe(git('rev-parse', 'HEAD'));
    expect(bad.problems.length).toBeGreaterThan(0);
    for (const problem of bad.problems) expect(problem).toMatchObject({ file: 'gateways/acme/acme-sh-01.yaml', line: expect.any(Number), col: expect.any(Number), code: expect.stringMatching(/^[A-Z_]+$/) });
    expect(store.gateway('acme-sh-01')?.appliedRevision).toBe(good);
  });
});
