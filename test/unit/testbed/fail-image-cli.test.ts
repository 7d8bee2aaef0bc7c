import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// No test bed runs from here: an argument that got past parsing would fail with exit 1, not 2.
const env = { ...process.env, ESSG_TESTBED_DIR: path.join(os.tmpdir(), 'essg-no-testbed-here') };
const essg = (...args: string[]) =>
  promisify(execFile)(process.execPath, [path.join(root, 'bin/essg.js'), 'testbed', ...args], { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
const DIGEST = `sha256:${'e'.repeat(64)}`;

// Each case starts the CLI in a fresh Node process; on a busy machine that takes seconds.
describe('essg testbed fail-image and heal-image arguments', { timeout: 60_000 }, () => {
  it('refuses an image that is not pinned by digest as a usage error', async () => {
    const result = await essg('fail-image', 'registry.example.com/essg/ids:1.1.0', '--mode', 'crashloop');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not an image digest');
  });

  it('asks for a mode, and only a known one', async () => {
    const [missing, unknown] = await Promise.all([essg('fail-image', DIGEST), essg('fail-image', DIGEST, '--mode', 'oom')]);

    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("required option '--mode <mode>'") });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('crashloop, never-ready, pull-error') });
  });

  it('heal-image checks its digest the same way', async () => {
    expect((await essg('heal-image', 'sha256:abc')).code).toBe(2);
  });

  it('with good arguments and no test bed, says to start one', async () => {
    const result = await essg('heal-image', `registry.example.com/essg/ids@${DIGEST}`);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('essg testbed up');
  });
});
