// A service image as its vendor delivers it: a tarball in the docker-archive format
// (`docker save`: manifest.json, a config, layer tars) or an OCI image layout (`oci-layout`,
// index.json, blobs/sha256/…, as skopeo, buildah or `docker save` since 25 write it). Read into
// what an OCI registry takes: the config and layer blobs and one image manifest. An OCI
// layout's manifest is pushed byte for byte, so its digest is the vendor's.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { extract } from 'tar';
import { FleetError } from '../errors/fleet-error.ts';
import type { BlobSource } from './oci-registry.ts';
import { OCI_INDEX, OCI_MANIFEST } from './oci-registry.ts';

export class ImageArchiveError extends FleetError<{ readonly archive: string }> {
  readonly code = 'IMAGE_ARCHIVE_INVALID';
}

export interface ImageBlob extends BlobSource {
  readonly mediaType: string;
}

export interface ImageToPush {
  readonly format: 'docker-archive' | 'oci-layout';
  readonly config: ImageBlob;
  readonly layers: readonly ImageBlob[];
  readonly manifest: { readonly mediaType: string; readonly bytes: Uint8Array; readonly digest: string };
}

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Unpacks the archive into `workDir` (entries may not leave it) and reads the image in it. */
export async function readImageArchive(archive: string, workDir: string): Promise<ImageToPush> {
  try {
    await extract({ file: archive, cwd: workDir, strict: true, preservePaths: false });
  } catch (error) {
    throw new ImageArchiveError(`${archive}: not a tar archive of an image (${(error as Error).message})`, { archive }, { cause: error });
  }
  const has = async (name: string): Promise<boolean> => stat(path.join(workDir, name)).then(() => true, () => false);
  if ((await has('oci-layout')) && (await has('index.json'))) return ociLayout(archive, workDir);
  if (await has('manifest.json')) return dockerArchive(archive, workDir);
  throw new ImageArchiveError(`${archive}: neither a docker-archive (manifest.json) nor an OCI image layout (oci-layout, index.json)`, { archive });
}

async function readJson<T>(archive: string, file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new ImageArchiveError(`${archive}: ${path.basename(file)} is not JSON (${(error as Error).message})`, { archive });
  }
}

/** A file of the archive, by a path it names: inside the archive, or an error. */
function inside(archive: string, workDir: string, name: string): string {
  const file = path.resolve(workDir, name);
  if (!file.startsWith(`${path.resolve(workDir)}${path.sep}`)) throw new ImageArchiveError(`${archive}: ${name} points outside the archive`, { archive });
  return file;
}

async function blobOf(archive: string, workDir: string, name: string, mediaType: string, digest?: string): Promise<ImageBlob> {
  const file = inside(archive, workDir, name);
  const size = await stat(file).then((s) => s.size, () => {
    throw new ImageArchiveError(`${archive}: ${name} is named but not in the archive`, { archive });
  });
  const actual = await sha256File(file);
  if (digest !== undefined && digest !== actual) throw new ImageArchiveError(`${archive}: ${name} has digest ${actual}, not the ${digest} its manifest names`, { archive });
  return { digest: actual, size, mediaType, from: { file } };
}

async function dockerArchive(archive: string, workDir: string): Promise<ImageToPush> {
  const manifest = await readJson<{ Config?: string; Layers?: string[] }[]>(archive, path.join(workDir, 'manifest.json'));
  if (!Array.isArray(manifest) || manifest.length !== 1 || !manifest[0]?.Config || !Array.isArray(manifest[0].Layers)) {
    throw new ImageArchiveError(`${archive}: manifest.json must describe exactly one image (Config and Layers); an archive of ${Array.isArray(manifest) ? manifest.length : 0} images is not one service version`, { archive });
  }
  const config = await blobOf(archive, workDir, manifest[0].Config, OCI_CONFIG);
  const layers: ImageBlob[] = [];
  for (const layer of manifest[0].Layers) {
    const file = inside(archive, workDir, layer);
    const gzipped = (await readFile(file).then((b) => b.subarray(0, 2))).equals(Buffer.from([0x1f, 0x8b]));
    layers.push(await blobOf(archive, workDir, layer, gzipped ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar'));
  }
  const bytes = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  }));
  return { format: 'docker-archive', config, layers, manifest: { mediaType: OCI_MANIFEST, bytes, digest: sha256(bytes) } };
}

interface Descriptor { readonly mediaType?: string; readonly digest: string; readonly size?: number }

async function ociLayout(archive: string, workDir: string): Promise<ImageToPush> {
  const index = await readJson<{ manifests?: Descriptor[] }>(archive, path.join(workDir, 'index.json'));
  const images = (index.manifests ?? []).filter((m) => m.mediaType === undefined || m.mediaType === OCI_MANIFEST || m.mediaType === DOCKER_MANIFEST);
  if ((index.manifests ?? []).some((m) => m.mediaType === OCI_INDEX) || images.length !== 1) {
    throw new ImageArchiveError(`${archive}: the layout must hold exactly one image manifest (a multi-platform index is not published: publish one platform's archive)`, { archive });
  }
  const blobPath = (digest: string): string => {
    const [algorithm, hex] = digest.split(':');
    if (algorithm !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? '')) throw new ImageArchiveError(`${archive}: ${digest} is not a sha256 digest`, { archive });
    return `blobs/sha256/${hex}`;
  };
  const top = images[0]!;
  const manifestFile = inside(archive, workDir, blobPath(top.digest));
  const bytes = await readFile(manifestFile).catch(() => {
    throw new ImageArchiveError(`${archive}: its manifest ${top.digest} is not in blobs/`, { archive });
  });
  if (sha256(bytes) !== top.digest) throw new ImageArchiveError(`${archive}: the manifest's bytes do not have the digest index.json names`, { archive });
  const manifest = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; config?: Descriptor; layers?: Descriptor[] };
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new ImageArchiveError(`${archive}: its manifest names no config or layers`, { archive });
  const config = await blobOf(archive, workDir, blobPath(manifest.config.digest), manifest.config.mediaType ?? OCI_CONFIG, manifest.config.digest);
  const layers: ImageBlob[] = [];
  for (const layer of manifest.layers) layers.push(await blobOf(archive, workDir, blobPath(layer.digest), layer.mediaType ?? 'application/vnd.oci.image.layer.v1.tar', layer.digest));
  return { format: 'oci-layout', config, layers, manifest: { mediaType: manifest.mediaType ?? top.mediaType ?? OCI_MANIFEST, bytes, digest: top.digest } };
}
