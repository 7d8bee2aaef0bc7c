// Canonical JSON and content hashes: the same data always gives the same text and hash,
// whatever order its keys were built in, so renders and cache keys are reproducible.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; `indent` as in JSON.stringify. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = sortKeys(item);
  }
  return out;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The first `length` hex digits of the SHA-256 of the value's canonical JSON. */
export function contentHash(value: unknown, length = 16): string {
  return sha256Hex(typeof value === 'string' ? value : canonicalJson(value)).slice(0, length);
}
