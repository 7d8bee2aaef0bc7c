// The render stage: FleetModel in, per-gateway Kubernetes objects out (pure, no IO).
export { renderGateway, type RenderedGateway, type RenderGatewayOptions } from './render-gateway.ts';
export { renderFleet, RenderCache, type RenderedFleet, type RenderFleetOptions } from './render-fleet.ts';
export { toYaml } from './yaml.ts';
export type { K8sObject } from './objects.ts';
export { RenderError, UnknownGatewayError, InvalidRenderTimeError, CatalogVersionMissingError, HostPortMismatchError, IpBlockListTooLargeError, EdrActionListTooLargeError, DuplicateObjectError } from './errors.ts';
export { RENDERER_REVISION } from './inputs.ts';
export { DATA_POLICY_FILE } from './constructs/edge-pod.ts';
