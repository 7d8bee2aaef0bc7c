// The rollout stage: when each approved gateway moves (waves, soak, halt, roll back). Pure.
export { planRollouts, type PlanRolloutsArgs } from './plan-rollouts.ts';
export { isCanary, ROLLOUT_DEFAULTS, rolloutSettings, waveSize } from './settings.ts';
export { parseRolloutState, serializeRolloutState } from './state-codec.ts';
export type * from './types.ts';
export { verdictOf } from './verdict.ts';
export { ALWAYS_OPEN, describeOpening, localTime, windowAt } from './windows.ts';
export {
  awaitsPull, decidePrePull, PRE_PULL_DEFAULTS, prePullJobName, prePullSettings, readPrePullJob, workloadImages,
  type NodePull, type PrePullGateway, type PrePullJob, type PrePullJobView, type PrePullPlan, type PrePullSettings,
} from './prepull.ts';
export { standingOf, type RolloutPosition } from './standing.ts';
