// Images checked before a rollout needs them: the reconciler, given a registry, asks it for
// each image a gateway's next render runs that its current one does not, and holds the
// gateways of a rollout whose image is not there (the image named) instead of leaving them
// in ImagePullBackOff. A digest names one image for good, so one found is never asked again;
// one missing is asked again each pass, and found once it is published.
import pLimit from 'p-limit';
import { parseImage } from './check-images.ts';
import type { OciRegistry } from './oci-registry.ts';

export interface ImageAvailability {
  /** The registry, as image references name it (HOST[:PORT]). */
  readonly registry: string;
  /**
   * Of these images, those that name this registry and are not in it, sorted; images of other
   * registries are not checked. Throws (a RegistryError) when the registry does not answer.
   */
  missing(images: Iterable<string>): Promise<string[]>;
}

export class RegistryImages implements ImageAvailability {
  private readonly found = new Set<string>();
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly client: Pick<OciRegistry, 'host' | 'manifestDigest'>, { concurrency = 8 }: { concurrency?: number } = {}) {
    this.limit = pLimit(concurrency);
  }

  get registry(): string {
    return this.client.host;
  }

  async missing(images: Iterable<string>): Promise<string[]> {
    const asked = [...new Set(images)].filter((image) => !this.found.has(image)).flatMap((image) => {
      const ref = parseImage(image);
      return ref && ref.host === this.client.host ? [{ image, ref }] : [];
    });
    const answers = await Promise.all(asked.map(({ image, ref }) => this.limit(async () => ({ image, there: (await this.client.manifestDigest(ref.repository, ref.digest)) !== undefined }))));
    for (const answer of answers) if (answer.there) this.found.add(answer.image);
    return answers.filter((answer) => !answer.there).map((answer) => answer.image).sort();
  }
}
