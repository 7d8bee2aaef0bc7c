// The one door to the API server: client-node's kubeconfig handling (server, TLS, tokens,
// exec plugins) and HTTP library, with raw JSON in and out, a timeout, and every request
// counted by verb. Raw JSON because the plan compares objects field by field as the server
// wrote them; client-node's typed models rename and convert fields.
//
// client-node builds a new HTTPS agent, so a new TLS connection, for every request: 1,000
// Events cost 1,000 handshakes. Every request the product sends to the API server (KubeHttp
// and client-node's typed API clients made with `makeKubeApi` alike) goes through one
// keep-alive agent per kubeconfig, with the TLS options client-node chose. Auth headers are
// still applied per request, so rotated tokens are picked up.
import https from 'node:https';
import { createConfiguration, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, ServerConfiguration, type Configuration, type KubeConfig, type SecurityAuthentication } from '@kubernetes/client-node';
import type { RequestFailure } from './errors.ts';
import { RequestCounter, WRITE_VERBS, type Verb } from './request-counter.ts';
import { FleetError } from '../errors/fleet-error.ts';

const METHOD: Readonly<Record<Verb, HttpMethod>> = { get: HttpMethod.GET, list: HttpMethod.GET, create: HttpMethod.POST, patch: HttpMethod.PATCH, update: HttpMethod.PUT, delete: HttpMethod.DELETE };

export interface KubeRequest {
  readonly verb: Verb;
  /** e.g. /apis/apps/v1/namespaces/essg-acme/deployments/acme-gw-01-ids */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** @default 'application/json' */
  readonly contentType?: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A request that got no response, or a response other than 2xx. */
export class KubeRequestFailure extends FleetError<RequestFailure> implements RequestFailure {
  readonly code = 'KUBE_REQUEST_FAILED';
  constructor(
    readonly status: number | undefined,
    readonly reason: string | undefined,
    readonly detail: string,
  ) {
    super(detail, { ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}), detail });
  }
}

/** How long a Kubernetes request waits for its whole answer, headers and body. */
export const DEFAULT_KUBE_TIMEOUT_MS = 30_000;

export interface KubeHttpOptions {
  readonly kubeconfig: KubeConfig;
  readonly counter?: RequestCounter;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Write fencing: the signal of the leadership the writes are made under. Once it aborts no
   * write is sent, and one in flight is abandoned, so a replica that lost its Lease writes
   * nothing more. @default - no fencing (a single replica)
   */
  readonly fence?: () => AbortSignal | undefined;
}

export class KubeHttp {
  readonly counter: RequestCounter;
  private readonly kubeconfig: KubeConfig;
  private readonly timeoutMs: number;
  private readonly fence: (() => AbortSignal | undefined) | undefined;
  private readonly library = new IsomorphicFetchHttpLibrary();

  constructor({ kubeconfig, counter, timeoutMs = DEFAULT_KUBE_TIMEOUT_MS, fence }: KubeHttpOptions) {
    const cluster = kubeconfig.getCurrentCluster();
    if (!cluster) throw new KubeRequestFailure(undefined, 'NoCluster', 'the kubeconfig has no current cluster');
    this.kubeconfig = kubeconfig;
    this.counter = counter ?? new RequestCounter();
    this.timeoutMs = timeoutMs;
    this.fence = fence;
  }

  /** Resolves with any HTTP status; rejects with KubeRequestFailure only when no response came. */
  async send({ verb, path, query, body, contentType }: KubeRequest): Promise<KubeResponse> {
    const server = (this.kubeconfig.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
    const context = new RequestContext(`${server}${path}`, METHOD[verb]);
    for (const [name, value] of Object.entries(query ?? {})) context.setQueryParam(name, value);
    context.setHeaderParam('Accept', 'application/json');
    if (body !== undefined) {
      context.setHeaderParam('Content-Type', contentType ?? 'application/json');
      context.setBody(JSON.stringify(body));
    }
    await connectionsOf(this.kubeconfig).authenticate(context);
    const fence = WRITE_VERBS.has(verb) ? this.fence?.() : undefined;
    if (fence?.aborted) throw fenced(verb, path);
    this.counter.count(verb);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeRequestFailure(undefined, 'Timeout', `no answer from ${server} within ${this.timeoutMs} ms`)), this.timeoutMs);
      onAbort = () => reject(fenced(verb, path));
      fence?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // The body is inside the deadline too: a server that sends headers and then stalls is no answer.
      const answer = this.library.send(context).toPromise().then(async (response) => ({ response, text: await response.body.text() }));
      const { response, text } = await Promise.race([answer, timeout]);
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (a proxy's error page): keep the text for the message.
      }
      return { status: response.httpStatusCode, body: parsed };
    } catch (error) {
      if (error instanceof KubeRequestFailure) throw error;
      const code = (error as { code?: string }).code;
      throw new KubeRequestFailure(undefined, code ?? 'NetworkError', `${verb} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
      if (onAbort) fence?.removeEventListener('abort', onAbort);
    }
  }
}

function fenced(verb: Verb, path: string): KubeRequestFailure {
  return new KubeRequestFailure(undefined, 'NotLeader', `${verb} ${path}: this replica no longer holds the Lease, so it writes nothing more`);
}

/** The API server's Status reason and message of a failed response. */
export function failureOf(response: KubeResponse): KubeRequestFailure {
  const status = response.body as { reason?: string; message?: string } | string | undefined;
  const reason = typeof status === 'object' ? status.reason : undefined;
  const message = typeof status === 'object' ? status.message : typeof status === 'string' ? status.slice(0, 200) : undefined;
  return new KubeRequestFailure(response.status, reason, message ?? `HTTP ${response.status}`);
}

export function isOk(response: KubeResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** Connections to the API server kept open between requests: at most this many at once. */
const MAX_SOCKETS = 64;

class KeepAliveConnections {
  private agent: https.Agent | undefined;

  constructor(private readonly kubeconfig: KubeConfig) {}

  /** Authenticates `context` as client-node does, then sends it over the shared connections. */
  async authenticate(context: RequestContext): Promise<void> {
    await this.kubeconfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // A proxy's agent is client-node's own kind: left as it is.
    if (!(fresh instanceof https.Agent) || this.kubeconfig.getCurrentCluster()?.proxyUrl) return;
    this.agent ??= new https.Agent({ ...(fresh as https.Agent & { options: https.AgentOptions }).options, keepAlive: true, maxSockets: MAX_SOCKETS });
    context.setAgent(this.agent);
  }
}

const byKubeconfig = new WeakMap<KubeConfig, KeepAliveConnections>();

/** The keep-alive connections every request made with `kubeconfig` shares. */
export function connectionsOf(kubeconfig: KubeConfig): Pick<KeepAliveConnections, 'authenticate'> {
  let connections = byKubeconfig.get(kubeconfig);
  if (!connections) byKubeconfig.set(kubeconfig, (connections = new KeepAliveConnections(kubeconfig)));
  return connections;
}

/** `kubeconfig.makeApiClient(Api)`, its requests over the kubeconfig's keep-alive connections. */
export function makeKubeApi<T>(kubeconfig: KubeConfig, Api: new (configuration: Configuration) => T): T {
  const cluster = kubeconfig.getCurrentCluster();
  if (!cluster) throw new KubeRequestFailure(undefined, 'NoCluster', 'the kubeconfig has no current cluster');
  const connections = connectionsOf(kubeconfig);
  const auth: SecurityAuthentication = { getName: () => 'kubeconfig', applySecurityAuthentication: (context) => connections.authenticate(context) };
  return new Api(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: auth } }));
}
