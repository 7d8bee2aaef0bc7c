// Data authorisation: a gateway (or a scan) whose service would collect or report a category
// of site data its customer has not allowed is refused at the service's entry, word for word.
import { describe, expect, it } from 'vitest';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { formatProblem } from '../../../src/model/problems.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const ACME = 'customers/acme.yaml';
const GLOBEX = 'customers/globex.yaml';
const SH01 = 'gateways/acme/acme-sh-01.yaml';
const AMS01 = 'gateways/globex/globex-ams-01.yaml';
const SCAN = 'responses/scan-globex-fra-01.yaml';
const ACME_REPORTS = 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]';
const GLOBEX_COLLECTS = 'allow: [alerts, raw-logs, flow-logs, packet-captures, asset-inventory, vulnerability-findings]\n  dataReporting:';

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const result = await loadFleet({ reader: new MemoryReader({ files }) });
  return result.ok ? [] : result.problems.map(formatProblem);
}

/** A log-collector 2.5.0 that also ships raw logs to the SOC. */
function withRawLogShipper(files: Record<string, string>): void {
  files['catalog/log-collector/2.5.0.yaml'] = files['catalog/log-collector/2.4.0.yaml']!
    .replace('version: 2.4.0', 'version: 2.5.0')
    .replace('reports: [alerts, security-events]', 'reports: [alerts, security-events, raw-logs]');
}

describe('a customer decides what its gateways may collect and report', () => {
  it('accepts the template: every service collects and reports only what its customer allows', async () => {
    expect(await problemsOf(templateFiles())).toEqual([]);
  });

  it('refuses an upgrade to a version that reports a category the customer does not allow, at the gateway entry, naming what to do', async () => {
    // GIVEN acme allows raw logs to be collected at the site but not to leave it
    const files = templateFiles();
    withRawLogShipper(files);
    // WHEN acme-sh-01 moves to the version that reports raw logs
    edit(files, SH01, 'version: 2.4.0', 'version: 2.5.0');
    // THEN the gateway file is refused at the version, and the hint names both ways out
    expect(await problemsOf(files)).toEqual([
      `${SH01}:14:16: DATA_REPORTING_NOT_ALLOWED: \`log-collector\` 2.5.0 reports raw-logs to the SOC, which customer \`acme\` does not allow to be reported (allowed: alerts, asset-inventory, security-events, vulnerability-findings) (add raw-logs to spec.dataReporting.allow in ${ACME}, which needs \`acme\`'s approval, or run a version of \`log-collector\` the customer's policy allows (2.3.0, 2.4.0))`,
    ]);
  });

  it('accepts the same upgrade once the customer allows the category', async () => {
    const files = templateFiles();
    withRawLogShipper(files);
    edit(files, SH01, 'version: 2.4.0', 'version: 2.5.0');
    edit(files, ACME, ACME_REPORTS, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, raw-logs]');
    expect(await problemsOf(files)).toEqual([]);
  });

  it('refuses every gateway of a customer that withdraws a category its services collect, each at its own entry', async () => {
    // GIVEN globex withdraws asset-inventory from what may be collected
    const files = templateFiles();
    edit(files, GLOBEX, GLOBEX_COLLECTS, 'allow: [alerts, raw-logs, flow-logs, packet-captures, vulnerability-findings]\n  dataReporting:');
    // THEN globex-ams-01's asset discovery is refused; no published version fits, so the hint says to remove it
    expect(await problemsOf(files)).toEqual([
      `${AMS01}:17:16: DATA_COLLECTION_NOT_ALLOWED: \`asset-discovery\` 1.0.0 collects asset-inventory, which customer \`globex\` does not allow to be collected (allowed: alerts, flow-logs, packet-captures, raw-logs, vulnerability-findings) (add asset-inventory to spec.dataCollection.allow in ${GLOBEX}, which needs \`globex\`'s approval, or remove \`asset-discovery\` from this gateway)`,
    ]);
  });

  it('allows nothing to a customer that declares no policy: both directions are refused', async () => {
    const files = templateFiles();
    edit(files, GLOBEX, GLOBEX_COLLECTS, 'allow: [alerts, raw-logs, flow-logs, packet-captures, vulnerability-findings]\n  dataReporting:');
    files[GLOBEX] = files[GLOBEX]!.replace(/ {2}dataCollection:[\s\S]*$/, '');
    const problems = await problemsOf(files);
    const ams01 = problems.filter((p) => p.startsWith(`${AMS01}:17:16:`));
    expect(ams01.map((p) => p.split(': ')[1])).toEqual(['DATA_COLLECTION_NOT_ALLOWED', 'DATA_REPORTING_NOT_ALLOWED']);
    expect(ams01[0]).toContain('(allowed: nothing)');
    // every globex gateway runs services that handle site data, and each is named
    expect(new Set(problems.map((p) => p.split(':')[0]))).toEqual(new Set(['gateways/globex/globex-ams-01.yaml', 'gateways/globex/globex-fra-01.yaml', 'gateways/globex/globex-fra-02.yaml', SCAN]));
  });

  it('refuses a vuln-scan response whose scanner reports what the customer does not allow, at the response', async () => {
    const files = templateFiles();
    edit(files, GLOBEX, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]', 'allow: [alerts, security-events, asset-inventory, system-metrics]');
    expect(await problemsOf(files)).toEqual([
      `${SCAN}:13:14: DATA_REPORTING_NOT_ALLOWED: \`vuln-scanner\` 2.0.0 reports vulnerability-findings to the SOC, which customer \`globex\` does not allow to be reported (allowed: alerts, asset-inventory, security-events, system-metrics) (add vulnerability-findings to spec.dataReporting.allow in ${GLOBEX}, which needs \`globex\`'s approval, or scan with a service that does not report them)`,
    ]);
  });

  it('accepts a service version that declares no data handling under a customer that allows nothing', async () => {
    const files = templateFiles();
    files[GLOBEX] = files[GLOBEX]!.replace(/ {2}dataCollection:[\s\S]*$/, '');
    for (const path of Object.keys(files).filter((p) => p.startsWith('catalog/'))) files[path] = files[path]!.replace(/\n {2}data: .*\n$/, '\n');
    expect(await problemsOf(files)).toEqual([]);
  });

  it('refuses a category outside the closed set, in the catalog and in the customer file', async () => {
    const files = templateFiles();
    edit(files, 'catalog/ids/1.0.0.yaml', 'collects: [packet-captures]', 'collects: [packet-capture]');
    edit(files, ACME, ACME_REPORTS, 'allow: [alerts, everything]');
    const problems = await problemsOf(files);
    expect(problems.map((p) => p.split(': ')[1])).toEqual(['SCHEMA_ENUM', 'SCHEMA_ENUM']);
    expect(problems[0]).toMatch(/^catalog\/ids\/1\.0\.0\.yaml:\d+:\d+: SCHEMA_ENUM: .*did you mean `packet-captures`/);
    expect(problems[1]).toMatch(/^customers\/acme\.yaml:\d+:\d+: SCHEMA_ENUM: /);
  });
});
