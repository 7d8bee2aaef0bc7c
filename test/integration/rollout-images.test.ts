// Images checked before a rollout needs them: with a registry given (`essg reconcile
// --registry`), a change whose image the registry does not hold is held on every gateway it
// would reach, the image named, while they keep running what they ran; once the version is
// published, the next pass rolls it out. A registry that cannot be asked holds the change too,
// saying so. Images of other registries (the template's) are not asked about.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEssg } from '../support/cli.ts';
import { ociLayout } from '../support/image-archives.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { clone, tempDir } from './helpers/git.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import type { TestbedState } from '../../src/testbed/state.ts';
import { testbed } from './helpers/testbed.ts';

let k: Kube;
let fleet: TestFleet;
let bed: TestbedState;
const repository = `essg-it-${Date.now().toString(36)}/ids`;
const IDS = 'catalog/ids/1.1.0.yaml';

printReconcilerLogOnFailure();

/** ids at `version`, as the template's 1.1.0 with another image. */
const idsVersion = (version: string, image: string): string =>
  fleet.files[IDS]!.replace('version: 1.1.0', `version: ${version}`).replace(/image: .*/, `image: ${image}`);

/** acme-sh-01's file running ids at `version`. */
const onVersion = (version: string): Record<string, string> => {
  const file = fleet.gatewayFile('acme-sh-01');
  return { [file]: fleet.files[file]!.replace(/name: ids\n {6}version: [0-9.]+/, `name: ids\n      version: ${version}`) };
};

const idsImage = async (): Promise<string | undefined> =>
  (await k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name: `${fleet.gateway('acme-sh-01')}-ids` })).spec?.template.spec?.containers[0]?.image;

async function converged(r: TestRuntime): Promise<void> {
  await waitFor('acme-sh-01 Ready', async () => (await r.pass(), r.store.gateway(fleet.gateway('acme-sh-01'))?.phase === 'Ready'), { timeoutMs: 120_000, intervalMs: 1000 });
}

describe('rollouts wait for their images in the registry', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    bed = await testbed();
    if (!bed.registry) throw new Error('the test bed runs no registry: restart it (essg testbed down) with this build');
    fleet = await createTestFleet({ gateways: ['acme-sh-01'] });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('holds a version whose image is not in the registry, naming it, and rolls it out once it is published', async () => {
    const { url, username, password } = bed.registry!;
    const r = await startTestRuntime({ repo: fleet.url, registry: { url, credentials: { username, password } } });
    // The template's images are in another registry: not asked about, the first sync installs them.
    await converged(r);
    const before = await idsImage();
    const host = new URL(url).host;
    const layout = await ociLayout(await tempDir(), { layers: ['ids 1.4.0'] });
    const image = `${host}/${repository}@${layout.manifestDigest}`;
    const checkout = await clone({ url: fleet.url });
    const head = await fleet.push({ 'catalog/ids/1.4.0.yaml': idsVersion('1.4.0', image), ...onVersion('1.4.0') }, 'ids 1.4.0 on acme-sh-01');

    const held = await r.pass();
    expect(held.rollout?.decisions.get(fleet.gateway('acme-sh-01'))).toMatchObject({ action: 'hold', hold: { reason: 'image-unavailable', rollout: head, registry: host, images: [image] } });
    expect(held.applied.find((a) => a.gateway === fleet.gateway('acme-sh-01'))?.applied ?? []).toEqual([]);
    expect(r.store.gateway(fleet.gateway('acme-sh-01'))).toMatchObject({ reason: 'RolloutHalted', message: expect.stringContaining(`${image} is not in the registry ${host}`), pendingRevision: head });
    expect(await idsImage()).toBe(before);
    // Held, not failed: the next pass asks again and holds again.
    expect((await r.pass()).rollout?.decisions.get(fleet.gateway('acme-sh-01'))).toMatchObject({ action: 'hold', hold: { reason: 'image-unavailable' } });

    await writeFile(path.join(checkout, 'ids-schema.yaml'), 'type: object\n');
    const published = await runEssg(['catalog', 'publish', checkout, '--image', layout.file, '--service', 'ids', '--version', '1.4.0', '--config-schema', path.join(checkout, 'ids-schema.yaml'), '--repository', repository],
      { env: { ESSG_REGISTRY_URL: url, ESSG_REGISTRY_USERNAME: username, ESSG_REGISTRY_PASSWORD: password } });
    expect(published.code, published.stderr).toBe(0);
    expect(await readFile(path.join(checkout, 'catalog/ids/1.4.0.yaml'), 'utf8')).toContain(`image: ${image}`);

    await waitFor('ids 1.4.0 on acme-sh-01', async () => (await r.pass(), (await idsImage()) === image), { timeoutMs: 120_000, intervalMs: 1000 });
    await converged(r);
    expect(r.store.gateway(fleet.gateway('acme-sh-01'))?.appliedRevision).toBe(head);
    await r.stop();
  });

  it('holds a change when the registry cannot be asked, naming the registry, and applies nothing of it', async () => {
    // A port nothing listens on: the registry is down.
    const r = await startTestRuntime({ repo: fleet.url, registry: { url: 'http://127.0.0.1:9' } });
    await converged(r);
    const before = await idsImage();
    const image = `127.0.0.1:9/essg/ids@sha256:${'5'.repeat(64)}`;
    const head = await fleet.push({ 'catalog/ids/1.5.0.yaml': idsVersion('1.5.0', image), ...onVersion('1.5.0') }, 'ids 1.5.0 on acme-sh-01');
    const held = await r.pass();
    expect(held.rollout?.decisions.get(fleet.gateway('acme-sh-01'))).toMatchObject({ action: 'hold', hold: { reason: 'image-unavailable', rollout: head, images: [image], failure: expect.stringContaining('registry http://127.0.0.1:9') } });
    expect(r.store.gateway(fleet.gateway('acme-sh-01'))?.message).toMatch(/held: the registry 127\.0\.0\.1:9 could not be asked/);
    expect(await idsImage()).toBe(before);
    await r.stop();
  });
});
