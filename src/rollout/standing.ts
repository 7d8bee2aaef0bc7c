// Where a gateway stands in its rollout, in words: what the phase policy weighs and what the
// status record shows (`essg status`, the dashboard). Pure: from this pass's decision and the
// rollouts' summaries.
import type { RolloutStanding } from '../health/index.ts';
import type { HoldReason, RolloutDecision, RolloutSummary, WindowOpening } from './types.ts';
import { describeOpening } from './windows.ts';

export interface RolloutPosition {
  /** The rollout: the revision it brings. */
  readonly id: string;
  readonly state: RolloutStanding['state'];
  readonly message: string;
  /** 0 is the canary wave; absent while the gateway waits for a wave. */
  readonly wave?: number;
  /** With outside-window: when the customer's next maintenance window opens. */
  readonly nextWindow?: WindowOpening;
}

const short = (revision: string): string => revision.slice(0, 12);

function position(id: string, state: RolloutPosition['state'], message: string, wave?: number, nextWindow?: WindowOpening): RolloutPosition {
  return { id, state, message, ...(wave !== undefined ? { wave } : {}), ...(nextWindow ? { nextWindow } : {}) };
}

/** A wave gateway's own status that outlives the pass that moved it. */
const WAVE_STATES: ReadonlySet<string> = new Set(['soaking', 'done', 'deferred']);

/** undefined: the gateway takes part in no rollout this pass (it stays, or moves without one). */
export function standingOf(decision: RolloutDecision, rollouts: ReadonlyMap<string, RolloutSummary>): RolloutPosition | undefined {
  switch (decision.action) {
    case 'stay':
      return undefined;
    case 'rollback': {
      const f = decision.failure;
      return position(f.rollout, 'rolled-back', `${f.reason} on ${decision.gateway}; back on ${short(decision.revision)}`);
    }
    case 'advance': {
      // Its services are observed from the next pass on: until then a new gateway is installing, not Ready with nothing to run.
      if (decision.why === 'install') return position(decision.revision, 'updating', `installing ${short(decision.revision)}`);
      if (decision.why !== 'wave') return undefined;
      const mine = rollouts.get(decision.revision)?.waves.find((w) => w.wave === decision.wave)?.gateways.find((g) => g.gateway === decision.gateway);
      const state = mine && WAVE_STATES.has(mine.status) ? (mine.status as 'soaking' | 'done' | 'deferred') : 'updating';
      return position(decision.revision, state, `${state} in wave ${decision.wave} of rollout ${short(decision.revision)}`, decision.wave);
    }
    case 'hold':
      return holdPosition(decision.hold);
  }
}

function holdPosition(hold: HoldReason): RolloutPosition {
  switch (hold.reason) {
    case 'waiting-for-wave':
      return position(hold.rollout, 'waiting', `waiting for wave ${hold.wave} of rollout ${short(hold.rollout)}${hold.soakUntil ? ` (the wave before soaks until ${hold.soakUntil})` : ''}`);
    case 'halted':
      return position(hold.rollout, 'halted', `rollout ${short(hold.rollout)} halted: ${hold.failure} on ${hold.by}`);
    case 'failed-render':
      return position(hold.rollout, 'failed-render', `${hold.failure}; not tried again until the gateway's desired state changes`);
    case 'deferred-offline':
      return position(hold.rollout, 'deferred', `deferred from rollout ${short(hold.rollout)} while its edge node is offline`);
    case 'outside-window':
      return position(hold.rollout, 'outside-window', `next window opens ${describeOpening(hold.nextOpen)}`, undefined, hold.nextOpen);
    case 'pre-pulling':
      return hold.waitingForNode
        ? position(hold.rollout, 'deferred', `pre-pull for wave ${hold.wave} of rollout ${short(hold.rollout)} failed while its node was unreachable (${hold.waitingForNode}); a new ImagePrePullJob goes out when it is back`, hold.wave)
        : position(hold.rollout, 'updating', `pre-pulling ${hold.images.join(', ')} (ImagePrePullJob ${hold.job}) before wave ${hold.wave} of rollout ${short(hold.rollout)} switches it`, hold.wave);
    case 'image-unavailable':
      return position(hold.rollout, 'halted', hold.failure
        ? `held: the registry ${hold.registry} could not be asked for ${hold.images.join(', ')} (${hold.failure}); the rollout ${short(hold.rollout)} goes on once it answers`
        : `held: ${hold.images.join(', ')} ${hold.images.length === 1 ? 'is' : 'are'} not in the registry ${hold.registry}; the rollout ${short(hold.rollout)} goes on once ${hold.images.length === 1 ? 'it is' : 'they are'} published (essg catalog publish)`);
    case 'pre-pull-failed':
      return position(hold.rollout, 'halted', `held: its node could not pull ${hold.images.join(', ')} (${hold.failure}), and the service cannot surge (Recreate or fixed host ports), so its old pods keep running`, hold.wave);
  }
}
