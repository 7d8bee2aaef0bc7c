// The reconciler's Git source against the test bed's real `git http-backend`: fetch one
// branch into a bare gitdir, load the fleet at a commit without checkout, diff commits,
// notice rewritten history, and fail with typed errors when the server is away or the
// credentials are wrong.
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import git from 'isomorphic-git';
import gitHttp from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleet } from '../../src/model/load.ts';
import { GitAuthError, GitBranchMissingError, GitUnreachableError, type GitAuth, createGitSource } from '../../src/source/index.ts';
import { createGitServer } from '../../src/testbed/git-server.ts';
import { templateFiles } from '../support/template-fleet.ts';
import { AUTHOR, commitAndPush, createBareRepo, onAuth, tempDir } from './helpers/git.ts';
import { testbed } from './helpers/testbed.ts';

async function testbedAuth(): Promise<GitAuth | undefined> {
  const { git: server } = await testbed();
  return server.username === undefined || server.password === undefined ? undefined : { username: server.username, password: server.password };
}

/** Replaces the branch with a new root commit holding `files`: a force-push that rewrites history. */
async function forcePush({ url, files, message }: { url: string; files: Record<string, string>; message: string }): Promise<string> {
  const dir = await tempDir();
  await git.init({ fs, dir, defaultBranch: 'main' });
  for (const [file, content] of Object.entries(files)) {
    await fs.promises.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.promises.writeFile(path.join(dir, file), content);
    await git.add({ fs, dir, filepath: file });
  }
  const oid = await git.commit({ fs, dir, message, author: AUTHOR });
  await git.push({ fs, http: gitHttp, dir, url, ref: 'main', remoteRef: 'main', force: true, onAuth: await onAuth() });
  return oid;
}

describe('Git source on the test bed', () => {
  let url: string;
  let repoDir: string;
  let cacheDir: string;
  let auth: GitAuth | undefined;
  const pushed: Record<string, string> = {};

  beforeAll(async () => {
    ({ url, dir: repoDir } = await createBareRepo('it-source'));
    cacheDir = await tempDir('essg-source-cache-');
    auth = await testbedAuth();
    pushed.first = await commitAndPush({ url, files: templateFiles(), message: 'the template fleet' });
    const files = templateFiles();
    pushed.second = await commitAndPush({
      url,
      files: { 'gateways/acme/acme-sh-02.yaml': (files['gateways/acme/acme-sh-02.yaml'] ?? '').replace('version: 1.0.0', 'version: 1.1.0') },
      message: 'Upgrade ids on acme-sh-02',
    });
  });

  it('fetches the branch head and loads the fleet from that commit without checkout', async () => {
    const source = createGitSource({ url, branch: 'main', cacheDir, ...(auth ? { auth } : {}) });
    const { head, previousHead } = await source.fetch();
    expect(head).toBe(pushed.second);
    expect(previousHead).toBeUndefined();
    // A bare gitdir: objects and refs, no work tree.
    expect(fs.existsSync(path.join(source.gitdir, 'objects'))).toBe(true);
    expect(fs.existsSync(path.join(source.gitdir, 'gateways'))).toBe(false);
    const loaded = await loadFleet({ reader: source.readerAt(head) });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.model.gateways.get('acme-sh-02')?.services.find((s) => s.entry.name === 'ids')?.entry.version).toBe('1.1.0');
    // The whole branch history is there: the older commit loads too.
    const older = await loadFleet({ reader: source.readerAt(pushed.first!) });
    expect(older.ok && older.model.gateways.get('acme-sh-02')?.services.find((s) => s.entry.name === 'ids')?.entry.version).toBe('1.0.0');
  });

  it('lists the changed paths and the first-parent history between two fetched commits', async () => {
    const source = createGitSource({ url, branch: 'main', cacheDir, ...(auth ? { auth } : {}) });
    await source.fetch();
    expect(await source.changedPaths({ from: pushed.first!, to: pushed.second! })).toEqual([{ path: 'gateways/acme/acme-sh-02.yaml', change: 'modified' }]);
    const history = await source.commitsBetween({ from: pushed.first!, to: pushed.second! });
    expect(history.map((c) => [c.sha, c.message.trim()])).toEqual([[pushed.second, 'Upgrade ids on acme-sh-02']]);
    expect(await source.isAncestor({ ancestor: pushed.first!, commit: pushed.second! })).toBe(true);
  });

  it('follows a force-push: the new head is fetched and the old head is no longer its ancestor', async () => {
    const source = createGitSource({ url, branch: 'main', cacheDir, ...(auth ? { auth } : {}) });
    const before = await source.fetch();
    const rewritten = await forcePush({ url, files: templateFiles(), message: 'history rewritten' });
    const after = await source.fetch();
    expect(after).toEqual({ head: rewritten, previousHead: before.head });
    expect(await source.isAncestor({ ancestor: before.head, commit: after.head })).toBe(false);
    // The last good revision stays readable after the rewrite, so gateways can stay on it.
    expect((await loadFleet({ reader: source.readerAt(before.head) })).ok).toBe(true);
  });

  it('asks the server only for what came since the last fetch, not the whole history again', async () => {
    const { url: own } = await createBareRepo('it-source-since');
    await commitAndPush({ url: own, files: templateFiles(), message: 'the template fleet' });
    const source = createGitSource({ url: own, branch: 'main', cacheDir: await tempDir('essg-source-since-'), ...(auth ? { auth } : {}) });
    await source.fetch();
    const packDir = path.join(source.gitdir, 'objects', 'pack');
    const packsBefore = new Set(fs.readdirSync(packDir));
    const gatewayFile = 'gateways/acme/acme-sh-02.yaml';
    const next = await commitAndPush({ url: own, files: { [gatewayFile]: `${templateFiles()[gatewayFile]}# a comment\n` }, message: 'touch acme-sh-02' });
    expect((await source.fetch()).head).toBe(next);
    const received = fs.readdirSync(packDir).filter((name) => name.endsWith('.pack') && !packsBefore.has(name));
    expect(received).toHaveLength(1);
    // The pack's header counts its objects: the commit, the three trees on the file's path and the file.
    expect(fs.readFileSync(path.join(packDir, received[0]!)).readUInt32BE(8)).toBe(5);
  });

  it('shares one gitdir between sources of the same repository', async () => {
    const shared = await tempDir('essg-source-shared-');
    const a = createGitSource({ url, branch: 'main', cacheDir: shared, ...(auth ? { auth } : {}) });
    const b = createGitSource({ url, branch: 'main', cacheDir: shared, ...(auth ? { auth } : {}) });
    expect(b.gitdir).toBe(a.gitdir);
    const [ra, rb] = await Promise.all([a.fetch(), b.fetch()]);
    expect(rb.head).toBe(ra.head);
    expect(fs.readdirSync(shared)).toHaveLength(1);
    expect((await loadFleet({ reader: b.readerAt(ra.head) })).ok).toBe(true);
  });

  it('reports a branch the repository does not have', async () => {
    const source = createGitSource({ url, branch: 'no-such-branch', cacheDir, ...(auth ? { auth } : {}) });
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitBranchMissingError);
    expect(error).toMatchObject({ code: 'GIT_BRANCH_MISSING', data: { component: 'git', branch: 'no-such-branch' } });
  });

  it('fails with a typed error when the Git server cannot be reached', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const source = createGitSource({ url: `http://127.0.0.1:${port}/fleet.git`, branch: 'main', cacheDir });
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitUnreachableError);
    expect((error as GitUnreachableError).toJSON()).toMatchObject({ code: 'GIT_UNREACHABLE', data: { component: 'git', failure: 'unreachable', url: `http://127.0.0.1:${port}/fleet.git` } });
  });

  describe('with basic auth on the server', () => {
    const credentials = { username: 'fleet-bot', password: 'hunter2-s3cret' };
    let server: http.Server;
    let authUrl: string;
    beforeAll(async () => {
      server = createGitServer({ root: path.dirname(repoDir), auth: credentials });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path.basename(repoDir)}`;
    });
    afterAll(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));

    it('fetches with the right credentials', async () => {
      const source = createGitSource({ url: authUrl, branch: 'main', cacheDir: await tempDir(), auth: credentials });
      expect((await source.fetch()).head).toMatch(/^[0-9a-f]{40}$/);
    });

    it('fails with a typed error, without the password, when the credentials are wrong', async () => {
      const wrong = 'not-the-password-42';
      const withAuth = createGitSource({ url: authUrl, branch: 'main', cacheDir: await tempDir(), auth: { username: 'fleet-bot', password: wrong } });
      const inUrl = createGitSource({ url: authUrl.replace('http://', `http://fleet-bot:${wrong}@`), branch: 'main', cacheDir: await tempDir() });
      for (const source of [withAuth, inUrl]) {
        const error = await source.fetch().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GitAuthError);
        expect(JSON.stringify(error)).not.toContain(wrong);
        expect((error as Error).message).not.toContain(wrong);
        expect((error as GitAuthError).data).toMatchObject({ component: 'git', failure: 'auth', url: `${authUrl}` });
      }
      expect(inUrl.url).not.toContain(wrong);
    });
  });
});
