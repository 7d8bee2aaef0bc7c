// The versions of every component of the test bed, named in one place: versions.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TESTBED_SRC } from './paths.ts';

export interface TestbedVersions {
  /** k8s.io/kubernetes; its staging modules are the matching v0.x.y. */
  readonly kubernetes: string;
  /** github.com/kubeedge/kubeedge, whose build/crds are installed. */
  readonly kubeedge: string;
  /** sigs.k8s.io/kwok. */
  readonly kwok: string;
  /** go.etcd.io/etcd/server/v3. */
  readonly etcd: string;
  /** sigs.k8s.io/metrics-server, which scrapes KWOK's emulated kubelet resource metrics. */
  readonly metricsServer: string;
  /** github.com/distribution/distribution/v3 (CNCF distribution), the test bed's OCI registry. */
  readonly registry: string;
}

export const VERSIONS_FILE = path.join(TESTBED_SRC, 'versions.json');

export function readVersions(file: string = VERSIONS_FILE): TestbedVersions {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const pick = (key: keyof TestbedVersions): string => {
    const value = raw[key];
    if (typeof value !== 'string' || !/^v\d+\.\d+\.\d+$/.test(value)) throw new Error(`${file}: '${key}' must be a version like v1.2.3, not ${JSON.stringify(value)}`);
    return value;
  };
  return { kubernetes: pick('kubernetes'), kubeedge: pick('kubeedge'), kwok: pick('kwok'), etcd: pick('etcd'), metricsServer: pick('metricsServer'), registry: pick('registry') };
}

/** k8s.io/kubernetes v1.X.Y is published with staging modules (k8s.io/api, …) at v0.X.Y. */
export function stagingVersion(kubernetes: string): string {
  return kubernetes.replace(/^v1\./, 'v0.');
}
