// When a service or a response stops: the one rule the renderer, the change plan and the
// gateway history all read. `expires` passed the loader's RFC 3339 check.
import type { FleetModel } from './fleet-model.ts';

/** True when an RFC 3339 `expires` is at or before `now` (epoch milliseconds). */
export function isExpired(expires: string | undefined, now: number): boolean {
  return expires !== undefined && Date.parse(expires) <= now;
}

/**
 * The first instant after `after` (epoch milliseconds) at which something in the model expires
 * (a gateway's service or a response): until then, renders as of any later time are the same.
 * Infinity when nothing expires after it.
 */
export function nextExpiry(model: Pick<FleetModel, 'gateways' | 'responses'>, after: number): number {
  let next = Number.POSITIVE_INFINITY;
  const consider = (expires: string | undefined): void => {
    if (expires === undefined) return;
    const at = Date.parse(expires);
    if (at > after && at < next) next = at;
  };
  for (const gateway of model.gateways.values()) for (const service of gateway.services) consider(service.entry.expires);
  for (const response of model.responses.values()) consider(response.doc.spec.expires);
  return next;
}
