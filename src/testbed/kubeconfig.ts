// Kubeconfig files for the test bed's API server, one per client identity. Written as
// YAML by the yaml library; paths, not inline data, so a reader sees which cert is used.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly server: string;
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** The user and context name, e.g. essg-testbed-admin. */
  readonly user: string;
}

export const CLUSTER_NAME = 'essg-testbed';

export function kubeconfigDocument(input: KubeconfigInput): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { server: input.server, 'certificate-authority': input.caCert } }],
    users: [{ name: input.user, user: { 'client-certificate': input.clientCert, 'client-key': input.clientKey } }],
    contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: input.user } }],
    'current-context': CLUSTER_NAME,
    preferences: {},
  };
}

export async function writeKubeconfig(file: string, input: KubeconfigInput): Promise<void> {
  await writeFile(file, stringify(kubeconfigDocument(input)), { mode: 0o600 });
}
