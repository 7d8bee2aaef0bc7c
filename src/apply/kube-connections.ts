// client-node builds a new HTTPS agent, so a new TLS connection, for every request: 1,000
// Events cost 1,000 handshakes. Every request the product sends to the API server (its own
// KubeHttp and client-node's typed API clients alike) goes through one keep-alive agent per
// kubeconfig, with the TLS options client-node chose. Auth headers are still applied per
// request, so rotated tokens are picked up.
import https from 'node:https';
import { createConfiguration, ServerConfiguration, type Configuration, type KubeConfig, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';
import { KubeRequestFailure } from './kube-http.ts';

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
