// A fleet of its own for one test: the template fleet with every gateway (and its edge
// node) and namespace prefixed, pushed to a fresh bare repo, with a reconciler over it.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KubeClusterClient, INVENTORY_NAMESPACE, INVENTORY_LABEL } from '../../../src/apply/index.ts';
import { Reconciler, type ReconcilerOptions } from '../../../src/engine/engine.ts';
import { ClusterObserver } from '../../../src/engine/observe.ts';
import { FleetMetrics, InMemoryEventRecorder, StatusStore } from '../../../src/report/index.ts';
import { createGitSource } from '../../../src/source/index.ts';
import { templateFiles } from '../../support/template-fleet.ts';
import { commitAndPush, createBareRepo } from './git.ts';
import { ensureGateways } from './kube.ts';
import { testbed } from './testbed.ts';

export const TEMPLATE_GATEWAYS = ['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02'] as const;

export interface TestFleet {
  readonly prefix: string;
  readonly url: string;
  /** The current files of the fleet (repo-relative path → content). */
  files: Record<string, string>;
  gateway(name: (typeof TEMPLATE_GATEWAYS)[number]): string;
  namespace(customer: 'acme' | 'globex'): string;
  /** Writes (or, with null, deletes) files, commits and pushes; returns the commit. */
  push(changes: Record<string, string | null>, message?: string): Promise<string>;
}

function prefixed(files: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, content] of Object.entries(files)) {
    let f = file;
    let c = content.replace('namespacePrefix: essg-', `namespacePrefix: ${prefix}-`);
    for (const g of TEMPLATE_GATEWAYS) {
      f = f.replace(`/${g}.yaml`, `/${prefix}-${g}.yaml`);
      c = c.replaceAll(new RegExp(`(?<![\\w-])${g}(?![\\w-])`, "g"), `${prefix}-${g}`);
    }
    out[f] = c;
  }
  return out;
}

/**
 * Forgets what earlier tests left: their gateways' inventories. A reconciler owns the whole
 * cluster, so without this it would (rightly) prune another test's gateways.
 */
export async function forgetOtherFleets(): Promise<void> {
  const config = new KubeConfig();
  config.loadFromFile((await testbed()).kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  try {
    await core.deleteCollectionNamespacedConfigMap({ namespace: INVENTORY_NAMESPACE, labelSelector: INVENTORY_LABEL });
  } catch {
    // no inventory namespace yet
  }
}

export async function createTestFleet({ withGateways = true }: { withGateways?: boolean } = {}): Promise<TestFleet> {
  const prefix = `t${randomBytes(2).toString('hex')}`;
  const { url } = await createBareRepo(prefix);
  const fleet: TestFleet = {
    prefix,
    url,
    files: prefixed(templateFiles(), prefix),
    gateway: (name) => `${prefix}-${name}`,
    namespace: (customer) => `${prefix}-${customer}`,
    async push(changes, message = 'change the fleet') {
      const write: Record<string, string> = {};
      for (const [file, content] of Object.entries(changes)) {
        if (content === null) delete fleet.files[file];
        else fleet.files[file] = write[file] = content;
      }
      const deleted = Object.entries(changes).filter(([, c]) => c === null).map(([f]) => f);
      return commitAndPush({ url, files: write, message, remove: deleted });
    },
  };
  if (withGateways) await ensureGateways(TEMPLATE_GATEWAYS.map((g) => fleet.gateway(g)));
  await commitAndPush({ url, files: fleet.files, message: 'the fleet' });
  return fleet;
}

export interface TestReconciler {
  readonly reconciler: Reconciler;
  readonly store: StatusStore;
  readonly events: InMemoryEventRecorder;
  readonly client: KubeClusterClient;
}

export async function createReconciler(fleet: Pick<TestFleet, 'url'>, extra: Partial<ReconcilerOptions> = {}): Promise<TestReconciler> {
  const config = new KubeConfig();
  config.loadFromFile((await testbed()).kubeconfig);
  const store = new StatusStore();
  const events = new InMemoryEventRecorder();
  const client = new KubeClusterClient({ kubeconfig: config });
  const cacheDir = path.join(os.tmpdir(), `essg-it-cache-${randomBytes(3).toString('hex')}`);
  const reconciler = new Reconciler({
    source: createGitSource({ url: fleet.url, branch: 'main', cacheDir }),
    client,
    observer: new ClusterObserver(client),
    store,
    metrics: new FleetMetrics({ phases: () => store.phaseCounts() }),
    events,
    ...extra,
  });
  return { reconciler, store, events, client };
}
