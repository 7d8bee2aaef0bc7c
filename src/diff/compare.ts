// Compares a desired object with the live one on the fields we set only: everything the API
// server adds (status, defaults, managedFields, resourceVersion, controller labels) is ignored.

type Json = unknown;

/** Resource quantities come back canonical ("1000m" → "1", "0.5Gi" → "512Mi"): compare their values. */
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
const SUFFIX: Readonly<Record<string, number>> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY_KEYS = new Set(['resources', 'sizeLimit', 'capacity']);

export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const scale = suffix.startsWith('e') || suffix.startsWith('E') ? 10 ** Number(suffix.slice(1)) : (SUFFIX[suffix] ?? 1);
  return Number(match[1]) * scale;
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: Json): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
}

function sameScalar(desired: Json, live: Json, inQuantity: boolean): boolean {
  if (desired === live) return true;
  // The API server omits zero values of optional fields (hostNetwork: false, a 0 count, ''):
  // absent reads as the zero value, as it does for the server itself.
  if (live === undefined && (desired === false || desired === 0 || desired === '')) return true;
  if (inQuantity && typeof desired === 'string' && typeof live === 'string') {
    const a = quantityValue(desired);
    const b = quantityValue(live);
    // Relative tolerance: canonical forms may round in the last digit of a float.
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }
  // int-or-string fields (ports, maxSurge) may come back in the other form.
  if ((typeof desired === 'number' && typeof live === 'string') || (typeof desired === 'string' && typeof live === 'number')) return String(desired) === String(live);
  return false;
}

/**
 * True when every field of `desired` is in `live` with the same value. Lists must match
 * element by element (same length): a list we set is ours as a whole.
 */
export function isSubset(desired: Json, live: Json, inQuantity = false): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired.length === 0 && (live === undefined || live === null);
    return desired.length === live.length && desired.every((item, i) => isSubset(item, live[i], inQuantity));
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return isEmpty(desired) && (live === undefined || live === null);
    return Object.entries(desired).every(([key, value]) => isSubset(value, live[key], inQuantity || QUANTITY_KEYS.has(key)));
  }
  return sameScalar(desired, live, inQuantity);
}

/**
 * The part of `live` at the paths `desired` sets, for a diff that shows only our fields.
 * Values equal under isSubset are taken from `desired`, so canonical forms show no change.
 */
export function projectLive(desired: Json, live: Json, inQuantity = false): Json {
  if (isSubset(desired, live, inQuantity)) return desired;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return live;
    return live.map((item, i) => (i < desired.length ? projectLive(desired[i], item, inQuantity) : item));
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return live;
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(desired)) {
      const nested = inQuantity || QUANTITY_KEYS.has(key);
      if (live[key] !== undefined) out[key] = projectLive(value, live[key], nested);
      // An empty list or map we set reads back as absent: show it as equal, not as a change.
      else if (isSubset(value, undefined, nested)) out[key] = value;
    }
    return out;
  }
  return live;
}
