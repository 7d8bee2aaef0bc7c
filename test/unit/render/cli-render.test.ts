import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LABEL } from '../../../src/contract/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = (args: readonly string[]) =>
  promisify(execFile)(process.execPath, [path.join(root, 'bin/essg.js'), 'render', ...args], { cwd: root, maxBuffer: 64 * 2 ** 20 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const full = path.join(file.parentPath, file.name);
    out[path.relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}

// Each case starts the CLI in fresh Node processes; on a busy machine that takes seconds.
describe('essg render', { timeout: 60_000 }, () => {
  it('writes OUT/<customer>/<gateway>.yaml, byte-identical on every run of the same fleet', async () => {
    const [a, b] = [await mkdtemp(path.join(os.tmpdir(), 'render-a-')), await mkdtemp(path.join(os.tmpdir(), 'render-b-'))];
    const args = ['fleet-repo-template', '--now', '2026-12-01T00:00:00Z'];
    const [first, second] = await Promise.all([run([...args, '--out', a]), run([...args, '--out', b])]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const files = await tree(a);
    expect(Object.keys(files).sort()).toEqual(['acme/acme-bj-01.yaml', 'acme/acme-sh-01.yaml', 'acme/acme-sh-02.yaml', 'globex/globex-ams-01.yaml', 'globex/globex-fra-01.yaml', 'globex/globex-fra-02.yaml']);
    expect(await tree(b)).toEqual(files);
  });

  it('prints chosen gateways on --stdout and refuses unknown ones or a missing destination', async () => {
    const one = await run(['fleet-repo-template', '--stdout', '--gateway', 'acme-sh-02', '--now', '2026-12-01T00:00:00Z']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^---\napiVersion: v1\nkind: Namespace\n/);
    expect(one.stdout).toContain(`${LABEL.gateway}: acme-sh-02`);
    expect(one.stdout).not.toContain(`${LABEL.gateway}: acme-sh-01`);
    const unknown = await run(['fleet-repo-template', '--stdout', '--gateway', 'nope']);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'essg render: unknown gateway(s): nope\n']);
    expect((await run(['fleet-repo-template'])).code).toBe(2);
  });

  it('renders nothing from an invalid fleet and lists its problems', async () => {
    const broken = await run(['test/golden/validate-broken/fleet', '--stdout']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/UNKNOWN_CUSTOMER/);
    expect(broken.stdout).not.toContain('kind: Deployment');
  });
});
