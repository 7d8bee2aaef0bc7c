// The render stage: FleetModel in, per-gateway Kubernetes objects out (pure, no IO).
export { renderGateway, renderTime, type RenderedGateway, type RenderGatewayOptions } from './render-gateway.ts';
export { RenderPool, type RenderPoolOptions } from './render-pool.ts';
export { failedRender, renderJob, type RenderJob, type RenderOutcome } from './render-task.ts';
export { gatewayInputs, operatorKey, renderKey } from './inputs.ts';
export { renderFleet, RenderCache, type RenderedFleet, type RenderFleetOptions } from './render-fleet.ts';
export { toYaml } from './yaml.ts';
export type { K8sObject } from './objects.ts';
export { RenderError, UnknownGatewayError, InvalidRenderTimeError, CatalogVersionMissingError, HostPortMismatchError, IpBlockListTooLargeError, EdrActionListTooLargeError, DuplicateObjectError } from './errors.ts';
export { RENDERER_REVISION } from './inputs.ts';
export { DATA_POLICY_FILE } from './constructs/edge-pod.ts';
