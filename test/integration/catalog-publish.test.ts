// The service warehouse against the test bed's real OCI registry (CNCF distribution, basic
// auth): `essg catalog publish` pushes a docker-archive and an OCI layout, writes each
// version's catalog file pinned to the digest the registry holds, refuses a version that
// exists in the repo or as another image in the registry, and refuses wrong credentials. The
// second version goes to a gateway by a pull request whose plan names it: held until the
// customer and a fleet operator approve it (through the GitHub fake), then rolled out.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OciRegistry } from '../../src/warehouse/oci-registry.ts';
import { startGitHubFake } from '../github-fake/index.ts';
import { mergedPullRequest } from './helpers/approval-bed.ts';
import { runEssg } from '../support/cli.ts';
import { dockerArchive, ociLayout } from '../support/image-archives.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { clone, tempDir } from './helpers/git.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';

let k: Kube;
let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let registry: OciRegistry;
const repository = `essg-it-${Date.now().toString(36)}/ids`;

printReconcilerLogOnFailure();

let first: Promise<Awaited<ReturnType<typeof runEssg>>> | undefined;
/** ids 1.2.0 published from a docker-archive: the first test to need it publishes it, so each test runs alone as well. */
const published120 = () => (first ??= (async () => publish('1.2.0', (await dockerArchive(await tempDir(), { layers: ['ids 1.2.0 binaries', 'ids 1.2.0 rules'] })).file))());

const publish = (version: string, archive: string, extra: string[] = [], over: NodeJS.ProcessEnv = {}) =>
  runEssg(['catalog', 'publish', dir, '--image', archive, '--service', 'ids', '--version', version, '--config-schema', path.join(dir, 'ids-schema.yaml'), '--repository', repository, ...extra], { env: { ...env, ...over } });

describe('essg catalog publish', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    const state = await testbed();
    if (!state.registry) throw new Error('the test bed runs no registry: restart it (essg testbed down) with this build');
    env = { ESSG_REGISTRY_URL: state.registry.url, ESSG_REGISTRY_USERNAME: state.registry.username, ESSG_REGISTRY_PASSWORD: state.registry.password };
    registry = new OciRegistry({ url: state.registry.url, credentials: { username: state.registry.username, password: state.registry.password } });
    fleet = await createTestFleet({ gateways: ['acme-sh-01'] });
    dir = await clone({ url: fleet.url });
    await writeFile(path.join(dir, 'ids-schema.yaml'), 'type: object\nrequired: [homeNet]\nadditionalProperties: false\nproperties:\n  homeNet: { type: array, minItems: 1, items: { type: string } }\n  ruleSets: { type: array, items: { enum: [emerging-threats, soc-custom, ics] } }\n');
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('pushes a docker-archive and writes the version pinned to the digest the registry holds', async () => {
    const result = await published120();
    expect(result.stderr).toContain('taking the fields other than the image and config schema from catalog/ids/1.1.0.yaml');
    expect(result.code, result.stderr).toBe(0);
    const doc = parse(await readFile(path.join(dir, 'catalog/ids/1.2.0.yaml'), 'utf8')) as { spec: { version: string; image: string; workload: string; configSchema: unknown } };
    const digest = await registry.manifestDigest(repository, '1.2.0');
    expect(doc.spec).toMatchObject({ version: '1.2.0', workload: 'daemon', image: `${registry.host}/${repository}@${digest}` });
    expect(result.stdout).toBe(`published ids 1.2.0: catalog/ids/1.2.0.yaml (docker-archive), image ${registry.host}/${repository}@${digest}\n`);
    expect((await runEssg(['validate', dir])).code).toBe(0);
  });

  it('refuses a version the catalog has, and one the registry holds as another image', async () => {
    await published120();
    const again = await publish('1.2.0', (await dockerArchive(await tempDir(), { layers: ['other bytes'] })).file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('catalog/ids/1.2.0.yaml: not published: the catalog already has catalog/ids/1.2.0.yaml; a published version never changes');
    // 1.2.1 is in the registry (pushed by another checkout of the repo), not in this one.
    const pushedElsewhere = await publish('1.2.1', (await dockerArchive(await tempDir(), { layers: ['first 1.2.1'] })).file);
    expect(pushedElsewhere.code, pushedElsewhere.stderr).toBe(0);
    const held = await registry.manifestDigest(repository, '1.2.1');
    await rm(path.join(dir, 'catalog/ids/1.2.1.yaml'));
    const other = await publish('1.2.1', (await dockerArchive(await tempDir(), { layers: ['second 1.2.1'] })).file);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`${registry.host}/${repository}:1.2.1 is already another image (${held}); a published version never changes`);
    expect(await registry.manifestDigest(repository, '1.2.1')).toBe(held);
  });

  it('validate --registry finds every catalog image of the registry there, and names one that is not, at its line', async () => {
    await published120();
    const state = await testbed();
    const found = await runEssg(['validate', dir, '--registry', state.registry!.url], { env });
    expect(found.code, found.stdout + found.stderr).toBe(0);
    expect(found.stdout).toMatch(/valid: .*; \d+ image\(s\) found in http:\/\/127\.0\.0\.1:\d+ \(\d+ in other registries, not checked\)/);
    const entry = await readFile(path.join(dir, 'catalog/ids/1.2.0.yaml'), 'utf8');
    const ghost = entry.replace(/@sha256:[0-9a-f]{64}/, `@sha256:${'0'.repeat(64)}`).replace('version: 1.2.0', 'version: 1.2.9');
    await writeFile(path.join(dir, 'catalog/ids/1.2.9.yaml'), ghost);
    try {
      const missing = await runEssg(['validate', dir, '--registry', state.registry!.url], { env });
      expect(missing.code).toBe(1);
      const line = ghost.split('\n').findIndex((l) => l.includes('image:')) + 1;
      expect(missing.stdout).toContain(`catalog/ids/1.2.9.yaml:${line}:`);
      expect(missing.stdout).toContain(`IMAGE_NOT_IN_REGISTRY: \`ids\` 1.2.9: image ${registry.host}/${repository}@sha256:${'0'.repeat(64)} is not in the registry ${registry.host}`);
    } finally {
      await rm(path.join(dir, 'catalog/ids/1.2.9.yaml'));
    }
  });

  it('refuses wrong credentials, naming the registry', async () => {
    const denied = await publish('1.2.2', (await dockerArchive(await tempDir(), { layers: ['x'] })).file, [], { ESSG_REGISTRY_PASSWORD: 'wrong' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/registry http:\/\/127\.0\.0\.1:\d+: HEAD manifest .* answered HTTP 401 \(the registry refused the credentials/);
    expect(denied.stderr).not.toContain('wrong');
  });

  it('publishes an OCI layout as the vendor built it, and the version rolls out to a gateway by an approved pull request', async () => {
    const layout = await ociLayout(await tempDir(), { layers: ['ids 1.3.0'] });
    const result = await publish('1.3.0', layout.file);
    expect(result.code, result.stderr).toBe(0);
    // The vendor's manifest, byte for byte: the digest the catalog pins is the one the layout names.
    expect(await registry.manifestDigest(repository, '1.3.0')).toBe(layout.manifestDigest);
    const image = `${registry.host}/${repository}@${layout.manifestDigest}`;

    // Approvals on, as `essg reconcile --approvals github` runs: the fleet's first commit is trusted.
    const token = `ghp_${'CatalogPublishRollout'.repeat(2)}`;
    const fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { [token]: 'essg-bot' } });
    const trusted = (await git.listServerRefs({ http, url: fleet.url, prefix: 'refs/heads/main' }))[0]!.oid;
    const r = await startTestRuntime({ repo: fleet.url, trustedRevision: trusted, github: { owner: 'soc', repo: 'fleet', baseUrl: fake.baseUrl, auth: { token }, requestTimeoutMs: 3000, maxRetries: 1 } });
    await waitFor('acme-sh-01 Ready on ids 1.1.0', async () => (await r.pass(), r.store.gateway(fleet.gateway('acme-sh-01'))?.phase === 'Ready'), { timeoutMs: 120_000, intervalMs: 1000 });
    const base = r.store.snapshot().fleet.revision!;
    const gatewayFile = fleet.gatewayFile('acme-sh-01');
    const entry = await readFile(path.join(dir, 'catalog/ids/1.3.0.yaml'), 'utf8');
    const head = await fleet.push({ 'catalog/ids/1.3.0.yaml': entry, [gatewayFile]: fleet.files[gatewayFile]!.replace('name: ids\n      version: 1.1.0', 'name: ids\n      version: 1.3.0') }, 'ids 1.3.0 on acme-sh-01');

    // The pull request's plan names the new version on the gateway.
    const checkout = await clone({ url: fleet.url });
    const plan = await runEssg(['plan', checkout, '--base', base, '--head', head]);
    expect(plan.stdout).toMatch(new RegExp(`${fleet.gateway('acme-sh-01')}: ids 1\\.1\\.0 -> 1\\.3\\.0`));

    // Merged with the customer's approval only: a new catalog version also needs a fleet operator's.
    const pr = mergedPullRequest(fake, { sha: head, approvals: ['acme-secops-lead'] });
    await r.pass();
    expect(r.store.gateway(fleet.gateway('acme-sh-01'))).toMatchObject({ phase: 'AwaitingApproval', pendingRevision: head, approval: { missing: { customerApprovals: 0, operatorApprovals: 1 } } });
    fake.state.submitReview({ pr, user: 'soc-lead', state: 'APPROVED' });
    await waitFor('ids 1.3.0 running on acme-sh-01', async () => {
      await r.pass();
      return r.store.gateway(fleet.gateway('acme-sh-01'))?.services.find((s) => s.name === 'ids')?.runningVersion === '1.3.0';
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const deployment = await k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name: `${fleet.gateway('acme-sh-01')}-ids` });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(image);
    await r.stop();
    await fake.stop();
  });
});
