// fleet.yaml `spec.rollout` with its defaults, and the wave size it implies.
import type { Fleet } from '../model/fleet-model.ts';
import type { RolloutSettings } from './types.ts';

export const ROLLOUT_DEFAULTS = {
  maxUnavailable: '25%',
  /** Long enough for a crash loop or a failing readiness probe to show, short enough for an hour-long fleet rollout. */
  soakSeconds: 60,
  autoRollback: true,
  emergencyBypassesWindows: true,
} as const;

/** The fleet's rollout settings; `undefined` (no valid fleet at hand): the defaults. */
export function rolloutSettings(fleet: Fleet | undefined): RolloutSettings {
  const spec = fleet?.spec.rollout ?? {};
  const entries = Object.entries(spec.canarySelector ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const selector = entries.length > 0 ? Object.fromEntries(entries) : undefined;
  return {
    canarySelector: selector,
    maxUnavailable: spec.maxUnavailable ?? ROLLOUT_DEFAULTS.maxUnavailable,
    soakSeconds: spec.soakSeconds ?? ROLLOUT_DEFAULTS.soakSeconds,
    autoRollback: spec.autoRollback ?? ROLLOUT_DEFAULTS.autoRollback,
    emergencyBypassesWindows: spec.emergencyBypassesWindows ?? ROLLOUT_DEFAULTS.emergencyBypassesWindows,
  };
}

/** Gateways per wave after the canaries: the count, or the share of `total` rounded up; at least one. */
export function waveSize(maxUnavailable: number | string, total: number): number {
  if (typeof maxUnavailable === 'number') return Math.max(1, Math.floor(maxUnavailable));
  const percent = Number(/^(\d+)%$/.exec(maxUnavailable)?.[1] ?? NaN);
  if (!Number.isFinite(percent)) return 1;
  return Math.max(1, Math.ceil((percent / 100) * total));
}

export function isCanary(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>> | undefined): boolean {
  return selector !== undefined && Object.entries(selector).every(([key, value]) => labels[key] === value);
}
