// The typed, immutable fleet model every later stage (render, plan, gate) builds on.
// The loader is the only producer; everything in it has passed every rule of the
// fleet-repo contract, and every object is deep-frozen.
import type { Customer, Fleet, Gateway, GatewayService, Response, ServiceVersion } from './types.generated.ts';

export type { Customer, Fleet, Gateway, GatewayService, Response, ServiceVersion, ServiceVersionSpec } from './types.generated.ts';

/** Where a document came from: its repo-relative path and the SHA-256 of its bytes. */
export interface SourceFile {
  readonly path: string;
  readonly sha256: string;
}

export interface CustomerModel {
  readonly name: string;
  readonly source: SourceFile;
  readonly doc: Customer;
}

/** A catalog entry: one published version of one service (catalog/<service>/<version>.yaml). */
export interface ServiceVersionModel {
  readonly service: string;
  readonly version: string;
  readonly source: SourceFile;
  readonly doc: ServiceVersion;
}

/** One service on one gateway, with the catalog version it resolved to. */
export interface GatewayServiceModel {
  readonly entry: GatewayService;
  readonly catalog: ServiceVersionModel;
}

export interface GatewayModel {
  /** Gateway names are unique across the fleet. */
  readonly name: string;
  readonly customer: string;
  readonly node: string;
  readonly source: SourceFile;
  readonly doc: Gateway;
  /** In the order the gateway file lists them. */
  readonly services: readonly GatewayServiceModel[];
}

export interface ResponseModel {
  readonly name: string;
  readonly source: SourceFile;
  readonly doc: Response;
  /** The gateways the response acts on, resolved from `spec.gateways` (default: all of the customer's). */
  readonly gateways: readonly string[];
}

export interface FleetModel {
  readonly fleet: { readonly source: SourceFile; readonly doc: Fleet };
  /** Keyed by customer name, in name order. */
  readonly customers: ReadonlyMap<string, CustomerModel>;
  /** Keyed by gateway name, in name order. */
  readonly gateways: ReadonlyMap<string, GatewayModel>;
  /** Keyed by service name, then version; both in order (versions by SemVer precedence). */
  readonly catalog: ReadonlyMap<string, ReadonlyMap<string, ServiceVersionModel>>;
  /** Keyed by response name, in name order. */
  readonly responses: ReadonlyMap<string, ResponseModel>;
}
