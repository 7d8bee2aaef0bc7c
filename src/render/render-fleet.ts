// Renders every gateway (or some) independently, reusing a cached render when a gateway's
// input hash is unchanged: a change to one gateway re-renders one chart.
import type { FleetModel } from '../model/fleet-model.ts';
import { UnknownGatewayError } from './errors.ts';
import { gatewayInputs, inputsHash } from './inputs.ts';
import { renderInputs, renderTime, type RenderedGateway } from './render-gateway.ts';

/** Renders kept between passes, by gateway name. */
export class RenderCache {
  private readonly entries = new Map<string, RenderedGateway>();
  get(gateway: string): RenderedGateway | undefined {
    return this.entries.get(gateway);
  }
  set(rendered: RenderedGateway): void {
    this.entries.set(rendered.gateway, rendered);
  }
  /** Forgets every gateway not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const gateway of this.entries.keys()) if (!keep.has(gateway)) this.entries.delete(gateway);
  }
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
    const inputs = gatewayInputs({ model, gateway, now: time });
    const inputHash = inputsHash(inputs);
    const cached = cache?.get(name);
    if (cached && cached.inputHash === inputHash) {
      out.push(cached);
      continue;
    }
    const rendered = renderInputs({ inputs, inputHash });
    synthesized++;
    cache?.set(rendered);
    out.push(rendered);
  }
  if (cache && !gateways) cache.retain(new Set(names));
  return { gateways: out, synthesized };
}
