// The parts of a loaded fleet that are the same from one commit to the next, held once. Each
// load comes from the worker as a fresh copy; a pass that walks 200 commits of a 1,000-gateway
// fleet would otherwise hold 200 copies of every gateway, customer and catalog entry (about
// 2 MiB a commit). A part is the same when its file's bytes are (and, for a gateway, the
// catalog entries it resolved to); what no load of a whole pass used is dropped.
import type { CustomerModel, FleetModel, GatewayModel, ResponseModel, ServiceVersionModel } from '../model/fleet-model.ts';

const catalogKey = (entry: ServiceVersionModel) => `${entry.service}@${entry.version}#${entry.source.sha256}`;
const gatewayKey = (gateway: GatewayModel) => `${gateway.name}#${gateway.source.sha256}#${gateway.customer}#${gateway.services.map((s) => catalogKey(s.catalog)).join(',')}`;
const customerKey = (customer: CustomerModel) => `${customer.name}#${customer.source.sha256}`;
const responseKey = (response: ResponseModel) => `${response.name}#${response.source.sha256}#${response.gateways.join(',')}`;

export class SharedModels {
  private readonly parts = new Map<string, unknown>();
  private used = new Set<string>();

  /** The model, its parts replaced by equal ones held already (and held from now on). */
  share(model: FleetModel): FleetModel {
    const catalog = new Map([...model.catalog].map(([service, versions]) => [service, this.mapOf(versions, catalogKey, 'catalog')]));
    return {
      fleet: model.fleet,
      customers: this.mapOf(model.customers, customerKey, 'customer'),
      gateways: this.mapOf(model.gateways, gatewayKey, 'gateway'),
      catalog,
      responses: this.mapOf(model.responses, responseKey, 'response'),
    };
  }

  /** A pass begins: the parts no load of the last one used are dropped. */
  startPass(): void {
    for (const key of this.parts.keys()) if (!this.used.has(key)) this.parts.delete(key);
    this.used = new Set();
  }

  get size(): number {
    return this.parts.size;
  }

  private mapOf<T>(entries: ReadonlyMap<string, T>, keyOf: (part: T) => string, kind: string): Map<string, T> {
    const out = new Map<string, T>();
    for (const [name, part] of entries) {
      const key = `${kind}:${keyOf(part)}`;
      let held = this.parts.get(key) as T | undefined;
      if (held === undefined) this.parts.set(key, (held = part));
      this.used.add(key);
      out.set(name, held);
    }
    return out;
  }
}
