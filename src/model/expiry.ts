// When a service or a response stops: the one rule the renderer, the change plan and the
// gateway history all read. `expires` passed the loader's RFC 3339 check.

/** True when an RFC 3339 `expires` is at or before `now` (epoch milliseconds). */
export function isExpired(expires: string | undefined, now: number): boolean {
  return expires !== undefined && Date.parse(expires) <= now;
}
