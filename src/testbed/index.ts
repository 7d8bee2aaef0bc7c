// The test bed's programmatic API, for scripts and integration tests: the same calls the
// `essg testbed` commands make.
export { up, down, isHealthy, type UpOptions } from './lifecycle.ts';
export { runningState, status, envExports, setGatewayUplink, type TestbedStatus } from './control.ts';
export { adminClient } from './gateways.ts';
export { failImage, healImage, failingImages, type FailingImage, type HealedImage } from './fail-image.ts';
export { FAILURE_MODES, imageDigest, type FailureMode } from './image-failures.ts';
export { readPullConfig, setPullDelay, setPullFailure, type PullConfig, type PullFailure } from './prepull-controller.ts';
export type { TestbedState } from './state.ts';
export { appendPodLog, EMULATED_LOG_LINES } from './pod-logs.ts';
