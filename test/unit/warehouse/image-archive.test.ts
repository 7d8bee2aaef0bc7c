// Image archives as vendors deliver them, read into what a registry takes: a docker-archive
// (manifest.json, config, layer tars) gets an OCI manifest of its blobs; an OCI image layout's
// manifest is kept byte for byte; an archive that is neither, holds several images or names a
// file outside itself is refused with what is wrong.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readImageArchive } from '../../../src/warehouse/image-archive.ts';
import { dockerArchive, ociLayout } from '../../support/image-archives.ts';

const dirs: string[] = [];
const tmp = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-archive-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const sha = (text: string | Buffer): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('reading an image archive', () => {
  it('turns a docker-archive into an OCI manifest of its config and layers', async () => {
    const archive = await dockerArchive(await tmp(), { layers: ['layer one', 'layer two'] });
    const image = await readImageArchive(archive.file, await tmp());
    expect(image.format).toBe('docker-archive');
    expect(image.config.digest).toBe(sha(archive.config));
    expect(image.layers.map((l) => [l.digest, l.mediaType])).toEqual(archive.layers.map((l) => [sha(l), 'application/vnd.oci.image.layer.v1.tar']));
    const manifest = JSON.parse(Buffer.from(image.manifest.bytes).toString('utf8'));
    expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: sha(archive.config), size: Buffer.byteLength(archive.config) } });
    expect(image.manifest.digest).toBe(sha(Buffer.from(image.manifest.bytes)));
  });

  it('keeps an OCI layout\'s manifest as it is, so the digest is the vendor\'s', async () => {
    const archive = await ociLayout(await tmp(), { layers: ['only layer'] });
    const image = await readImageArchive(archive.file, await tmp());
    expect(image.format).toBe('oci-layout');
    expect(image.manifest.digest).toBe(archive.manifestDigest);
    expect(image.layers.map((l) => l.digest)).toEqual([sha('only layer')]);
  });

  it('refuses what is not one image: another tarball, several images, a blob that is not what its manifest names', async () => {
    await expect(readImageArchive(path.join(await tmp(), 'missing.tar'), await tmp())).rejects.toThrow(/not a tar archive of an image/);
    const other = await dockerArchive(await tmp(), { layers: ['x'], manifestJson: '[]' });
    await expect(readImageArchive(other.file, await tmp())).rejects.toThrow(/manifest.json must describe exactly one image/);
    const tampered = await ociLayout(await tmp(), { layers: ['real'], tamperLayer: 'swapped' });
    await expect(readImageArchive(tampered.file, await tmp())).rejects.toThrow(/has digest sha256:\w+, not the sha256:\w+ its manifest names/);
    const escaping = await dockerArchive(await tmp(), { layers: ['x'], manifestJson: JSON.stringify([{ Config: '../../etc/passwd', Layers: [] }]) });
    await expect(readImageArchive(escaping.file, await tmp())).rejects.toThrow(/points outside the archive/);
  });
});
