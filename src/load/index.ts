// The load stage: the fleet at a commit, loaded and rendered (in this thread, or in a worker
// with a deadline and a memory bound, off the reconciler's event loop).
export {
  FleetRevisions,
  GatewayRenders,
  fleetAt,
  fleetAtCommit,
  formatRenderFailure,
  inThreadLoader,
  renderGateways,
  renderGatewaysOn,
  type FleetAt,
  type FleetAtCommit,
  type FleetLoader,
  type RenderFailure,
  type RenderedGateways,
} from './fleet-at.ts';
export { DEFAULT_LOAD_BOUNDS, DEFAULT_RENDER_THREADS, WorkerLoader, type LoadBounds, type LoadFailure, type WorkerLoaderOptions } from './load-worker.ts';
