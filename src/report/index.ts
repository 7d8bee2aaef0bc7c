// The report stage: fleet status, the HTTP API and dashboard, metrics and Kubernetes Events.
export * from './status-model.ts';
export { type GatewayReport, type StatusFilter, nextGatewayStatus, viewGateway, phaseCounts } from './status-update.ts';
export { StatusStore, type StatusStoreOptions } from './status-store.ts';
export { FleetMetrics, type FleetMetricsOptions } from './metrics.ts';
export {
  DEFAULT_STATUS_PORT,
  createStatusServer,
  type LogsReader,
  type StatusServer,
  type StatusServerOptions,
  type HttpHandler,
} from './http-server.ts';
export {
  InMemoryEventRecorder,
  inventoryRef,
  eventRefOf,
  type EventInput,
  type EventRecorder,
  type EventType,
  type EventObjectRef,
  type RecordedEvent,
} from './events.ts';
export { KubeEventRecorder, type KubeEventRecorderOptions } from './events-kube.ts';
export { UNHEALTHY_PHASES, formatFleetSummary, formatGatewayDetail, formatRollout, formatRolloutList, formatStatusTable, hasUnhealthy } from './format-text.ts';
export {
  DEFAULT_LOGS_TIMEOUT_MS,
  GatewayOfflineError,
  LogsRequestError,
  LogsUnreachableError,
  NoServicePodError,
  PodNotStartedError,
  isLogsError,
  openServiceLogs,
  parseLogsSince,
  type ServiceLogs,
  type ServiceLogsRequest,
} from './pod-logs.ts';
export { DeployStatusReporter, deployCounts, type DeployCounts } from './deploy-status.ts';
export { PLAN_COMMENT_MARKER, setCommitStatus, upsertPlanComment, type StatusContext, type StatusState } from './pr-report.ts';
