import { describe, expect, it } from 'vitest';
import { RegistryImages } from '../../../src/warehouse/image-availability.ts';
import { RegistryError } from '../../../src/warehouse/oci-registry.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const HOST = 'registry.soc.example:5000';

/** A registry holding `held` (repository@digest), counting what it is asked. */
function registry(held: Set<string>) {
  const asked: string[] = [];
  return {
    asked,
    client: {
      host: HOST,
      async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
        asked.push(`${repository}@${reference}`);
        return held.has(`${repository}@${reference}`) ? reference : undefined;
      },
    },
  };
}

describe('RegistryImages: which images of a rollout the registry lacks', () => {
  it('names the images of this registry that are not there, and checks no other registry', async () => {
    const r = registry(new Set([`essg/ids@${digest('1')}`]));
    const images = new RegistryImages(r.client);
    const missing = await images.missing([`${HOST}/essg/ids@${digest('1')}`, `${HOST}/essg/fw@${digest('2')}`, `registry.example.com/essg/ids@${digest('3')}`, `${HOST}/essg/fw@${digest('2')}`]);
    expect(missing).toEqual([`${HOST}/essg/fw@${digest('2')}`]);
    expect(images.registry).toBe(HOST);
    expect(r.asked.sort()).toEqual([`essg/fw@${digest('2')}`, `essg/ids@${digest('1')}`]);
  });

  it('never asks again for an image it found, and asks again for one it did not until it is published', async () => {
    const held = new Set<string>([`essg/ids@${digest('1')}`]);
    const r = registry(held);
    const images = new RegistryImages(r.client);
    const both = [`${HOST}/essg/ids@${digest('1')}`, `${HOST}/essg/fw@${digest('2')}`];
    expect(await images.missing(both)).toEqual([`${HOST}/essg/fw@${digest('2')}`]);
    held.add(`essg/fw@${digest('2')}`);
    expect(await images.missing(both)).toEqual([]);
    expect(await images.missing(both)).toEqual([]);
    expect(r.asked).toEqual([`essg/ids@${digest('1')}`, `essg/fw@${digest('2')}`, `essg/fw@${digest('2')}`]);
  });

  it('fails when the registry cannot answer, rather than calling the image missing or there', async () => {
    const images = new RegistryImages({ host: HOST, manifestDigest: async () => { throw new RegistryError(`registry http://${HOST}: HEAD manifest answered HTTP 503`, { registry: HOST, status: 503, request: 'HEAD' }); } });
    await expect(images.missing([`${HOST}/essg/ids@${digest('1')}`])).rejects.toThrow(/HTTP 503/);
  });
});
