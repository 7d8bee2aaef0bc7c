// `essg plan --cluster`: what the next pass would do, read from the live cluster, with no write.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEssg } from '../support/cli.ts';
import { tempDir } from './helpers/git.ts';
import { createTestFleet } from './helpers/fleet.ts';
import { testbed } from './helpers/testbed.ts';

describe('essg plan --cluster', () => {
  it('lists the objects a fleet not yet applied would create, as text and JSON', async () => {
    const fleet = await createTestFleet({ withGateways: false });
    const dir = await tempDir();
    for (const [file, content] of Object.entries(fleet.files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    const env = { KUBECONFIG: (await testbed()).kubeconfig };
    const text = await runEssg(['plan', dir, '--cluster'], { env });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(fleet.gateway('acme-sh-01'));
    const json = await runEssg(['plan', dir, '--cluster', '--format', 'json'], { env });
    const plan = JSON.parse(json.stdout) as { gateways: { gateway: string; creates: unknown[] }[] };
    const gateway = plan.gateways.find((g) => g.gateway === fleet.gateway('acme-sh-01'))!;
    expect(gateway.creates.length).toBeGreaterThan(4);
  });
});
