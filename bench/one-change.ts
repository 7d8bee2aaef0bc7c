// The fleet a new commit that changes one gateway's service config would load: the render
// and scale benchmarks' one-gateway change.
import { createHash } from 'node:crypto';
import type { FleetModel, GatewayModel } from '../src/model/fleet-model.ts';

export function withOneChange(fleet: FleetModel, name: string): FleetModel {
  const gateway = fleet.gateways.get(name) as GatewayModel;
  const [first, ...rest] = gateway.services;
  if (!first) throw new Error(`${name} runs no service`);
  const services = [{ ...first, entry: { ...first.entry, config: { ...(first.entry.config ?? {}), benchmarkChange: true } } }, ...rest];
  const doc = { ...gateway.doc, spec: { ...gateway.doc.spec, services: services.map((s) => s.entry) } };
  // A changed file has new bytes, hence a new digest.
  const changed: GatewayModel = { ...gateway, doc, services, source: { ...gateway.source, sha256: createHash('sha256').update(JSON.stringify(doc)).digest('hex') } };
  return { ...fleet, gateways: new Map([...fleet.gateways].map(([key, value]) => [key, key === name ? changed : value])) };
}
