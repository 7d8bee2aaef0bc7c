// The health stage: pure assessments of live objects, one small file per kind.
export { HealthStatus, GatewayPhase, isWorse, isWorsePhase, worstHealth, worstPhase, type ResourceHealth } from './status.ts';
export { deploymentHealth } from './deployment.ts';
export { jobHealth } from './job.ts';
export { cronJobHealth } from './cronjob.ts';
export { podHealth, isReady, restarts, podVersion, VERSION_LABEL } from './pod.ts';
export { nodeHealth, PRESSURE_CONDITIONS, type NodeHealth, type Pressure } from './node.ts';
export { serviceHealth, workloadHealth, type ServiceHealth, type ServiceHealthOptions, type Workload } from './service.ts';
export { gatewayHealth, type GatewayHealth, type GatewayHealthOptions } from './gateway.ts';
export type { Deployment, Job, CronJob, Pod, Node, Condition } from './types.ts';
export { assessGateway, type AssessGatewayOptions, type DesiredService } from './assess.ts';
export { gatewayPhase, type PhaseInputs, type PhaseOutcome, type RolloutStanding } from './phase-policy.ts';
