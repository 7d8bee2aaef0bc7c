// Publishing a service version into the warehouse: its image archive pushed to the OCI
// registry under the version's tag, then catalog/NAME/X.Y.Z.yaml written pinned to the digest
// the registry holds, with the version's config schema. Versions are immutable, as a registry
// with tag immutability keeps them: a version the catalog has, or that the registry holds as
// another image, is refused. The new file must pass the fleet repo's validation, else it is
// removed again and the problems are reported.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { FleetError } from '../errors/fleet-error.ts';
import { loadFleetFromDir } from '../model/load.ts';
import { formatProblem } from '../model/problems.ts';
import type { ServiceVersion } from '../model/types.generated.ts';
import { readImageArchive } from './image-archive.ts';
import type { OciRegistry } from './oci-registry.ts';

export class PublishRefusedError extends FleetError<{ readonly service: string; readonly version: string; readonly reason: string }> {
  readonly code = 'PUBLISH_REFUSED';
}

export interface PublishArgs {
  /** The fleet repo's working tree. */
  readonly fleetDir: string;
  readonly archive: string;
  readonly service: string;
  readonly version: string;
  /** A JSON Schema (YAML or JSON) each gateway's config for the version must satisfy. */
  readonly configSchemaFile: string;
  readonly registry: OciRegistry;
  /** @default essg/NAME */
  readonly repository?: string;
  /**
   * A ServiceVersion (or its spec) giving the other fields: category, workload, resources, probes, data, flows.
   * @default - those of the service's newest version in the catalog
   */
  readonly specFile?: string;
  readonly log?: (line: string) => void;
}

export interface PublishResult {
  /** The catalog file written, relative to the fleet repo. */
  readonly file: string;
  /** REGISTRY/REPOSITORY@sha256:… */
  readonly image: string;
  readonly digest: string;
  readonly format: 'docker-archive' | 'oci-layout';
  readonly blobsPushed: number;
  readonly blobsPresent: number;
}

const SERVICE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export async function publishServiceVersion(args: PublishArgs): Promise<PublishResult> {
  const { service, version, registry } = args;
  const refuse = (reason: string): never => {
    throw new PublishRefusedError(`catalog/${service}/${version}.yaml: not published: ${reason}`, { service, version, reason });
  };
  if (!SERVICE.test(service)) refuse('the service name must be a DNS label (lower-case letters, digits and -)');
  if (!SEMVER.test(version)) refuse('the version must be X.Y.Z');
  const file = path.join('catalog', service, `${version}.yaml`);
  const target = path.join(args.fleetDir, file);
  if (await exists(target)) refuse(`the catalog already has ${file}; a published version never changes: publish a new version`);
  const base = await baseSpec(args, refuse);
  const configSchema = parse(await readFile(args.configSchemaFile, 'utf8')) as unknown;
  if (typeof configSchema !== 'object' || configSchema === null || Array.isArray(configSchema)) refuse(`${args.configSchemaFile} is not a JSON Schema object`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'essg-publish-'));
  try {
    const image = await readImageArchive(args.archive, work);
    const repository = args.repository ?? `essg/${service}`;
    const held = await registry.manifestDigest(repository, version);
    if (held !== undefined && held !== image.manifest.digest) refuse(`${registry.host}/${repository}:${version} is already another image (${held}); a published version never changes: publish a new version`);
    // The entry is checked before anything is pushed: a refused one leaves no tag behind.
    const digest = image.manifest.digest;
    const ref = `${registry.host}/${repository}@${digest}`;
    const { version: _v, image: _i, configSchema: _c, ...rest } = base;
    const doc = { apiVersion: 'essg.io/v1', kind: 'ServiceVersion', metadata: { name: service }, spec: { version, ...rest, image: ref, configSchema } };
    await writeFile(target, stringify(doc, { lineWidth: 0 }), { flag: 'wx' });
    let pushed = 0;
    let present = 0;
    try {
      await checkValid(args.fleetDir, file);
      for (const blob of [image.config, ...image.layers]) {
        if ((await registry.pushBlob(repository, blob)) === 'pushed') pushed += 1;
        else present += 1;
      }
      const stored = await registry.pushManifest(repository, version, image.manifest);
      if (stored !== digest) throw new PublishRefusedError(`${registry.host}/${repository}:${version}: the registry stored the manifest as ${stored}, not ${digest}`, { service, version, reason: 'digest mismatch' });
    } catch (error) {
      await rm(target, { force: true });
      throw error;
    }
    args.log?.(`pushed ${registry.host}/${repository}:${version} (${pushed} blob(s) pushed, ${present} already there): ${digest}`);
    return { file, image: ref, digest, format: image.format, blobsPushed: pushed, blobsPresent: present };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The fields the new version takes from elsewhere: the given file, or the newest published version. */
async function baseSpec(args: PublishArgs, refuse: (reason: string) => never): Promise<Partial<ServiceVersion['spec']>> {
  if (args.specFile) {
    const doc = parse(await readFile(args.specFile, 'utf8')) as { spec?: unknown } | null;
    const spec = doc && typeof doc === 'object' && 'spec' in doc ? doc.spec : doc;
    if (typeof spec !== 'object' || spec === null) refuse(`${args.specFile} is neither a ServiceVersion nor its spec`);
    return spec as Partial<ServiceVersion['spec']>;
  }
  const dir = path.join(args.fleetDir, 'catalog', args.service);
  const versions = (await readdir(dir).catch(() => [] as string[])).map((f) => f.replace(/\.yaml$/, '')).filter((v) => SEMVER.test(v)).sort(compareSemver);
  const newest = versions.at(-1);
  if (!newest) return refuse(`the first version of ${args.service}: give --spec FILE with its category, workload and resources`);
  const doc = parse(await readFile(path.join(dir, `${newest}.yaml`), 'utf8')) as ServiceVersion;
  args.log?.(`taking the fields other than the image and config schema from catalog/${args.service}/${newest}.yaml`);
  return doc.spec;
}

async function checkValid(fleetDir: string, file: string): Promise<void> {
  const result = await loadFleetFromDir(fleetDir);
  const mine = result.ok ? [] : result.problems.filter((p) => p.file === file);
  if (mine.length === 0) return;
  throw new PublishRefusedError(`${file}: not published, the catalog entry would be invalid:\n  ${mine.map(formatProblem).join('\n  ')}`, { service: path.basename(path.dirname(file)), version: path.basename(file, '.yaml'), reason: 'invalid catalog entry' });
}

function compareSemver(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
