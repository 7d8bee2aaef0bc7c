// A fleet of its own for one test: the template fleet (or some of its gateways) with every
// gateway, edge node and namespace prefixed, pushed to a fresh bare repo on the test bed's
// Git server; and its removal from the cluster afterwards.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { templateFiles } from '../../support/template-fleet.ts';
import { commitAndPush, createBareRepo } from './git.ts';
import { ensureGateways, type Kube } from './kube.ts';
import { testbed } from './testbed.ts';
import { inventoryName, LABEL, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

export const TEMPLATE_GATEWAYS = ['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02'] as const;
export type TemplateGateway = (typeof TEMPLATE_GATEWAYS)[number];

export interface TestFleet {
  readonly prefix: string;
  readonly url: string;
  /** The template gateways this fleet declared when it was created. */
  readonly gateways: readonly TemplateGateway[];
  /** The current files of the fleet (repo-relative path → content). */
  files: Record<string, string>;
  gateway(name: TemplateGateway): string;
  /** The repo-relative path of a gateway's file. */
  gatewayFile(name: TemplateGateway): string;
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
    await core.deleteCollectionNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf });
  } catch {
    // no inventory namespace yet
  }
}

export interface TestFleetOptions {
  /** Create the fleet's edge nodes (and wait until they are Ready). @default true */
  readonly withGateways?: boolean;
  /**
   * Only these template gateways (a smaller fleet costs the shared test bed less); responses
   * that name a left-out gateway, or whose customer has none left, are left out too.
   * @default all of TEMPLATE_GATEWAYS
   */
  readonly gateways?: readonly TemplateGateway[];
  /**
   * fleet.yaml `spec.rollout.soakSeconds` (the template's is a production value).
   * Tests that are not about rollouts do not wait out a soak, so it is 0 unless a test names it.
   * @default 0
   */
  readonly soakSeconds?: number;
  /**
   * Keep the template customers' maintenance windows. Tests that are not about windows leave
   * them out, so a change they push starts whatever day the test runs.
   * @default false
   */
  readonly maintenanceWindows?: boolean;
  /** Changes the prefixed files before the first commit, e.g. other approvers (the first commit is the trusted one). */
  readonly edit?: (files: Record<string, string>, fleet: Pick<TestFleet, 'gateway' | 'gatewayFile' | 'namespace'>) => void;
}

const customerOf = (gateway: TemplateGateway): 'acme' | 'globex' => (gateway.startsWith('acme') ? 'acme' : 'globex');

function withOnly(files: Record<string, string>, prefix: string, keep: readonly TemplateGateway[]): Record<string, string> {
  const dropped = TEMPLATE_GATEWAYS.filter((g) => !keep.includes(g)).map((g) => `${prefix}-${g}`);
  const customers = new Set(keep.map(customerOf));
  const out: Record<string, string> = {};
  for (const [file, content] of Object.entries(files)) {
    if (file.startsWith('gateways/') && dropped.some((g) => file.endsWith(`/${g}.yaml`))) continue;
    if (file.startsWith('responses/')) {
      const customer = /^ {2}customer: (\S+)$/m.exec(content)?.[1] as 'acme' | 'globex' | undefined;
      const named = /^ {2}gateways: \[(.*)\]$/m.exec(content)?.[1]?.split(',').map((g) => g.trim()) ?? [];
      if ((customer && !customers.has(customer)) || named.some((g) => dropped.includes(g))) continue;
    }
    out[file] = content;
  }
  return out;
}

function withSoak(files: Record<string, string>, soakSeconds: number): Record<string, string> {
  const fleet = files['fleet.yaml'] ?? '';
  const named = /^( {4}soakSeconds:) .*$/m;
  if (named.test(fleet)) return { ...files, 'fleet.yaml': fleet.replace(named, `$1 ${soakSeconds}`) };
  if (!/^ {2}rollout:\n/m.test(fleet)) throw new Error('fleet.yaml of the template has no spec.rollout block');
  return { ...files, 'fleet.yaml': fleet.replace(/^ {2}rollout:\n/m, `  rollout:\n    soakSeconds: ${soakSeconds}\n`) };
}

function withoutWindows(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([file, content]) => [file, file.startsWith('customers/') ? content.replace(/^ {2}maintenanceWindows:\n(?: {4}- .*\n)+/m, '') : content]));
}

export async function createTestFleet({ withGateways = true, gateways = TEMPLATE_GATEWAYS, soakSeconds = 0, maintenanceWindows = false, edit }: TestFleetOptions = {}): Promise<TestFleet> {
  const prefix = `t${randomBytes(2).toString('hex')}`;
  const { url } = await createBareRepo(prefix);
  const naming = {
    gateway: (name: TemplateGateway) => `${prefix}-${name}`,
    gatewayFile: (name: TemplateGateway) => `gateways/${customerOf(name)}/${prefix}-${name}.yaml`,
    namespace: (customer: 'acme' | 'globex') => `${prefix}-${customer}`,
  };
  const chosen = withSoak(withOnly(prefixed(templateFiles(), prefix), prefix, gateways), soakSeconds);
  const files = maintenanceWindows ? chosen : withoutWindows(chosen);
  edit?.(files, naming);
  const fleet: TestFleet = {
    prefix,
    url,
    gateways,
    files,
    ...naming,
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
  if (withGateways) await ensureGateways(gateways.map((g) => fleet.gateway(g)));
  await commitAndPush({ url, files: fleet.files, message: 'the fleet' });
  return fleet;
}

/**
 * Leaves the test bed as it was: this fleet's namespaces, cluster-scoped objects,
 * inventories and edge nodes gone. Other fleets keep theirs.
 */
export async function removeTestFleet(fleet: TestFleet | undefined, k: Kube): Promise<void> {
  if (!fleet) return;
  for (const customer of ['acme', 'globex'] as const) await k.core.deleteNamespace({ name: fleet.namespace(customer) }).catch(() => undefined);
  const jobs = await k.custom.listClusterCustomObject({ group: 'operations.kubeedge.io', version: 'v1alpha2', plural: 'imageprepulljobs' }).catch(() => ({ items: [] }));
  for (const job of (jobs as { items: { metadata: { name: string } }[] }).items) {
    if (job.metadata.name.startsWith(`${fleet.prefix}-`)) await k.custom.deleteClusterCustomObject({ group: 'operations.kubeedge.io', version: 'v1alpha2', plural: 'imageprepulljobs', name: job.metadata.name }).catch(() => undefined);
  }
  for (const gateway of TEMPLATE_GATEWAYS) {
    await k.core.deleteNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: inventoryName(fleet.gateway(gateway)) }).catch(() => undefined);
    await k.core.deleteNode({ name: fleet.gateway(gateway) }).catch(() => undefined);
  }
}
