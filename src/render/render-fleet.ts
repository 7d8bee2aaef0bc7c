// Renders every gateway (or some) independently, reusing a cached render when a gateway's
// input hash is unchanged: a change to one gateway re-renders one chart.
import type { FleetModel } from '../model/fleet-model.ts';
import { UnknownGatewayError } from './errors.ts';
import { gatewayInputs, operatorKey, renderKey } from './inputs.ts';
import { renderInputs, renderTime, type RenderedGateway } from './render-gateway.ts';

/**
 * Renders kept between passes, by gateway name, each with the render key it was made from:
 * the last `perGateway` distinct ones of each gateway, most recently used first. Two by
 * default, because a pass in a rollout renders a moving gateway twice (at the head and at the
 * revision it is on): with one, each would push the other out and every pass rendered both.
 */
export class RenderCache {
  private readonly entries = new Map<string, { readonly key: string; readonly rendered: RenderedGateway }[]>();

  constructor(private readonly perGateway = 2) {}

  /** The gateway's render if it was made from exactly this key. */
  get(gateway: string, key: string): RenderedGateway | undefined {
    const kept = this.entries.get(gateway);
    const index = kept?.findIndex((entry) => entry.key === key) ?? -1;
    if (!kept || index < 0) return undefined;
    const [hit] = kept.splice(index, 1);
    kept.unshift(hit!);
    return hit!.rendered;
  }

  set(key: string, rendered: RenderedGateway): void {
    const kept = (this.entries.get(rendered.gateway) ?? []).filter((entry) => entry.key !== key);
    kept.unshift({ key, rendered });
    this.entries.set(rendered.gateway, kept.slice(0, this.perGateway));
  }

  /** Forgets every gateway not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const gateway of this.entries.keys()) if (!keep.has(gateway)) this.entries.delete(gateway);
  }

  /** How many gateways have a render kept. */
  get size(): number {
    return this.entries.size;
  }
}

export interface RenderFleetOptions {
  readonly model: FleetModel;
  /** The render time (RFC 3339), see renderGateway. */
  readonly now: string;
  /**
   * Renders from earlier passes; updated in place.
   * @default - no cache: every gateway is rendered
   */
  readonly cache?: RenderCache;
  /**
   * Only these gateways.
   * @default - every gateway of the fleet
   */
  readonly gateways?: readonly string[];
}

export interface RenderedFleet {
  /** By gateway name. */
  readonly gateways: readonly RenderedGateway[];
  /** How many gateways were synthesized in this pass (the rest came from the cache). */
  readonly synthesized: number;
}

export function renderFleet({ model, now, cache, gateways }: RenderFleetOptions): RenderedFleet {
  const time = renderTime(now);
  const names = gateways ? [...new Set(gateways)].sort() : [...model.gateways.keys()].sort();
  const out: RenderedGateway[] = [];
  let synthesized = 0;
  for (const name of names) {
    const gateway = model.gateways.get(name);
    if (!gateway) throw new UnknownGatewayError(name);
    const key = renderKey({ model, gateway, now: time });
    const cached = cache?.get(name, key);
    if (cached) {
      out.push(cached);
      continue;
    }
    const rendered = renderInputs({ inputs: gatewayInputs({ model, gateway, now: time }), key, operatorKey: operatorKey({ model, gateway, now: time }) });
    synthesized++;
    cache?.set(key, rendered);
    out.push(rendered);
  }
  if (cache && !gateways) cache.retain(new Set(names));
  return { gateways: out, synthesized };
}
