// Installs the KubeEdge CRDs, as the kubeedge Go module ships them, into the test bed,
// and waits until the API server serves them.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiException, ApiextensionsV1Api, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';

export async function readCrds(dir: string): Promise<V1CustomResourceDefinition[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.yaml')).sort();
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      const value = doc.toJS() as V1CustomResourceDefinition | null;
      if (value?.kind === 'CustomResourceDefinition') crds.push(value);
    }
  }
  return crds;
}

export async function installCrds({ kubeconfig, dir, timeoutMs = 60_000 }: { kubeconfig: KubeConfig; dir: string; timeoutMs?: number }): Promise<string[]> {
  const api = kubeconfig.makeApiClient(ApiextensionsV1Api);
  const crds = await readCrds(dir);
  await Promise.all(
    crds.map(async (body) => {
      try {
        await api.createCustomResourceDefinition({ body });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }),
  );
  const names = crds.map((c) => c.metadata?.name ?? '');
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not established within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }
  return names;
}
