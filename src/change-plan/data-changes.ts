// What a pull request changes in who may collect and report which site data: a customer's
// allow-lists, and the categories the services on its gateways collect and report (a service
// added or removed, or moved to a version that declares other categories). Pure: both
// models in, the plan's data-authorisation section out.
import { customerDataPolicy, serviceDataHandling, type DataHandling, type DataPolicy } from '../model/data-authorisation.ts';
import type { FleetModel, GatewayModel } from '../model/fleet-model.ts';
import type { CategoryChange, CustomerDataChange, DataAuthorisationChanges, ServiceDataChange } from './types.ts';

const NONE: DataPolicy = { collect: [], report: [] };
const NOTHING: DataHandling = { collects: [], reports: [] };

function categoryChange(before: readonly string[], after: readonly string[]): CategoryChange {
  return { added: after.filter((c) => !before.includes(c)), removed: before.filter((c) => !after.includes(c)) };
}

const isEmpty = (change: CategoryChange): boolean => change.added.length === 0 && change.removed.length === 0;

export function customerDataChanges({ before, after }: { readonly before: FleetModel | undefined; readonly after: FleetModel }): CustomerDataChange[] {
  const out: CustomerDataChange[] = [];
  const names = [...new Set([...(before?.customers.keys() ?? []), ...after.customers.keys()])].sort();
  for (const customer of names) {
    const old = before?.customers.get(customer);
    const next = after.customers.get(customer);
    // A customer that leaves the fleet takes its gateways with it; nothing is collected there any more.
    if (!next) continue;
    const was = old ? customerDataPolicy(old.doc) : NONE;
    const now = customerDataPolicy(next.doc);
    const collection = categoryChange(was.collect, now.collect);
    const reporting = categoryChange(was.report, now.report);
    if (isEmpty(collection) && isEmpty(reporting)) continue;
    out.push({ customer, file: next.source.path, collection, reporting, allows: { collect: [...now.collect], report: [...now.report] } });
  }
  return out;
}

/** Services that run at `now`, with the categories their version declares. */
function handledBy(gateway: GatewayModel | undefined, now: number): Map<string, { version: string; handling: DataHandling }> {
  const out = new Map<string, { version: string; handling: DataHandling }>();
  for (const { entry, catalog } of gateway?.services ?? []) {
    if (entry.expires && Date.parse(entry.expires) <= now) continue;
    out.set(entry.name, { version: entry.version, handling: serviceDataHandling(catalog.doc.spec) });
  }
  return out;
}

/** One entry per service move and category change, with every gateway that makes it. */
export function serviceDataChanges({ before, after, now }: { readonly before: FleetModel | undefined; readonly after: FleetModel; readonly now: number }): ServiceDataChange[] {
  const grouped = new Map<string, ServiceDataChange & { gateways: string[] }>();
  const names = [...new Set([...(before?.gateways.keys() ?? []), ...after.gateways.keys()])].sort();
  for (const gateway of names) {
    const oldGateway = before?.gateways.get(gateway);
    const newGateway = after.gateways.get(gateway);
    const customer = (newGateway ?? oldGateway)!.customer;
    const old = handledBy(oldGateway, now);
    const next = handledBy(newGateway, now);
    for (const service of [...new Set([...old.keys(), ...next.keys()])].sort()) {
      const was = old.get(service);
      const is = next.get(service);
      const collects = categoryChange((was?.handling ?? NOTHING).collects, (is?.handling ?? NOTHING).collects);
      const reports = categoryChange((was?.handling ?? NOTHING).reports, (is?.handling ?? NOTHING).reports);
      if (isEmpty(collects) && isEmpty(reports)) continue;
      const change = { customer, service, ...(was ? { from: was.version } : {}), ...(is ? { to: is.version } : {}), collects, reports };
      const key = JSON.stringify(change);
      const known = grouped.get(key);
      if (known) known.gateways.push(gateway);
      else grouped.set(key, { ...change, gateways: [gateway] });
    }
  }
  return [...grouped.values()].sort((a, b) => a.customer.localeCompare(b.customer) || a.service.localeCompare(b.service) || (a.gateways[0] ?? '').localeCompare(b.gateways[0] ?? ''));
}

export function dataAuthorisationChanges({ before, after, now }: { readonly before: FleetModel | undefined; readonly after: FleetModel; readonly now: number }): DataAuthorisationChanges {
  return { customers: customerDataChanges({ before, after }), services: serviceDataChanges({ before, after, now }) };
}

export const NO_DATA_CHANGES: DataAuthorisationChanges = { customers: [], services: [] };
