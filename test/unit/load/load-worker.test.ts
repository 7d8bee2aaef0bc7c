// Bounded loading: the reconciler loads and renders a commit in a worker thread with a
// deadline and a heap bound. A commit past either is a bad commit naming the bound, the
// worker is replaced, the next commit loads, and the event loop is free meanwhile.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inThreadLoader } from '../../../src/load/index.ts';
import { WorkerLoader } from '../../../src/load/index.ts';
import { openLocalRepo } from '../../../src/source/index.ts';
import { TEMPLATE_DIR, templateFiles } from '../../support/template-fleet.ts';

let dir: string;
const commits: Record<'good' | 'broken' | 'changed' | 'slow' | 'huge', string> = { good: '', broken: '', changed: '', slow: '', huge: '' };
const NOW = '2026-06-01T00:00:00Z';
/**
 * Far more than the template fleet needs in a fresh worker (well under a second), far less
 * than 3,000 more gateways (about 6 s on an idle two-core machine, more when it is busy).
 */
const DEADLINE_MS = 3000;
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.com', ...args], { encoding: 'utf8' }).trim();

function commitFiles(files: Record<string, string>, message: string): string {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

/** Copies of one template gateway, each on its own node: valid, and as many as a fleet may hold. */
function copiesOf(count: number, homeNet: (i: number) => string): Record<string, string> {
  const gateway = templateFiles()['gateways/acme/acme-sh-01.yaml']!;
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `acme-bulk-${String(i).padStart(4, '0')}`;
    out[`gateways/acme/${name}.yaml`] = gateway.replaceAll('acme-sh-01', name).replace(/homeNet: \[[^\]]*\]/, `homeNet: [${homeNet(i)}]`);
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'essg-load-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  commits.good = commitFiles({}, 'fleet');
  commits.broken = commitFiles({ 'fleet.yaml': 'apiVersion: essg.io/v1\nkind: Fleet\n' }, 'broken');
  git('reset', '-q', '--hard', commits.good);
  const sh01 = templateFiles()['gateways/acme/acme-sh-01.yaml']!;
  commits.changed = commitFiles({ 'gateways/acme/acme-sh-01.yaml': sh01.replace(/homeNet: \[[^\]]*\]/, 'homeNet: [10.99.0.0/16]') }, 'acme-sh-01 on another home network');
  git('reset', '-q', '--hard', commits.good);
  // Slow to render (tens of seconds), small to hold: 3,000 more gateways.
  commits.slow = commitFiles(copiesOf(3000, (i) => `10.${i % 250}.0.0/16`), 'many gateways');
  // Large to hold: 40 gateway files near the size limit, each a home network of 12,000 CIDRs.
  commits.huge = commitFiles(copiesOf(40, (i) => Array.from({ length: 12_000 }, (_, k) => `10.${i}.${k % 250}.${Math.floor(k / 250)}/32`).join(', ')), 'huge home networks');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loaders: WorkerLoader[] = [];
afterEach(async () => {
  for (const loader of loaders.splice(0)) await loader.close();
});
function workerLoader(bounds: { timeoutMs?: number; maxMemoryMb?: number }, renderThreads?: number): WorkerLoader {
  const loader = new WorkerLoader({ gitdir: path.join(dir, '.git'), origin: dir, bounds, ...(renderThreads ? { renderThreads } : {}) });
  loaders.push(loader);
  return loader;
}

describe('loading a commit in the bounded worker', () => {
  it('gives the same fleet and renders as loading in this thread, also when renders come back by reference', async () => {
    const loader = workerLoader({});
    const inThread = await inThreadLoader(openLocalRepo({ dir })).load({ commit: commits.good, now: NOW });
    const first = await loader.load({ commit: commits.good, now: NOW });
    // The second answer names the renders this side already holds instead of copying them.
    loader.startPass();
    const second = await loader.load({ commit: commits.good, now: NOW });
    expect(inThread.ok && first.ok && second.ok).toBe(true);
    if (!inThread.ok || !first.ok || !second.ok) return;
    expect([...first.model.gateways.keys()]).toEqual([...inThread.model.gateways.keys()]);
    expect(first.model.fleet.doc).toEqual(inThread.model.fleet.doc);
    for (const answer of [first, second]) expect(answer.rendered).toEqual(inThread.rendered);
    expect(loader.failures).toEqual({ deadline: 0, memory: 0, worker: 0 });
  });

  it('holds what two commits share once: a gateway, customer or catalog entry unchanged between them is one object, a changed gateway is its own', async () => {
    const loader = workerLoader({});
    const good = await loader.load({ commit: commits.good, now: NOW });
    const changed = await loader.load({ commit: commits.changed, now: NOW });
    if (!good.ok || !changed.ok) throw new Error('both commits load');
    expect(changed.model.gateways.get('acme-sh-02')).toBe(good.model.gateways.get('acme-sh-02'));
    expect(changed.model.customers.get('acme')).toBe(good.model.customers.get('acme'));
    const [service, versions] = [...good.model.catalog][0]!;
    const [version, entry] = [...versions][0]!;
    expect(changed.model.catalog.get(service)?.get(version)).toBe(entry);
    expect(changed.model.gateways.get('acme-sh-01')).not.toBe(good.model.gateways.get('acme-sh-01'));
    expect(changed.model.gateways.get('acme-sh-01')?.doc.spec.services.find((s) => s.name === 'ids')?.config).toMatchObject({ homeNet: ['10.99.0.0/16'] });
    // A new pass that loads only the changed commit still answers the same, what it shares included.
    loader.startPass();
    const again = await loader.load({ commit: commits.changed, now: NOW });
    expect(again).toEqual(changed);
    // And the invalid commit is reported in full each time, its broken file checked or not.
    for (let i = 0; i < 2; i++) expect(await loader.load({ commit: commits.broken, now: NOW })).toEqual(await inThreadLoader(openLocalRepo({ dir })).load({ commit: commits.broken, now: NOW }));
  });

  it('keeps the renders of a fleet carried through passes that load nothing: the next commit names them instead of copying them', async () => {
    const loader = workerLoader({});
    const good = await loader.load({ commit: commits.good, now: NOW });
    if (!good.ok) throw new Error('the commit loads');
    // Two passes that reuse the loaded fleet (nothing new pushed) and load nothing themselves.
    loader.startPass([good]);
    loader.startPass([good]);
    const changed = await loader.load({ commit: commits.changed, now: NOW });
    if (!changed.ok) throw new Error('the commit loads');
    expect(changed.rendered.get('acme-sh-02')).toBe(good.rendered.get('acme-sh-02'));
    expect(changed.rendered.get('acme-sh-01')).not.toBe(good.rendered.get('acme-sh-01'));
  });

  it('renders a cold commit of thousands of gateways on render threads, with the renders one thread gives', async () => {
    const [pooled, inThread] = [await workerLoader({}, 2).load({ commit: commits.slow, now: NOW }), await inThreadLoader(openLocalRepo({ dir })).load({ commit: commits.slow, now: NOW })];
    if (!pooled.ok || !inThread.ok) throw new Error(`the commit loads: ${JSON.stringify([pooled, inThread].map((l) => (l.ok ? 'ok' : l.problems.slice(0, 2))))}`);
    expect(pooled.rendered.size).toBe(3006);
    expect(pooled.rendered).toEqual(inThread.rendered);
  }, 120_000);

  it('a commit not loaded within the deadline is bad, names --load-timeout, and the next commit, queued behind it, loads against its own deadline in a fresh worker', async () => {
    // On the load worker alone: render threads would shorten the slow commit by how many cores the machine has.
    const loader = workerLoader({ timeoutMs: DEADLINE_MS }, 1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const [slow, good] = await Promise.all([loader.load({ commit: commits.slow, now: NOW }), loader.load({ commit: commits.good, now: NOW })]);
    clearInterval(timer);
    expect(slow).toEqual({ ok: false, commit: commits.slow, problems: [{ code: 'LOAD_DEADLINE', message: expect.stringMatching(/^loading and rendering the fleet at [0-9a-f]{12} took longer than 3000 ms \(--load-timeout\); the load worker was stopped and replaced$/) }] });
    // The event loop ran its timers while the worker loaded.
    expect(ticks).toBeGreaterThan(0);
    expect(loader.failures.deadline).toBe(1);
    expect(good.ok && [...good.rendered.keys()]).toEqual(['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02']);
  });

  it('a commit that needs more heap than the bound is bad, names --load-max-memory, and the next commit loads', async () => {
    const loader = workerLoader({ maxMemoryMb: 64 });
    const huge = await loader.load({ commit: commits.huge, now: NOW });
    expect(huge).toEqual({ ok: false, commit: commits.huge, problems: [{ code: 'LOAD_MEMORY', message: expect.stringMatching(/^loading and rendering the fleet at [0-9a-f]{12} needed more than 64 MiB of heap \(--load-max-memory\); the load worker was stopped and replaced$/) }] });
    expect(loader.failures.memory).toBe(1);
    const good = await loader.load({ commit: commits.good, now: NOW });
    expect(good.ok).toBe(true);
  });

  it('an invalid commit is bad with the loader’s problems, as in this thread', async () => {
    const broken = commits.broken;
    const inWorker = await workerLoader({}).load({ commit: broken, now: NOW });
    const inThread = await inThreadLoader(openLocalRepo({ dir })).load({ commit: broken, now: NOW });
    expect(inWorker.ok).toBe(false);
    expect(inWorker).toEqual(inThread);
  });
  it('starts from any working directory, not only one with the reconciler’s node_modules beside it', () => {
    // `essg reconcile` may be started from anywhere (a systemd unit, a shell in $HOME): the worker must find its loader itself.
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'essg-cwd-'));
    const worker = pathToFileURL(path.resolve('src/load/index.ts')).href;
    const script = `const { WorkerLoader } = await import(${JSON.stringify(worker)});
const loader = new WorkerLoader({ gitdir: ${JSON.stringify(path.join(dir, '.git'))}, origin: 'fleet' });
const answer = await loader.load({ commit: ${JSON.stringify(commits.good)}, now: ${JSON.stringify(NOW)} });
await loader.close();
process.stdout.write(JSON.stringify(answer.ok ? [...answer.rendered.keys()] : answer.problems));`;
    try {
      const out = execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { cwd: elsewhere, encoding: 'utf8', timeout: 90_000 });
      expect(JSON.parse(out)).toEqual(['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02']);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 120_000);
});
