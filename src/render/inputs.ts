// Everything one gateway's render depends on, gathered from the fleet model as plain data,
// and the cache key that digests the same things: a change anywhere else in the fleet leaves
// this gateway's key, and its render, alone.
import { customerDataPolicy, handlesData, type DataPolicy } from '../model/data-authorisation.ts';
import type { FleetModel, GatewayModel, ResponseModel, ServiceVersionSpec } from '../model/fleet-model.ts';
import { canonicalJson } from './canonical.ts';
import { CatalogVersionMissingError } from './errors.ts';
import { namespaceName } from './names.ts';
import { isExpired } from '../model/expiry.ts';

/** Bumped whenever rendering changes its output for the same inputs, so cached renders are not reused. */
export const RENDERER_REVISION = '3';

export const RENDER_DEFAULTS = {
  namespacePrefix: 'essg-',
  progressDeadlineSeconds: 600,
} as const;

export type { ServiceVersionSpec };

/** One catalog service at one version, as a gateway runs it. */
export interface ServiceInput {
  readonly name: string;
  readonly version: string;
  readonly spec: ServiceVersionSpec;
  /** The gateway's validated config for the service; `{}` when it gives none. */
  readonly config: unknown;
  /**
   * What the gateway's customer allows to be collected and reported, for a service whose
   * catalog version declares it handles site data (`spec.data`); the service enforces it.
   * @default - none: the service handles no site data
   */
  readonly dataPolicy?: DataPolicy;
}

export interface IpBlockInput {
  readonly response: string;
  readonly direction: 'inbound' | 'outbound' | 'both';
  readonly expires: string;
  readonly cidrs: readonly string[];
}

export interface EdrActionInput {
  readonly response: string;
  readonly command: 'isolate-host' | 'scan-host' | 'collect-forensics';
  readonly endpoints: readonly string[];
  readonly reason: string;
  readonly expires: string;
}

export interface VulnScanInput {
  readonly response: string;
  readonly expires: string;
  readonly scanner: ServiceInput;
}

export interface GatewayInputs {
  readonly gateway: string;
  readonly customer: string;
  readonly node: string;
  readonly namespace: string;
  /** Unexpired services, in the order the gateway file lists them. */
  readonly services: readonly ServiceInput[];
  /** Unexpired ip-block responses acting on this gateway, by response name. */
  readonly ipBlocks: readonly IpBlockInput[];
  /** Unexpired vuln-scan responses acting on this gateway, by response name. */
  readonly scans: readonly VulnScanInput[];
  /** Unexpired edr-action responses acting on this gateway, by response name; its EDR adapter carries them out. */
  readonly edrActions: readonly EdrActionInput[];
  readonly progressDeadlineSeconds: number;
}

const responseIndex = new WeakMap<FleetModel, ReadonlyMap<string, readonly ResponseModel[]>>();

/** The responses acting on each gateway, in response-name order; built once per (immutable) model. */
function responsesByGateway(model: FleetModel): ReadonlyMap<string, readonly ResponseModel[]> {
  let index = responseIndex.get(model);
  if (!index) {
    const built = new Map<string, ResponseModel[]>();
    const byName = [...model.responses.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const response of byName) {
      for (const gateway of response.gateways) {
        const list = built.get(gateway);
        if (list) list.push(response);
        else built.set(gateway, [response]);
      }
    }
    index = built;
    responseIndex.set(model, index);
  }
  return index;
}


/** The customer's data policy, for a service that handles site data; the loader has checked it allows all the service declares. */
function dataPolicyFor(model: FleetModel, customer: string, spec: ServiceVersionSpec): { dataPolicy?: DataPolicy } {
  if (!handlesData(spec)) return {};
  const doc = model.customers.get(customer)?.doc;
  return { dataPolicy: doc ? customerDataPolicy(doc) : { collect: [], report: [] } };
}

export function gatewayInputs({ model, gateway, now }: { readonly model: FleetModel; readonly gateway: GatewayModel; readonly now: number }): GatewayInputs {
  const fleet = model.fleet.doc.spec;
  const services = gateway.services
    .filter((service) => !isExpired(service.entry.expires, now))
    .map((service): ServiceInput => ({
      name: service.catalog.service,
      version: service.catalog.version,
      spec: service.catalog.doc.spec,
      config: service.entry.config ?? {},
      ...dataPolicyFor(model, gateway.customer, service.catalog.doc.spec),
    }));
  const ipBlocks: IpBlockInput[] = [];
  const scans: VulnScanInput[] = [];
  const edrActions: EdrActionInput[] = [];
  for (const response of responsesByGateway(model).get(gateway.name) ?? []) {
    const spec = response.doc.spec;
    if (isExpired(spec.expires, now)) continue;
    if (spec.action === 'ip-block' && spec.ipBlock) {
      ipBlocks.push({ response: response.name, direction: spec.ipBlock.direction ?? 'both', expires: spec.expires, cidrs: spec.ipBlock.cidrs });
    } else if (spec.action === 'vuln-scan' && spec.vulnScan) {
      const { service, version, targets, profile } = spec.vulnScan;
      const catalog = model.catalog.get(service)?.get(version);
      if (!catalog) throw new CatalogVersionMissingError({ service, version, usedBy: `response ${response.name}` });
      const scanner: ServiceInput = { name: service, version, spec: catalog.doc.spec, config: { targets, profile: profile ?? 'quick' }, ...dataPolicyFor(model, gateway.customer, catalog.doc.spec) };
      scans.push({ response: response.name, expires: spec.expires, scanner });
    } else if (spec.action === 'edr-action' && spec.edrAction) {
      edrActions.push({ response: response.name, command: spec.edrAction.command, endpoints: spec.edrAction.endpoints, reason: spec.reason, expires: spec.expires });
    }
  }
  return {
    gateway: gateway.name,
    customer: gateway.customer,
    node: gateway.node,
    namespace: namespaceName({ prefix: fleet.namespacePrefix ?? RENDER_DEFAULTS.namespacePrefix, customer: gateway.customer }),
    services,
    ipBlocks,
    scans,
    edrActions,
    progressDeadlineSeconds: fleet.rollout?.progressDeadlineSeconds ?? RENDER_DEFAULTS.progressDeadlineSeconds,
  };
}

const fleetDigests = new WeakMap<FleetModel, string>();

/** The fleet settings rendering reads, once per (immutable) model. */
function fleetSettingsDigest(model: FleetModel): string {
  let digest = fleetDigests.get(model);
  if (digest === undefined) {
    const spec = model.fleet.doc.spec;
    // Not prePull: images are pulled by the rollout, per wave (src/rollout/prepull.ts), never rendered per gateway.
    digest = canonicalJson({ namespacePrefix: spec.namespacePrefix, progressDeadlineSeconds: spec.rollout?.progressDeadlineSeconds });
    fleetDigests.set(model, digest);
  }
  return digest;
}

/**
 * The cache key of a gateway's render: everything its objects depend on, by content digest.
 * Files stand in by the SHA-256 the loader took of their bytes (the gateway file holds its
 * node, services and config; catalog files are immutable), plus which services and responses
 * are unexpired at `now`, the fleet settings rendering reads and the renderer revision.
 * Returned as text: a cached pass compares it as is, and only a render hashes it into
 * `inputHash`, which keeps a pass over an unchanged fleet of 10,000 gateways in milliseconds.
 */
export function renderKey({ model, gateway, now }: { readonly model: FleetModel; readonly gateway: GatewayModel; readonly now: number }): string {
  const parts = [RENDERER_REVISION, fleetSettingsDigest(model), gateway.name, gateway.customer, gateway.source.sha256];
  for (const service of gateway.services) {
    if (!isExpired(service.entry.expires, now)) parts.push(`service ${service.catalog.service} ${service.catalog.version} ${service.catalog.source.sha256}`);
  }
  let dataHandled = gateway.services.some((service) => !isExpired(service.entry.expires, now) && handlesData(service.catalog.doc.spec));
  for (const response of responsesByGateway(model).get(gateway.name) ?? []) {
    const spec = response.doc.spec;
    if (isExpired(spec.expires, now)) continue;
    parts.push(`response ${response.name} ${response.source.sha256}`);
    if (!spec.vulnScan) continue;
    const scanner = model.catalog.get(spec.vulnScan.service)?.get(spec.vulnScan.version);
    parts.push(`scanner ${scanner?.source.sha256 ?? 'missing'}`);
    if (scanner && handlesData(scanner.doc.spec)) dataHandled = true;
  }
  // The customer's data policy is rendered into every service that handles site data; the
  // rest of the customer file (approvers, windows) renders nothing.
  if (dataHandled) {
    const customer = model.customers.get(gateway.customer)?.doc;
    parts.push(`data ${canonicalJson(customer ? customerDataPolicy(customer) : null)}`);
  }
  return parts.join('\n');
}

/**
 * What of a gateway's render only the fleet's operators may authorise: the fleet settings
 * rendering reads and every catalog file the render uses (its services' versions and the
 * scanners of its vuln-scan responses), by content digest. The gate compares it with the
 * one at the gateway's last accepted revision, so a catalog version that reached the branch
 * unreviewed cannot slip onto a gateway later through a customer-only pull request.
 */
export function operatorKey({ model, gateway, now }: { readonly model: FleetModel; readonly gateway: GatewayModel; readonly now: number }): string {
  const parts = [fleetSettingsDigest(model)];
  for (const service of gateway.services) {
    if (!isExpired(service.entry.expires, now)) parts.push(`catalog ${service.catalog.service} ${service.catalog.version} ${service.catalog.source.sha256}`);
  }
  for (const response of responsesByGateway(model).get(gateway.name) ?? []) {
    const spec = response.doc.spec;
    if (isExpired(spec.expires, now) || !spec.vulnScan) continue;
    parts.push(`catalog ${spec.vulnScan.service} ${spec.vulnScan.version} ${model.catalog.get(spec.vulnScan.service)?.get(spec.vulnScan.version)?.source.sha256 ?? 'missing'}`);
  }
  return [...new Set(parts)].sort().join('\n');
}
