// Reading a fleet repo's commits straight from the object store, as the reconciler and
// `essg plan` do: no checkout, links reported rather than followed.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleet, loadFleetFromDir } from '../../../src/model/load.ts';
import { GitObjectMissingError, openLocalRepo } from '../../../src/source/index.ts';
import { TEMPLATE_DIR } from '../../support/template-fleet.ts';

let dir: string;
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.com', '-c', 'protocol.file.allow=always', ...args], { encoding: 'utf8' }).trim();
const commits: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'essg-store-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'fleet');
  commits.first = git('rev-parse', 'HEAD');
  writeFileSync(path.join(dir, 'responses/extra.yaml'), 'not: [valid\n');
  unlinkSync(path.join(dir, 'responses/scan-globex-fra-01.yaml'));
  writeFileSync(path.join(dir, 'fleet.yaml'), `${execFileSync('cat', [path.join(dir, 'fleet.yaml')], { encoding: 'utf8' })}# edited\n`);
  git('add', '-A');
  git('commit', '-q', '-m', 'second');
  commits.second = git('rev-parse', 'HEAD');
  // A side branch merged back: first-parent history skips its commits.
  git('checkout', '-q', '-b', 'side');
  mkdirSync(path.join(dir, 'docs'));
  symlinkSync('../fleet.yaml', path.join(dir, 'docs/link.yaml'));
  git('add', '-A');
  git('update-index', '--add', '--cacheinfo', `160000,${commits.first},vendor/sub`);
  git('commit', '-q', '-m', 'side: a link and a submodule');
  commits.side = git('rev-parse', 'HEAD');
  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
  commits.merge = git('rev-parse', 'HEAD');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commit store over a work tree’s .git', () => {
  it('loads the same fleet from a commit as from the checked-out files', async () => {
    const store = openLocalRepo({ dir });
    const fromGit = await loadFleet({ reader: store.readerAt(commits.first!) });
    const fromDir = await loadFleetFromDir(TEMPLATE_DIR);
    expect(fromGit.ok && fromDir.ok).toBe(true);
    if (!fromGit.ok || !fromDir.ok) return;
    expect([...fromGit.model.gateways.keys()]).toEqual([...fromDir.model.gateways.keys()]);
    expect(fromGit.model.fleet.source.sha256).toBe(fromDir.model.fleet.source.sha256);
  });

  it('lists files with their sizes, a symlink as a link and a submodule as other', async () => {
    const entries = await openLocalRepo({ dir }).readerAt(commits.merge!).list();
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('docs/link.yaml')).toEqual({ path: 'docs/link.yaml', type: 'symlink', size: 0 });
    expect(byPath.get('responses/extra.yaml')).toEqual({ path: 'responses/extra.yaml', type: 'file', size: 12 });
    expect(byPath.get('vendor/sub')).toEqual({ path: 'vendor/sub', type: 'other', size: 0 });
  });

  it('reads at most limit + 1 bytes of a file', async () => {
    const bytes = await openLocalRepo({ dir }).readerAt(commits.merge!).read('responses/extra.yaml', 3);
    expect(Buffer.from(bytes).toString()).toBe('not:');
  });

  it('lists the paths added, modified and deleted between two commits', async () => {
    expect(await openLocalRepo({ dir }).changedPaths({ from: commits.first!, to: commits.merge! })).toEqual([
      { path: 'docs/link.yaml', change: 'added' },
      { path: 'fleet.yaml', change: 'modified' },
      { path: 'responses/extra.yaml', change: 'added' },
      { path: 'responses/scan-globex-fra-01.yaml', change: 'deleted' },
      { path: 'vendor/sub', change: 'added' },
    ]);
  });

  it('walks first-parent history newest first, stopping at the base', async () => {
    const history = await openLocalRepo({ dir }).commitsBetween({ from: commits.first!, to: commits.merge! });
    expect(history.map((c) => c.message.trim())).toEqual(['merge side', 'second']);
    expect(history[0]?.parents).toEqual([commits.second, commits.side]);
    expect(history[0]?.author).toEqual({ name: 'ops', email: 'ops@example.com' });
  });

  it('answers ancestry both ways', async () => {
    const store = openLocalRepo({ dir });
    expect(await store.isAncestor({ ancestor: commits.first!, commit: commits.merge! })).toBe(true);
    expect(await store.isAncestor({ ancestor: commits.merge!, commit: commits.first! })).toBe(false);
    expect(await store.isAncestor({ ancestor: commits.merge!, commit: commits.merge! })).toBe(true);
  });

  it('resolves branch names, abbreviated shas and ~N', async () => {
    const store = openLocalRepo({ dir });
    expect(await store.resolve('main')).toBe(commits.merge);
    expect(await store.resolve('HEAD~1')).toBe(commits.second);
    expect(await store.resolve('main~2')).toBe(commits.first);
    expect(await store.resolve(commits.side!.slice(0, 10))).toBe(commits.side);
  });

  it('names an unknown revision in a typed error', async () => {
    await expect(openLocalRepo({ dir }).resolve('nope')).rejects.toBeInstanceOf(GitObjectMissingError);
    await expect(openLocalRepo({ dir }).resolve('HEAD~9')).rejects.toThrow(/goes past the first commit/);
  });
});
