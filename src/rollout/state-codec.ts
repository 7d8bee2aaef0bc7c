// The durable rollout state as text (the `rollout` key of a gateway's inventory ConfigMap),
// read back strictly: a state that does not parse is reported, never half-trusted.
import type { GatewayRolloutState } from './types.ts';

export function serializeRolloutState(state: GatewayRolloutState): string {
  return JSON.stringify(state);
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export type ParsedRolloutState = { readonly ok: true; readonly state: GatewayRolloutState } | { readonly ok: false; readonly problem: string };

export function parseRolloutState(text: string): ParsedRolloutState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  if (!isObject(value) || !isString(value['revision']) || typeof value['renderHash'] !== 'string') return { ok: false, problem: 'revision and renderHash are required' };
  const healthy = value['healthy'];
  if (healthy !== undefined && !(isObject(healthy) && isString(healthy['revision']) && typeof healthy['renderHash'] === 'string')) return { ok: false, problem: 'healthy needs revision and renderHash' };
  const rollout = value['rollout'];
  if (rollout !== undefined && !(isObject(rollout) && isString(rollout['id']) && Number.isInteger(rollout['wave']) && isString(rollout['startedAt']) && (rollout['from'] === undefined || isString(rollout['from'])))) return { ok: false, problem: 'rollout needs id, wave and startedAt (and from, when set, a revision)' };
  const failed = value['failed'];
  if (failed !== undefined && !(isObject(failed) && ['rollout', 'revision', 'reason', 'at'].every((k) => isString(failed[k])) && typeof failed['renderHash'] === 'string')) {
    return { ok: false, problem: 'failed needs rollout, revision, renderHash, reason and at' };
  }
  return { ok: true, state: value as unknown as GatewayRolloutState };
}
