// EDR actions: responses a gateway's EDR adapter carries out on the customer's endpoints
// through the customer's EDR console. A gateway can only act through an adapter it runs, so
// an action aimed at a gateway without one (or at a customer none of whose gateways runs one)
// is refused at the response's file and line rather than silently doing nothing.
import { isIP } from 'node:net';
import type { Problem } from './problems.ts';
import type { Existing, ValidDoc, ValidDocs } from './references.ts';
import type { Gateway, ServiceVersion } from './types.generated.ts';
import type { ParsedFile } from './yaml-source.ts';

/** The response kind an EDR adapter consumes (ServiceVersion `consumes`). */
export const EDR_ACTION = 'edr-action';

const HOST_LABEL = /^[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/** A host name as RFC 1123 allows it (one or more labels, at most 253 characters), or an IPv4 or IPv6 address. */
export function isEndpointName(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label));
}

/** True when the version enforces EDR actions: it is an EDR adapter. */
export function consumesEdrActions(spec: ServiceVersion['spec']): boolean {
  return spec.consumes?.includes(EDR_ACTION) === true;
}

function problemAt(file: ParsedFile, at: readonly (string | number)[], problem: Omit<Problem, 'file' | 'line' | 'col'>): Problem {
  const pos = file.locate(at);
  return { file: file.path, line: pos.line, col: pos.col, ...problem };
}

export function checkEdrActions(docs: ValidDocs, existing: Existing): Problem[] {
  const catalog = new Map(docs.catalog.map((c) => [`${c.place.folder}@${c.place.name}`, c.doc.spec]));
  const gateways = new Map(docs.gateways.map((g) => [g.doc.metadata.name, g]));
  const runsAdapter = (gateway: ValidDoc<Gateway>): boolean =>
    gateway.doc.spec.services.some((service) => {
      const spec = catalog.get(`${service.name}@${service.version}`);
      return spec !== undefined && consumesEdrActions(spec);
    });
  const adapters = [...new Set(docs.catalog.filter((c) => consumesEdrActions(c.doc.spec)).map((c) => c.place.folder!))].sort();
  const adapter = adapters.length > 0 ? `an EDR adapter (${adapters.join(', ')})` : 'an EDR adapter (publish a catalog service with `consumes: [edr-action]`)';
  // A gateway file that is itself invalid may run an adapter: it is reported there, not here.
  const allValid = (customer: string): boolean =>
    docs.gateways.filter((g) => g.place.folder === customer).length === [...existing.gateways.values()].filter((owner) => owner === customer).length;
  const problems: Problem[] = [];
  for (const { file, doc } of docs.responses) {
    const { spec } = doc;
    if (spec.action !== 'edr-action' || !spec.edrAction) continue;
    spec.edrAction.endpoints.forEach((endpoint, index) => {
      if (!isEndpointName(endpoint)) {
        problems.push(problemAt(file, ['spec', 'edrAction', 'endpoints', index], { code: 'INVALID_ENDPOINT', message: `\`${endpoint}\` is not a host name or IP address`, hint: 'name the endpoint as the EDR console lists it: its host name (ws-0042.corp.example.com) or its address' }));
      }
    });
    if (spec.gateways) {
      spec.gateways.forEach((name, index) => {
        const gateway = gateways.get(name);
        // An unknown gateway, or one of another customer, is reported by the reference rules.
        if (!gateway || gateway.place.folder !== spec.customer || runsAdapter(gateway)) return;
        problems.push(problemAt(file, ['spec', 'gateways', index], { code: 'RESPONSE_NO_EDR_ADAPTER', message: `gateway \`${name}\` runs no EDR adapter to carry out the edr-action`, hint: `add ${adapter} to the services in ${gateway.file.path}, or name a gateway of \`${spec.customer}\` that runs one` }));
      });
    } else if (allValid(spec.customer) && !docs.gateways.some((gateway) => gateway.place.folder === spec.customer && runsAdapter(gateway))) {
      problems.push(problemAt(file, ['spec', 'customer'], { code: 'RESPONSE_NO_EDR_ADAPTER', message: `no gateway of customer \`${spec.customer}\` runs an EDR adapter to carry out the edr-action`, hint: `add ${adapter} to the services of one of \`${spec.customer}\`'s gateways` }));
    }
  }
  return problems;
}
