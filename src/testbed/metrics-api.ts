// metrics.k8s.io on the test bed: metrics-server on loopback behind the API server's
// aggregation layer, registered as kwokctl registers it — an APIService whose Service is an
// ExternalName for localhost, since a Service cannot have a loopback endpoint. The API server
// reaches it at localhost on the APIService's port and skips checking its certificate (a test
// bed's own serving certificate, not one for the service name).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiException, ApiregistrationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KWOK_METRICS_DIR, KWOK_METRICS_FILES } from './build-plan.ts';

export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';

/** KWOK's published Metric and ClusterResourceUsage documents, copied beside the binaries by the build. */
export async function readKwokMetricsDocuments(kwokDir: string): Promise<string[]> {
  return Promise.all(KWOK_METRICS_FILES.map((file) => readFile(path.join(kwokDir, KWOK_METRICS_DIR, file), 'utf8')));
}

export async function registerMetricsApi({ kubeconfig, port }: { kubeconfig: KubeConfig; port: number }): Promise<void> {
  const ignoreExisting = (error: unknown): void => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  };
  await kubeconfig
    .makeApiClient(CoreV1Api)
    .createNamespacedService({ namespace: 'kube-system', body: { metadata: { name: 'metrics-server', labels: { 'app.kubernetes.io/managed-by': 'essg-testbed' } }, spec: { type: 'ExternalName', externalName: 'localhost' } } })
    .catch(ignoreExisting);
  await kubeconfig
    .makeApiClient(ApiregistrationV1Api)
    .createAPIService({
      body: {
        metadata: { name: METRICS_API_SERVICE, labels: { 'app.kubernetes.io/managed-by': 'essg-testbed' } },
        spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true, service: { name: 'metrics-server', namespace: 'kube-system', port } },
      },
    })
    .catch(ignoreExisting);
}
