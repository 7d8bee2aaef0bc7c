// What changes on one gateway, in the words of the fleet repo: services added, upgraded,
// removed or reconfigured, responses, images to pull. Pure functions of the two models
// and the two renders of that gateway.
import { isDeepStrictEqual } from 'node:util';
import semver from 'semver';
import { isExpired } from '../model/expiry.ts';
import type { FleetModel, GatewayModel } from '../model/fleet-model.ts';
import type { K8sObject } from '../render/index.ts';
import type { GatewayChangePlan, ServiceRef, ServiceUpgrade } from './types.ts';

/** Services that still run at `now` (an expired service is not rendered, so it does not change). */
function activeServices(gateway: GatewayModel | undefined, now: number): Map<string, { version: string; config: unknown }> {
  const out = new Map<string, { version: string; config: unknown }>();
  for (const { entry } of gateway?.services ?? []) {
    if (isExpired(entry.expires, now)) continue;
    out.set(entry.name, { version: entry.version, config: entry.config ?? {} });
  }
  return out;
}

export function serviceChanges({ before, after, now }: { readonly before: GatewayModel | undefined; readonly after: GatewayModel | undefined; readonly now: number }): GatewayChangePlan['services'] {
  const old = activeServices(before, now);
  const next = activeServices(after, now);
  const added: ServiceRef[] = [];
  const upgraded: ServiceUpgrade[] = [];
  const removed: ServiceRef[] = [];
  const configChanged: string[] = [];
  for (const [name, service] of next) {
    const was = old.get(name);
    if (!was) added.push({ name, version: service.version });
    else if (was.version !== service.version) {
      upgraded.push({ name, from: was.version, to: service.version, downgrade: semver.valid(was.version) !== null && semver.valid(service.version) !== null && semver.lt(service.version, was.version) });
    } else if (!isDeepStrictEqual(was.config, service.config)) configChanged.push(name);
  }
  for (const [name, service] of old) if (!next.has(name)) removed.push({ name, version: service.version });
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { added: added.sort(byName), upgraded: upgraded.sort(byName), removed: removed.sort(byName), configChanged: configChanged.sort() };
}

/** Names of the responses acting on a gateway and not expired at `now`. */
export function activeResponses({ model, gateway, now }: { readonly model: FleetModel | undefined; readonly gateway: string; readonly now: number }): Set<string> {
  const out = new Set<string>();
  for (const response of model?.responses.values() ?? []) {
    if (!response.gateways.includes(gateway)) continue;
    if (isExpired(response.doc.spec.expires, now)) continue;
    out.add(response.name);
  }
  return out;
}

export function responseChanges({ before, after }: { readonly before: ReadonlySet<string>; readonly after: ReadonlySet<string> }): GatewayChangePlan['responses'] {
  return {
    added: [...after].filter((name) => !before.has(name)).sort(),
    removed: [...before].filter((name) => !after.has(name)).sort(),
  };
}

/** Every container image an object runs (pod templates of Deployments, Jobs, CronJobs). */
export function imagesOf(objects: readonly K8sObject[]): Set<string> {
  const images = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'image' && typeof child === 'string') images.add(child);
        else walk(child);
      }
    }
  };
  for (const object of objects) walk(object);
  return images;
}

export function imagesToPull({ before, after }: { readonly before: readonly K8sObject[]; readonly after: readonly K8sObject[] }): string[] {
  const had = imagesOf(before);
  return [...imagesOf(after)].filter((image) => !had.has(image)).sort();
}
