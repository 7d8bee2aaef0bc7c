// The customer's data authorisation: what its gateways may collect at the site and what they
// may report to the SOC. Each catalog version declares both, by category; a gateway (or a
// vuln-scan response) whose service would collect or report a category its customer has not
// allowed is refused at the service's entry, so nothing of that commit is applied. The
// customer's lists are also what the service enforces at the edge (render: data-policy.json).
import semver from 'semver';
import type { Problem } from './problems.ts';
import type { ValidDoc, ValidDocs } from './references.ts';
import type { Customer, DataCategory, ServiceVersion } from './types.generated.ts';
import type { ParsedFile } from './yaml-source.ts';

/** What a customer allows, each list sorted; a list the customer file does not declare allows nothing. */
export interface DataPolicy {
  readonly collect: readonly DataCategory[];
  readonly report: readonly DataCategory[];
}

/** What one catalog version declares it collects and reports, each list sorted. */
export interface DataHandling {
  readonly collects: readonly DataCategory[];
  readonly reports: readonly DataCategory[];
}

const sorted = (list: readonly DataCategory[] | undefined): DataCategory[] => [...new Set(list ?? [])].sort();

export function customerDataPolicy(customer: Customer): DataPolicy {
  return { collect: sorted(customer.spec.dataCollection?.allow), report: sorted(customer.spec.dataReporting?.allow) };
}

export function serviceDataHandling(spec: ServiceVersion['spec']): DataHandling {
  return { collects: sorted(spec.data?.collects), reports: sorted(spec.data?.reports) };
}

/** True when the version collects or reports anything: only such a service is given the customer's policy. */
export function handlesData(spec: ServiceVersion['spec']): boolean {
  return (spec.data?.collects?.length ?? 0) > 0 || (spec.data?.reports?.length ?? 0) > 0;
}

/** The categories the version handles that the policy does not allow, per direction. */
export function disallowed(handling: DataHandling, policy: DataPolicy): { readonly collects: DataCategory[]; readonly reports: DataCategory[] } {
  return {
    collects: handling.collects.filter((category) => !policy.collect.includes(category)),
    reports: handling.reports.filter((category) => !policy.report.includes(category)),
  };
}

interface Use {
  readonly kind: 'gateway' | 'response';
  readonly file: ParsedFile;
  /** Where the version is chosen: the problem points there. */
  readonly at: readonly (string | number)[];
  readonly customer: string;
  readonly service: string;
  readonly version: string;
}

export function checkDataAuthorisation(docs: ValidDocs): Problem[] {
  const customers = new Map(docs.customers.map((c) => [c.place.name, c]));
  const catalog = new Map<string, Map<string, ValidDoc<ServiceVersion>>>();
  for (const entry of docs.catalog) {
    const versions = catalog.get(entry.place.folder!) ?? new Map<string, ValidDoc<ServiceVersion>>();
    versions.set(entry.place.name, entry);
    catalog.set(entry.place.folder!, versions);
  }
  const uses: Use[] = [];
  for (const { place, file, doc } of docs.gateways) {
    const seen = new Set<string>();
    doc.spec.services.forEach((service, index) => {
      // A second entry of the same service is reported as a duplicate, not judged again.
      if (seen.has(service.name)) return;
      seen.add(service.name);
      uses.push({ kind: 'gateway', file, at: ['spec', 'services', index, 'version'], customer: place.folder!, service: service.name, version: service.version });
    });
  }
  for (const { file, doc } of docs.responses) {
    const scan = doc.spec.vulnScan;
    if (scan) uses.push({ kind: 'response', file, at: ['spec', 'vulnScan', 'version'], customer: doc.spec.customer, service: scan.service, version: scan.version });
  }
  const problems: Problem[] = [];
  for (const use of uses) {
    const customer = customers.get(use.customer);
    const version = catalog.get(use.service)?.get(use.version);
    // An unknown customer, service or version is reported by the reference rules.
    if (!customer || !version) continue;
    const policy = customerDataPolicy(customer.doc);
    const missing = disallowed(serviceDataHandling(version.doc.spec), policy);
    if (missing.collects.length === 0 && missing.reports.length === 0) continue;
    const pos = use.file.locate(use.at);
    const hint = hintFor({ use, customerFile: customer.file.path, missing, versions: catalog.get(use.service)!, policy });
    if (missing.collects.length > 0) {
      problems.push({
        file: use.file.path, line: pos.line, col: pos.col, code: 'DATA_COLLECTION_NOT_ALLOWED',
        message: `\`${use.service}\` ${use.version} collects ${missing.collects.join(', ')}, which customer \`${use.customer}\` does not allow to be collected (allowed: ${listed(policy.collect)})`,
        hint: hint('collects', 'spec.dataCollection.allow'),
      });
    }
    if (missing.reports.length > 0) {
      problems.push({
        file: use.file.path, line: pos.line, col: pos.col, code: 'DATA_REPORTING_NOT_ALLOWED',
        message: `\`${use.service}\` ${use.version} reports ${missing.reports.join(', ')} to the SOC, which customer \`${use.customer}\` does not allow to be reported (allowed: ${listed(policy.report)})`,
        hint: hint('reports', 'spec.dataReporting.allow'),
      });
    }
  }
  return problems;
}

const listed = (list: readonly string[]): string => (list.length > 0 ? list.join(', ') : 'nothing');

function hintFor({ use, customerFile, missing, versions, policy }: {
  readonly use: Use;
  readonly customerFile: string;
  readonly missing: { readonly collects: readonly DataCategory[]; readonly reports: readonly DataCategory[] };
  readonly versions: ReadonlyMap<string, ValidDoc<ServiceVersion>>;
  readonly policy: DataPolicy;
}): (direction: 'collects' | 'reports', field: string) => string {
  const fitting = [...versions.values()]
    .filter((v) => {
      const left = disallowed(serviceDataHandling(v.doc.spec), policy);
      return left.collects.length === 0 && left.reports.length === 0;
    })
    .map((v) => v.place.name)
    .sort(semver.compare);
  const verb = use.kind === 'gateway' ? 'run' : 'scan with';
  return (direction, field) => {
    const other = fitting.length > 0
      ? `${verb} a version of \`${use.service}\` the customer's policy allows (${fitting.join(', ')})`
      : use.kind === 'gateway' ? `remove \`${use.service}\` from this gateway` : `scan with a service that does not ${direction === 'collects' ? 'collect' : 'report'} them`;
    return `add ${missing[direction].join(', ')} to ${field} in ${customerFile}, which needs \`${use.customer}\`'s approval, or ${other}`;
  };
}
