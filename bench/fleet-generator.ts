// A synthetic fleet repo of N gateways × M services, the same for the same seed: the
// input of every benchmark (validate, render, reconcile) and of scale tests.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export interface GenerateFleetOptions {
  readonly gateways: number;
  /** Services per gateway, at most the catalog's 6. @default 4 */
  readonly servicesPerGateway?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Gateways per customer. @default 50 */
  readonly gatewaysPerCustomer?: number;
}

/** Repo-relative path → file content. */
export type FleetFiles = Record<string, string>;

/** mulberry32: a tiny, well-distributed deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

interface CatalogService {
  readonly name: string;
  readonly versions: readonly string[];
  readonly body: (version: string) => string;
  readonly config: (random: () => number, index: number) => string;
}

const daemon = (name: string, extra: string, configSchema: string) => (version: string) => `apiVersion: essg.io/v1
kind: ServiceVersion
metadata:
  name: ${name}
spec:
  version: ${version}
  workload: daemon
  image: registry.example.com/essg/${name}@sha256:${digest(`${name}-${version}`)}
${extra}  resources:
    requests: { cpu: 100m, memory: 128Mi }
    limits: { cpu: 500m, memory: 512Mi }
  readiness: { httpGet: { path: /healthz, port: 8080 } }
  configSchema: ${configSchema}
`;

const CATALOG: readonly CatalogService[] = [
  {
    name: 'ids',
    versions: ['1.0.0', '1.1.0'],
    body: daemon('ids', '  hostNetwork: true\n  capabilities: [NET_ADMIN, NET_RAW]\n  ports: [{ name: metrics, containerPort: 9100, hostPort: 9100 }]\n', '{ type: object, required: [homeNet], additionalProperties: false, properties: { homeNet: { type: array, items: { type: string } } } }'),
    config: (r, i) => `{ homeNet: [10.${i % 256}.${Math.floor(r() * 256)}.0/24] }`,
  },
  {
    name: 'log-collector',
    versions: ['2.3.0', '2.4.0'],
    body: daemon('log-collector', '  capabilities: [NET_BIND_SERVICE]\n', '{ type: object, required: [socEndpoint], additionalProperties: false, properties: { socEndpoint: { type: string }, bufferMiB: { type: integer } } }'),
    config: (r) => `{ socEndpoint: "https://soc.example.com/ingest", bufferMiB: ${16 + Math.floor(r() * 240)} }`,
  },
  {
    name: 'firewall',
    versions: ['3.0.0', '3.1.0'],
    body: daemon('firewall', '  hostNetwork: true\n  capabilities: [NET_ADMIN]\n  consumes: [ip-block]\n  ports: [{ name: api, containerPort: 9300, hostPort: 9300 }]\n', '{ type: object, additionalProperties: false, properties: { defaultPolicy: { enum: [accept, drop] } } }'),
    config: (r) => `{ defaultPolicy: ${r() < 0.5 ? 'accept' : 'drop'} }`,
  },
  {
    name: 'edr-adapter',
    versions: ['1.4.0', '1.5.0'],
    body: daemon('edr-adapter', '', '{ type: object, required: [vendor], additionalProperties: false, properties: { vendor: { enum: [crowdstrike, sentinelone, defender] } } }'),
    config: (r) => `{ vendor: ${['crowdstrike', 'sentinelone', 'defender'][Math.floor(r() * 3)]} }`,
  },
  {
    name: 'netflow-exporter',
    versions: ['0.9.0', '1.0.0'],
    body: daemon('netflow-exporter', '', '{ type: object, additionalProperties: false, properties: { sampleRate: { type: integer } } }'),
    config: (r) => `{ sampleRate: ${1 + Math.floor(r() * 100)} }`,
  },
  {
    name: 'honeypot',
    versions: ['0.3.0', '0.4.0'],
    body: daemon('honeypot', '', '{ type: object, additionalProperties: false, properties: { persona: { type: string } } }'),
    config: (r) => `{ persona: printer-${Math.floor(r() * 10)} }`,
  },
];

export function generateFleet(options: GenerateFleetOptions): FleetFiles {
  const { gateways, servicesPerGateway = 4, seed = 1, gatewaysPerCustomer = 50 } = options;
  if (servicesPerGateway > CATALOG.length) throw new Error(`servicesPerGateway (${servicesPerGateway}) must be at most ${CATALOG.length}`);
  const random = prng(seed);
  const files: FleetFiles = {
    'fleet.yaml': `apiVersion: essg.io/v1\nkind: Fleet\nmetadata: { name: synthetic }\nspec:\n  operators: [soc-lead]\n  prePull: { enabled: true }\n  rollout: { canarySelector: { tier: canary } }\n`,
  };
  for (const service of CATALOG) {
    for (const version of service.versions) files[`catalog/${service.name}/${version}.yaml`] = service.body(version);
  }
  const customerCount = Math.max(1, Math.ceil(gateways / gatewaysPerCustomer));
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  for (let c = 0; c < customerCount; c++) {
    const customer = `cust-${pad(c, 4)}`;
    files[`customers/${customer}.yaml`] = `apiVersion: essg.io/v1\nkind: Customer\nmetadata: { name: ${customer} }\nspec:\n  approvers: [${customer}-lead]\n  preauthorized: [ip-block]\n`;
  }
  for (let g = 0; g < gateways; g++) {
    const customer = `cust-${pad(Math.floor(g / gatewaysPerCustomer), 4)}`;
    const name = `gw-${pad(g, 6)}`;
    const start = Math.floor(random() * CATALOG.length);
    const services = Array.from({ length: servicesPerGateway }, (_, k) => CATALOG[(start + k) % CATALOG.length]!);
    const lines = services.map((s) => `    - { name: ${s.name}, version: ${s.versions[random() < 0.7 ? 1 : 0]}, config: ${s.config(random, g)} }`);
    files[`gateways/${customer}/${name}.yaml`] = `apiVersion: essg.io/v1\nkind: Gateway\nmetadata: { name: ${name}, labels: { site: site-${g % 97}, tier: ${g % 20 === 0 ? 'canary' : 'standard'} } }\nspec:\n  node: ${name}\n  services:\n${lines.join('\n')}\n`;
  }
  files['responses/block-synthetic.yaml'] = `apiVersion: essg.io/v1\nkind: Response\nmetadata: { name: block-synthetic }\nspec:\n  action: ip-block\n  customer: cust-0000\n  reason: synthetic benchmark block list\n  expires: "2099-01-01T00:00:00Z"\n  ipBlock: { cidrs: [203.0.113.0/24, 198.51.100.7] }\n`;
  return files;
}

export async function writeFleet(dir: string, files: FleetFiles): Promise<void> {
  const folders = new Set(Object.keys(files).map((p) => path.dirname(path.join(dir, p))));
  await Promise.all([...folders].map((f) => mkdir(f, { recursive: true })));
  const entries = Object.entries(files);
  for (let i = 0; i < entries.length; i += 256) {
    await Promise.all(entries.slice(i, i + 256).map(([p, content]) => writeFile(path.join(dir, p), content)));
  }
}

/**
 * `writeFleet`, then on disk before anything is timed, as a checked-out repo is: else a load
 * reads the files while the kernel still writes thousands of them back.
 */
export async function writeFleetToDisk(dir: string, files: FleetFiles): Promise<void> {
  await writeFleet(dir, files);
  await promisify(execFile)('sync', []);
}

/**
 * Moves the first service of each named gateway file to another catalog version of it, in
 * `files` and in the files returned (those changed): a workload change its customer reviews.
 */
export function upgradeFirstService(files: FleetFiles, gatewayFiles: readonly string[]): FleetFiles {
  const changed: FleetFiles = {};
  for (const file of gatewayFiles) {
    const content = files[file]!;
    const m = /- \{ name: ([\w-]+), version: ([\d.]+),/.exec(content)!;
    const other = Object.keys(files).map((f) => /^catalog\/([\w-]+)\/([\d.]+)\.yaml$/.exec(f)).find((c) => c && c[1] === m[1] && c[2] !== m[2])![2]!;
    changed[file] = files[file] = content.replace(m[0], `- { name: ${m[1]}, version: ${other},`);
  }
  return changed;
}
