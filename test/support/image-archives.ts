// Small image archives in the two formats vendors deliver (docker-archive and OCI image
// layout), written with node-tar, for the warehouse's tests.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { create } from 'tar';

const sha = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

function configOf(layers: readonly string[]): string {
  return JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/service'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) } });
}

/** `docker save` of one image: manifest.json, the config and one tar per layer. */
export async function dockerArchive(dir: string, { layers, manifestJson }: { layers: readonly string[]; manifestJson?: string }): Promise<{ file: string; config: string; layers: readonly string[] }> {
  const root = path.join(dir, 'image');
  await mkdir(root, { recursive: true });
  const config = configOf(layers);
  const configName = `${sha(config)}.json`;
  await writeFile(path.join(root, configName), config);
  const names: string[] = [];
  for (const layer of layers) {
    const name = `${sha(layer)}/layer.tar`;
    await mkdir(path.join(root, sha(layer)), { recursive: true });
    await writeFile(path.join(root, name), layer);
    names.push(name);
  }
  await writeFile(path.join(root, 'manifest.json'), manifestJson ?? JSON.stringify([{ Config: configName, RepoTags: ['vendor/service:latest'], Layers: names }]));
  const file = path.join(dir, 'image.tar');
  await create({ file, cwd: root }, ['.']);
  return { file, config, layers };
}

/** An OCI image layout of one image; `tamperLayer` replaces a layer's bytes after its digest was taken. */
export async function ociLayout(dir: string, { layers, tamperLayer }: { layers: readonly string[]; tamperLayer?: string }): Promise<{ file: string; manifestDigest: string }> {
  const root = path.join(dir, 'layout');
  const blobs = path.join(root, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: string): Promise<{ digest: string; size: number }> => {
    await writeFile(path.join(blobs, sha(bytes)), bytes);
    return { digest: `sha256:${sha(bytes)}`, size: Buffer.byteLength(bytes) };
  };
  const config = await put(configOf(layers));
  const layerDescriptors = [];
  for (const layer of layers) layerDescriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...(await put(layer)) });
  if (tamperLayer !== undefined && layers[0] !== undefined) await writeFile(path.join(blobs, sha(layers[0])), tamperLayer);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: layerDescriptors });
  const written = await put(manifest);
  await writeFile(path.join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(path.join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...written }] }));
  const file = path.join(dir, 'layout.tar');
  await create({ file, cwd: root }, ['.']);
  return { file, manifestDigest: written.digest };
}
