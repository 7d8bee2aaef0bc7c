// Git helpers for integration tests: fresh bare repos on the test bed's Git server, and
// isomorphic-git clone / commit / push against them.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, rm, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import git, { type AuthCallback } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { testbed } from './testbed.ts';

const run = promisify(execFile);
export const AUTHOR = { name: 'essg integration test', email: 'it@essg.invalid' };

/** A new empty bare repo (default branch main) served by the test bed; returns its URL. */
export async function createBareRepo(prefix = 'repo'): Promise<{ readonly url: string; readonly dir: string }> {
  const state = await testbed();
  const name = `${prefix}-${randomBytes(4).toString('hex')}.git`;
  const dir = path.join(state.git.root, name);
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  return { url: `${state.git.baseUrl}/${name}`, dir };
}

/** Credentials for the test bed's Git server, when it was started with --git-auth. */
export async function onAuth(): Promise<AuthCallback | undefined> {
  const { git: server } = await testbed();
  return server.username === undefined ? undefined : () => ({ username: server.username, password: server.password });
}

export async function tempDir(prefix = 'essg-it-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes `files` into a working copy of `url` (cloned, or new if the repo is empty), commits and pushes; returns the commit. */
export async function commitAndPush({ url, files, message, branch = 'main', auth, remove = [] }: { url: string; files: Readonly<Record<string, string>>; message: string; branch?: string; auth?: AuthCallback; remove?: readonly string[] }): Promise<string> {
  const dir = await tempDir();
  const authCallback = auth ?? (await onAuth());
  // Protocol v1: its advertisement lists the refs, which tells an empty repo from one to clone.
  const remote = await git.getRemoteInfo2({ http, url, onAuth: authCallback, protocolVersion: 1 });
  if ((remote.refs ?? []).length > 0) {
    await git.clone({ fs, http, dir, url, ref: branch, singleBranch: true, onAuth: authCallback });
  } else {
    await git.init({ fs, dir, defaultBranch: branch });
    await git.addRemote({ fs, dir, remote: 'origin', url });
  }
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
    await git.add({ fs, dir, filepath: file });
  }
  for (const file of remove) {
    await rm(path.join(dir, file), { force: true });
    await git.remove({ fs, dir, filepath: file });
  }
  const oid = await git.commit({ fs, dir, message, author: AUTHOR });
  await git.push({ fs, http, dir, remote: 'origin', ref: branch, onAuth: authCallback });
  return oid;
}

export async function clone({ url, ref = 'main', auth }: { url: string; ref?: string; auth?: AuthCallback }): Promise<string> {
  const dir = await tempDir();
  await git.clone({ fs, http, dir, url, ref, singleBranch: true, onAuth: auth ?? (await onAuth()) });
  return dir;
}
