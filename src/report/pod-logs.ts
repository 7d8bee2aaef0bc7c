// Logs on demand: a service's recent log lines on one gateway, read from the pods/log
// subresource, which KubeEdge routes over the edge node's cloud stream. Shared by
// `essg logs` and the reconciler's GET /logs/GATEWAY/SERVICE.
//
// Bounded: an edge node that is not Ready is answered at once (its uplink is down, so the
// cloud stream cannot reach it), and a request that gets no answer within `timeoutMs` fails
// as unreachable instead of hanging. The request itself goes through client-node's TLS and
// authentication (applyToHTTPSOptions); client-node's Log helper is not used because it
// takes no abort signal (a silent edge would hold it for ever) and drops the API server's
// error message (`container "x" is not valid for pod "y"` becomes "Error occurred").
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import parseDuration from 'parse-duration';
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { makeKubeApi, withKubeDeadline } from '../apply/index.ts';
import { LABEL } from '../contract/index.ts';
import { FleetError } from '../errors/fleet-error.ts';

/** How long a log request waits for the gateway's first answer. */
export const DEFAULT_LOGS_TIMEOUT_MS = 10_000;

export interface ServiceLogsRequest {
  readonly gateway: string;
  readonly service: string;
  /** The last N lines. @default all the kubelet keeps */
  readonly tailLines?: number;
  /** Only lines newer than this many seconds. */
  readonly sinceSeconds?: number;
  /** Keep the stream open for new lines until stopped. @default false */
  readonly follow?: boolean;
  /** Prefix each line with its RFC 3339 time. @default false */
  readonly timestamps?: boolean;
  /** No answer from the gateway by then: LogsUnreachableError. @default DEFAULT_LOGS_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export interface ServiceLogs {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly node: string;
  /** The log text as the kubelet sends it; ends when the lines are read (with follow: when stopped). */
  readonly stream: Readable;
  stop(): void;
}

export abstract class LogsError<Data extends object> extends FleetError<Data> {}

type Where = { readonly gateway: string; readonly service: string };

/** Nothing of the service runs on the gateway (or the gateway is unknown). */
export class NoServicePodError extends LogsError<Where> {
  readonly code = 'LOGS_NO_POD';
  constructor(data: Where) {
    super(`no pod of service ${data.service} runs on gateway ${data.gateway}`, data);
  }
}

/** The pod is not scheduled to a node yet: nothing has logged. */
export class PodNotStartedError extends LogsError<Where & { readonly pod: string }> {
  readonly code = 'LOGS_POD_NOT_STARTED';
  constructor(data: Where & { pod: string }) {
    super(`pod ${data.pod} of service ${data.service} on gateway ${data.gateway} has not started yet: no logs`, data);
  }
}

/** The gateway's edge node is not Ready: its uplink is down, logs cannot travel. */
export class GatewayOfflineError extends LogsError<Where & { readonly node: string; readonly ready: string; readonly lastHeartbeat?: string }> {
  readonly code = 'LOGS_GATEWAY_OFFLINE';
  constructor(data: Where & { node: string; ready: string; lastHeartbeat?: string }) {
    super(
      `gateway ${data.gateway} is offline: its edge node ${data.node} is Ready=${data.ready}${data.lastHeartbeat ? ` (last heartbeat ${data.lastHeartbeat})` : ''}; ` +
        `logs travel over its uplink, so ${data.service}'s logs can be read once it is back`,
      data,
    );
  }
}

/** No answer within the bound: the node looked Ready, but its cloud stream did not answer. */
export class LogsUnreachableError extends LogsError<Where & { readonly node: string; readonly timeoutMs: number }> {
  readonly code = 'LOGS_GATEWAY_UNREACHABLE';
  constructor(data: Where & { node: string; timeoutMs: number }) {
    super(`gateway ${data.gateway} did not answer for ${data.service}'s logs within ${data.timeoutMs / 1000} s (edge node ${data.node}): its uplink or KubeEdge's cloud stream may be down`, data);
  }
}

/** The API server refused or failed the request; its own message is kept. */
export class LogsRequestError extends LogsError<Where & { readonly status?: number; readonly detail: string }> {
  readonly code = 'LOGS_REQUEST_FAILED';
  constructor(data: Where & { status?: number; detail: string }) {
    super(`reading ${data.service}'s logs on gateway ${data.gateway} failed${data.status ? ` with HTTP ${data.status}` : ''}: ${data.detail}`, data);
  }
}

/** `--since` / `?since=`: 30s, 10m, 2h, 1d, 1h30m (parse-duration) in whole seconds, rounded up; null when it is not one. */
export function parseLogsSince(text: string): number | null {
  if (!/^(?=\d)(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?$/.test(text)) return null;
  const ms = parseDuration(text);
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0 ? Math.ceil(ms / 1000) : null;
}

export function isLogsError(error: unknown): error is LogsError<object> {
  return error instanceof LogsError;
}

/** Finds the service's pod on the gateway, checks its node is reachable, and opens its log. */
export async function openServiceLogs({ kubeconfig, request }: { kubeconfig: KubeConfig; request: ServiceLogsRequest }): Promise<ServiceLogs> {
  const { gateway, service } = request;
  const timeoutMs = request.timeoutMs ?? DEFAULT_LOGS_TIMEOUT_MS;
  const core = withKubeDeadline(makeKubeApi(kubeconfig, CoreV1Api), { timeoutMs });
  const pods = await core.listPodForAllNamespaces({ labelSelector: `${LABEL.gateway}=${gateway},${LABEL.service}=${service}` });
  const pod = newestPod(pods.items);
  if (!pod?.metadata?.name || !pod.metadata.namespace) throw new NoServicePodError({ gateway, service });
  const { name, namespace } = pod.metadata;
  const node = pod.spec?.nodeName;
  if (!node) throw new PodNotStartedError({ gateway, service, pod: name });
  const ready = readyCondition(await core.readNode({ name: node }));
  if (ready.status !== 'True') throw new GatewayOfflineError({ gateway, service, node, ready: ready.status, ...(ready.lastHeartbeat ? { lastHeartbeat: ready.lastHeartbeat } : {}) });
  const containers = pod.spec?.containers ?? [];
  const container = containers.find((c) => c.name === service)?.name ?? containers[0]?.name ?? service;
  const query = new URLSearchParams({ container });
  if (request.follow) query.set('follow', 'true');
  if (request.timestamps) query.set('timestamps', 'true');
  if (request.tailLines !== undefined) query.set('tailLines', String(request.tailLines));
  if (request.sinceSeconds !== undefined) query.set('sinceSeconds', String(request.sinceSeconds));
  const unreachable = (): LogsError<object> => new LogsUnreachableError({ gateway, service, node, timeoutMs });
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${query}`;
  const response = await getStream({ kubeconfig, path, timeoutMs, follow: request.follow === true, unreachable }).catch((error: unknown) => {
    if (error instanceof LogsError) throw error;
    throw new LogsRequestError({ gateway, service, detail: error instanceof Error ? error.message : String(error) });
  });
  if (response.statusCode !== 200) {
    const text = await readAll(response);
    throw new LogsRequestError({ gateway, service, status: response.statusCode ?? 0, detail: statusMessage(text) });
  }
  return { namespace, pod: name, container, node, stream: response, stop: () => response.destroy() };
}

/** Running pods first, then the newest: during a rolling update the new pod, once it runs. */
function newestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  const created = (p: V1Pod): number => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  const running = (p: V1Pod): number => (p.status?.phase === 'Running' ? 1 : 0);
  return [...pods].filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => running(b) - running(a) || created(b) - created(a))[0];
}

function readyCondition(node: V1Node): { status: string; lastHeartbeat?: string } {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const heartbeat = ready?.lastHeartbeatTime;
  return { status: ready?.status ?? 'Unknown', ...(heartbeat ? { lastHeartbeat: new Date(heartbeat).toISOString() } : {}) };
}

/**
 * GET as a stream. The whole answer is bounded by `timeoutMs` unless following; a follower's
 * bound ends with the response headers (then it streams until stopped). Past the bound the
 * request, or the stream already handed out, fails with `unreachable()`.
 */
async function getStream({ kubeconfig, path, timeoutMs, follow, unreachable }: { kubeconfig: KubeConfig; path: string; timeoutMs: number; follow: boolean; unreachable: () => Error }): Promise<IncomingMessage> {
  const server = kubeconfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(`${server.replace(/\/+$/, '')}${path}`);
  const options: https.RequestOptions = { method: 'GET', headers: { accept: '*/*' } };
  await kubeconfig.applyToHTTPSOptions(options);
  const get = url.protocol === 'http:' ? (await import('node:http')).request : https.request;
  return new Promise((resolve, reject) => {
    const req = get(url, options);
    let answer: IncomingMessage | undefined;
    const timer = setTimeout(() => {
      const error = unreachable();
      if (answer) answer.destroy(error);
      else req.destroy(error);
      reject(error);
    }, timeoutMs);
    req.on('response', (response) => {
      answer = response;
      if (follow) clearTimeout(timer);
      else response.once('close', () => clearTimeout(timer));
      resolve(response);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The message of a Kubernetes Status body, else the text itself. */
function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 500) || 'no detail';
}
