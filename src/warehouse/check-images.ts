// Images checked before they are needed: every catalog version whose image lives in the
// given registry must be there, by its digest, or it is a problem at the entry's `image`
// (`essg validate --registry URL`), instead of gateways stuck in ImagePullBackOff later.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { FleetModel } from '../model/fleet-model.ts';
import type { Problem } from '../model/problems.ts';
import { parseFleetFile } from '../model/yaml-source.ts';
import type { OciRegistry } from './oci-registry.ts';

/** `HOST[:PORT]/REPOSITORY@sha256:…` → its parts. */
export function parseImage(image: string): { host: string; repository: string; digest: string } | undefined {
  const match = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image);
  return match ? { host: match[1]!, repository: match[2]!, digest: match[3]! } : undefined;
}

export interface ImageCheck {
  readonly problems: readonly Problem[];
  /** Catalog versions whose image is in this registry, all checked. */
  readonly checked: number;
  /** Catalog versions whose image is in another registry: not checked here. */
  readonly elsewhere: number;
}

export async function checkCatalogImages({ dir, model, registry, concurrency = 8 }: { dir: string; model: FleetModel; registry: OciRegistry; concurrency?: number }): Promise<ImageCheck> {
  const limit = pLimit(concurrency);
  const versions = [...model.catalog.values()].flatMap((byVersion) => [...byVersion.values()]);
  const mine = versions.filter((v) => parseImage(v.doc.spec.image)?.host === registry.host);
  const missing = await Promise.all(mine.map((v) => limit(async () => {
    const image = parseImage(v.doc.spec.image)!;
    return (await registry.manifestDigest(image.repository, image.digest)) === undefined ? v : undefined;
  })));
  const problems: Problem[] = [];
  for (const v of missing) {
    if (!v) continue;
    const parsed = parseFleetFile(v.source.path, await readFile(path.join(dir, v.source.path)));
    const at = parsed.ok ? parsed.file.locate(['spec', 'image']) : { line: 1, col: 1 };
    problems.push({
      file: v.source.path, ...at, code: 'IMAGE_NOT_IN_REGISTRY',
      message: `\`${v.service}\` ${v.version}: image ${v.doc.spec.image} is not in the registry ${registry.host}`,
      hint: 'publish it with `essg catalog publish`, or pin the digest the registry holds',
    });
  }
  return { problems, checked: mine.length, elsewhere: versions.length - mine.length };
}
