// The fleet-repo rules beyond the schema: names match paths, references resolve, configs
// satisfy their catalog schema, nothing is declared twice, images and addresses are sane.
import { isIP } from 'node:net';
import semver from 'semver';
import type { Customer, Fleet, Gateway, Response, ServiceVersion } from './types.generated.ts';
import { compileConfigSchema } from './config-schemas.ts';
import { didYouMean } from './hint.ts';
import type { Problem, ProblemCode } from './problems.ts';
import { toProblems } from './schema-check.ts';
import type { FleetFilePlace } from './layout.ts';
import type { ParsedFile } from './yaml-source.ts';

/** A file that parsed and passed its schema. */
export interface ValidDoc<T> {
  readonly place: FleetFilePlace;
  readonly file: ParsedFile;
  readonly doc: T;
  readonly sha256: string;
}

export interface ValidDocs {
  readonly fleet?: ValidDoc<Fleet>;
  readonly customers: readonly ValidDoc<Customer>[];
  readonly gateways: readonly ValidDoc<Gateway>[];
  readonly catalog: readonly ValidDoc<ServiceVersion>[];
  readonly responses: readonly ValidDoc<Response>[];
}

/** What exists by path, whether or not its file is valid: references resolve against it. */
export interface Existing {
  readonly customers: ReadonlySet<string>;
  /** service → versions */
  readonly catalog: ReadonlyMap<string, ReadonlySet<string>>;
  /** gateway → customer */
  readonly gateways: ReadonlyMap<string, string>;
}

function problemAt(file: ParsedFile, segments: readonly (string | number)[], code: ProblemCode, message: string, hint?: string, target: 'value' | 'key' = 'value'): Problem {
  const pos = file.locate(segments, target);
  return { file: file.path, line: pos.line, col: pos.col, code, message, ...(hint ? { hint } : {}) };
}

export function checkNames(docs: ValidDocs): Problem[] {
  const problems: Problem[] = [];
  const all: ValidDoc<{ metadata: { name: string } }>[] = [...docs.customers, ...docs.gateways, ...docs.catalog, ...docs.responses];
  for (const { place, file, doc } of all) {
    const expected = place.kind === 'ServiceVersion' ? place.folder! : place.name;
    if (doc.metadata.name !== expected) {
      const where = place.kind === 'ServiceVersion' ? `its folder catalog/${expected}/` : `its file name`;
      problems.push(problemAt(file, ['metadata', 'name'], 'NAME_MISMATCH', `metadata.name \`${doc.metadata.name}\` does not match ${where}`, `name it \`${expected}\` or move the file`));
    }
  }
  for (const { place, file, doc } of docs.catalog) {
    if (doc.spec.version !== place.name) {
      problems.push(problemAt(file, ['spec', 'version'], 'VERSION_MISMATCH', `spec.version \`${doc.spec.version}\` does not match the file name ${place.name}.yaml`, `publish it as catalog/${place.folder}/${doc.spec.version}.yaml`));
    }
  }
  return problems;
}

export function checkGateways(docs: ValidDocs, existing: Existing): Problem[] {
  const problems: Problem[] = [];
  const catalogByKey = new Map(docs.catalog.map((c) => [`${c.place.folder}@${c.place.name}`, c]));
  const gatewayFiles = new Map<string, string>();
  const nodeFiles = new Map<string, string>();
  for (const { place, file, doc } of docs.gateways) {
    const customer = place.folder!;
    if (!existing.customers.has(customer)) {
      problems.push(problemAt(file, [], 'UNKNOWN_CUSTOMER', `customer \`${customer}\` (the folder gateways/${customer}/) has no customers/${customer}.yaml`, didYouMean(customer, existing.customers)));
    }
    const firstWithName = gatewayFiles.get(doc.metadata.name);
    if (firstWithName) problems.push(problemAt(file, ['metadata', 'name'], 'DUPLICATE_GATEWAY', `gateway \`${doc.metadata.name}\` is also declared in ${firstWithName}`, 'gateway names are unique across the fleet'));
    else gatewayFiles.set(doc.metadata.name, file.path);
    const firstWithNode = nodeFiles.get(doc.spec.node);
    if (firstWithNode) problems.push(problemAt(file, ['spec', 'node'], 'DUPLICATE_NODE', `edge node \`${doc.spec.node}\` is already the gateway of ${firstWithNode}`, 'one gateway per edge node'));
    else nodeFiles.set(doc.spec.node, file.path);

    const seenServices = new Map<string, number>();
    const hostPorts = new Map<string, string>();
    doc.spec.services.forEach((service, index) => {
      const at = ['spec', 'services', index];
      const earlier = seenServices.get(service.name);
      if (earlier !== undefined) {
        problems.push(problemAt(file, [...at, 'name'], 'DUPLICATE_SERVICE', `service \`${service.name}\` is already listed at spec.services[${earlier}]`, 'one entry per service per gateway'));
        return;
      }
      seenServices.set(service.name, index);
      const versions = existing.catalog.get(service.name);
      if (!versions) {
        problems.push(problemAt(file, [...at, 'name'], 'UNKNOWN_SERVICE', `service \`${service.name}\` is not in the catalog`, didYouMean(service.name, existing.catalog.keys())));
        return;
      }
      if (!versions.has(service.version)) {
        const published = [...versions].sort(semver.compare).join(', ');
        problems.push(problemAt(file, [...at, 'version'], 'UNKNOWN_VERSION', `\`${service.name}\` ${service.version} is not published in the catalog`, `published: ${published}`));
        return;
      }
      const catalog = catalogByKey.get(`${service.name}@${service.version}`);
      if (!catalog) return; // the catalog file itself is invalid and reported there
      problems.push(...checkConfig(file, at, service.config, catalog));
      for (const port of catalog.doc.spec.ports ?? []) {
        const hostPort = port.hostPort ?? (catalog.doc.spec.hostNetwork ? port.containerPort : undefined);
        if (hostPort === undefined) continue;
        const key = `${port.protocol ?? 'TCP'}/${hostPort}`;
        const holder = hostPorts.get(key);
        if (holder) problems.push(problemAt(file, [...at, 'name'], 'HOST_PORT_CONFLICT', `\`${service.name}\` needs host port ${key}, already held by \`${holder}\` on this gateway`));
        else hostPorts.set(key, service.name);
      }
    });
  }
  return problems;
}

function checkConfig(file: ParsedFile, at: readonly (string | number)[], config: Record<string, unknown> | undefined, catalog: ValidDoc<ServiceVersion>): Problem[] {
  const validate = compileConfigSchema(catalog.sha256, catalog.doc.spec.configSchema);
  if (!(typeof validate === 'function')) return []; // reported once, on the catalog file
  // An absent config is validated as {} so a schema's `required` still applies.
  const value = config ?? {};
  if (validate(value)) return [];
  const prefix = config === undefined ? at : [...at, 'config'];
  const view: ParsedFile = { path: file.path, value, locate: (segments, target) => file.locate([...prefix, ...segments], target) };
  const label = `config of ${catalog.place.folder} ${catalog.place.name}`;
  return toProblems(view, validate.errors ?? []).map((p) => ({ ...p, code: 'CONFIG_INVALID' as const, message: `${label}: ${p.message.replace(/^\(document\): /, '')}` }));
}

export function checkCatalog(docs: ValidDocs): Problem[] {
  const problems: Problem[] = [];
  for (const { file, doc, sha256 } of docs.catalog) {
    const compiled = compileConfigSchema(sha256, doc.spec.configSchema);
    if (typeof compiled === 'function') continue;
    for (const refused of compiled.patterns) {
      problems.push(problemAt(file, ['spec', 'configSchema', ...refused.segments], 'PATTERN_UNSUPPORTED', `configSchema pattern ${JSON.stringify(refused.pattern)}: ${refused.reason}`, refused.hint, refused.target));
    }
    if (compiled.patterns.length > 0) continue;
    if (compiled.errors.length === 0) {
      problems.push(problemAt(file, ['spec', 'configSchema'], 'CONFIG_SCHEMA_INVALID', `configSchema is not a usable JSON Schema: ${compiled.message}`));
      continue;
    }
    const view: ParsedFile = { path: file.path, value: doc.spec.configSchema, locate: (segments, target) => file.locate(['spec', 'configSchema', ...segments], target) };
    problems.push(...toProblems(view, compiled.errors).map((p) => ({ ...p, code: 'CONFIG_SCHEMA_INVALID' as const, message: `configSchema ${p.message.replace(/^\(document\): /, '')}` })));
  }
  return problems;
}

function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function checkResponses(docs: ValidDocs, existing: Existing): Problem[] {
  const problems: Problem[] = [];
  const catalogByKey = new Map(docs.catalog.map((c) => [`${c.place.folder}@${c.place.name}`, c]));
  for (const { file, doc } of docs.responses) {
    const { spec } = doc;
    if (!existing.customers.has(spec.customer)) {
      problems.push(problemAt(file, ['spec', 'customer'], 'UNKNOWN_CUSTOMER', `customer \`${spec.customer}\` has no customers/${spec.customer}.yaml`, didYouMean(spec.customer, existing.customers)));
    }
    (spec.gateways ?? []).forEach((gateway, index) => {
      const owner = existing.gateways.get(gateway);
      if (owner === undefined) {
        problems.push(problemAt(file, ['spec', 'gateways', index], 'UNKNOWN_GATEWAY', `gateway \`${gateway}\` is not declared`, didYouMean(gateway, existing.gateways.keys())));
      } else if (owner !== spec.customer) {
        problems.push(problemAt(file, ['spec', 'gateways', index], 'RESPONSE_WRONG_CUSTOMER', `gateway \`${gateway}\` belongs to customer \`${owner}\`, not \`${spec.customer}\``));
      }
    });
    const addresses: [readonly (string | number)[], readonly string[]][] = [];
    if (spec.ipBlock) addresses.push([['spec', 'ipBlock', 'cidrs'], spec.ipBlock.cidrs]);
    if (spec.vulnScan) {
      addresses.push([['spec', 'vulnScan', 'targets'], spec.vulnScan.targets]);
      const { service, version } = spec.vulnScan;
      const versions = existing.catalog.get(service);
      if (!versions) {
        problems.push(problemAt(file, ['spec', 'vulnScan', 'service'], 'UNKNOWN_SERVICE', `service \`${service}\` is not in the catalog`, didYouMean(service, existing.catalog.keys())));
      } else if (!versions.has(version)) {
        problems.push(problemAt(file, ['spec', 'vulnScan', 'version'], 'UNKNOWN_VERSION', `\`${service}\` ${version} is not published in the catalog`, `published: ${[...versions].sort(semver.compare).join(', ')}`));
      } else {
        const workload = catalogByKey.get(`${service}@${version}`)?.doc.spec.workload;
        if (workload && workload !== 'job') {
          problems.push(problemAt(file, ['spec', 'vulnScan', 'service'], 'RESPONSE_SERVICE_NOT_JOB', `\`${service}\` ${version} is a ${workload} service; a scan runs a job service`));
        }
      }
    }
    for (const [at, list] of addresses) {
      list.forEach((value, index) => {
        if (!isCidr(value)) problems.push(problemAt(file, [...at, index], 'INVALID_CIDR', `\`${value}\` is not an IP address or CIDR range`));
      });
    }
  }
  return problems;
}
