// What each step of a pass hands on to the steps after it, and what a pass that ran to the
// end amounts to.
import type { GatewayApplyResult, SharedApplyResult } from '../apply/index.ts';
import type { GatewayPlan, Inventory, SharedPlan } from '../diff/index.ts';
import type { PassFacts, GatewayTarget } from '../gate/index.ts';
import type { GatewayHealth } from '../health/index.ts';
import type { FleetAtCommit } from '../load/index.ts';
import type { PassResult } from '../report/index.ts';
import type { RolloutPlan } from '../rollout/index.ts';
import type { Observed } from './observe.ts';
import type { prePullStep } from './prepull-step.ts';
import type { statesOf } from './rollout-step.ts';

/** What each step hands on to the steps after it. */
export interface PassStart { readonly now: string }
export interface Fetched { readonly head: string; readonly fresh: boolean }
/** What the cluster records for each gateway (a failed listing throws: never read as "nothing"). */
export interface Records { readonly inventories: ReadonlyMap<string, Inventory>; readonly states: ReturnType<typeof statesOf> }
export interface Loaded { readonly headFleet: FleetAtCommit }
export interface Seen { readonly observed: Observed }
export interface Gated { readonly targets: readonly GatewayTarget[]; readonly facts?: PassFacts }
export interface Rolled { readonly rollout: RolloutPlan; readonly health: ReadonlyMap<string, GatewayHealth>; readonly prePullJobs: Omit<Awaited<ReturnType<typeof prePullStep>>, 'plan'> }
export interface Planned { readonly plans: readonly GatewayPlan[]; readonly shared: SharedPlan }
export interface Applied {
  readonly work: readonly GatewayPlan[]; readonly applied: readonly GatewayApplyResult[]; readonly sharedResult: SharedApplyResult | undefined;
  /** The states that move only a revision (gateway, text): written after the pass. */
  readonly deferred: readonly (readonly [string, string])[];
}

export function passResult({ headFleet, work, applied, sharedResult }: Loaded & Applied): PassResult {
  if (!headFleet.ok) return 'bad-commit';
  const failed = applied.filter((r) => !r.ok).length;
  if (failed > 0) return failed === applied.length ? 'failed' : 'partial';
  if (sharedResult && !sharedResult.ok) return 'partial';
  return work.length === 0 && !sharedResult ? 'noop' : 'success';
}

/** A pass in which every gateway failed says why, by the first one's first error. */
export function failedApplies(applied: readonly GatewayApplyResult[]): string | undefined {
  const first = applied.find((r) => !r.ok && r.errors.length > 0);
  if (!first) return undefined;
  return `${applied.length === 1 ? 'the gateway' : `all ${applied.length} gateways`} failed; ${first.gateway}: ${first.errors[0]!.message}`;
}
