// Every rule of the fleet-repo contract: one broken thing per case, with the exact
// problem code, file and line the user is sent to.
import { describe, expect, it } from 'vitest';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { formatProblem, type Problem } from '../../../src/model/problems.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const GW = 'gateways/acme/acme-sh-02.yaml';
const IDS = 'catalog/ids/1.0.0.yaml';
const BLOCK = 'responses/block-c2-acme-2026-11.yaml';
const SCAN = 'responses/scan-globex-fra-01.yaml';
const EDR = 'responses/isolate-acme-ws-0042.yaml';
const BJ01_ADAPTER = '    - name: edr-adapter\n      version: 1.4.0\n      config: { vendor: defender, consoleUrl: "https://edr.acme.example.com" }\n';

interface Case {
  readonly name: string;
  readonly breakIt: (files: Record<string, string>) => void;
  readonly want: Pick<Problem, 'code' | 'file' | 'line'> & { col?: number; hint?: RegExp };
}

const cases: Case[] = [
  // schema
  { name: 'a required field is missing (reported at its parent)', breakIt: (f) => edit(f, GW, '  node: acme-sh-02\n', ''), want: { code: 'SCHEMA_REQUIRED', file: GW, line: 7, col: 3 } },
  { name: 'an unknown field, with a did-you-mean', breakIt: (f) => edit(f, GW, '  mode: hardware', '  mdoe: hardware'), want: { code: 'SCHEMA_UNKNOWN_FIELD', file: GW, line: 8, col: 3, hint: /did you mean `mode`/ } },
  { name: 'a value outside its enum', breakIt: (f) => edit(f, GW, 'mode: hardware', 'mode: hardwre'), want: { code: 'SCHEMA_ENUM', file: GW, line: 8, col: 9, hint: /did you mean `hardware`/ } },
  { name: 'a wrong type, with a hint to quote numbers', breakIt: (f) => edit(f, 'customers/acme.yaml', 'displayName: ACME Bank', 'displayName: 1.5'), want: { code: 'SCHEMA_TYPE', file: 'customers/acme.yaml', line: 6, hint: /quote the value/ } },
  { name: 'a wrong apiVersion', breakIt: (f) => edit(f, GW, 'apiVersion: essg.io/v1', 'apiVersion: essg.io/v2'), want: { code: 'SCHEMA_CONST', file: GW, line: 1, col: 13 } },
  { name: 'a name that is not a DNS label', breakIt: (f) => edit(f, 'customers/acme.yaml', 'approvers: [acme-secops-lead', 'approvers: [-bad-login'), want: { code: 'SCHEMA_PATTERN', file: 'customers/acme.yaml', line: 7 } },
  { name: 'a number out of range', breakIt: (f) => edit(f, 'customers/acme.yaml', 'requiredApprovals: 1', 'requiredApprovals: 0'), want: { code: 'SCHEMA_RANGE', file: 'customers/acme.yaml', line: 8 } },
  { name: 'a malformed expiry time', breakIt: (f) => edit(f, BLOCK, '"2027-03-01T00:00:00Z"', '"next tuesday"'), want: { code: 'SCHEMA_FORMAT', file: BLOCK, line: 10, hint: /RFC 3339/ } },
  { name: 'a cronjob service without a schedule', breakIt: (f) => edit(f, 'catalog/asset-discovery/1.0.0.yaml', '  schedule: "30 1 * * *"\n', ''), want: { code: 'SCHEMA_REQUIRED', file: 'catalog/asset-discovery/1.0.0.yaml', line: 6 } },
  { name: 'an ip-block response without its addresses', breakIt: (f) => edit(f, BLOCK, '  ipBlock:\n    cidrs: [203.0.113.0/24, 198.51.100.23, "2001:db8:bad::/48"]\n    direction: both\n', ''), want: { code: 'SCHEMA_REQUIRED', file: BLOCK, line: 6 } },
  { name: 'an image with a floating tag', breakIt: (f) => edit(f, IDS, /image: .*/.exec(f[IDS]!)![0], 'image: registry.example.com/essg/ids:1.0.0'), want: { code: 'IMAGE_NOT_PINNED', file: IDS, line: 10, col: 10, hint: /sha256/ } },
  { name: 'an image with neither tag nor digest', breakIt: (f) => edit(f, IDS, /image: .*/.exec(f[IDS]!)![0], 'image: registry.example.com/essg/ids'), want: { code: 'IMAGE_NOT_PINNED', file: IDS, line: 10, col: 10, hint: /sha256/ } },
  { name: 'an image with a truncated digest', breakIt: (f) => edit(f, IDS, /image: .*/.exec(f[IDS]!)![0], 'image: registry.example.com/essg/ids@sha256:499233a6'), want: { code: 'IMAGE_NOT_PINNED', file: IDS, line: 10, col: 10, hint: /sha256/ } },
  // layout and names
  { name: 'a kind in the wrong folder', breakIt: (f) => edit(f, GW, 'kind: Gateway', 'kind: Customer'), want: { code: 'KIND_MISMATCH', file: GW, line: 2, col: 7 } },
  { name: 'a name that does not match the file', breakIt: (f) => edit(f, GW, 'name: acme-sh-02', 'name: acme-sh-99'), want: { code: 'NAME_MISMATCH', file: GW, line: 4, col: 9 } },
  { name: 'a catalog version that does not match its file name', breakIt: (f) => edit(f, IDS, 'version: 1.0.0', 'version: 1.0.1'), want: { code: 'VERSION_MISMATCH', file: IDS, line: 6 } },
  { name: 'a service name that does not match its catalog folder', breakIt: (f) => edit(f, IDS, 'name: ids', 'name: ips'), want: { code: 'NAME_MISMATCH', file: IDS, line: 4 } },
  { name: 'no fleet.yaml', breakIt: (f) => delete f['fleet.yaml'], want: { code: 'MISSING_FLEET', file: 'fleet.yaml', line: 1 } },
  { name: 'a .yml file', breakIt: (f) => (f['customers/initech.yml'] = f['customers/acme.yaml']!), want: { code: 'UNEXPECTED_FILE', file: 'customers/initech.yml', line: 1, hint: /\.yaml/ } },
  { name: 'a YAML file outside the layout', breakIt: (f) => (f['gateways/stray.yaml'] = f[GW]!), want: { code: 'UNEXPECTED_FILE', file: 'gateways/stray.yaml', line: 1 } },
  // references
  { name: 'a gateway folder without a customer', breakIt: (f) => delete f['customers/globex.yaml'], want: { code: 'UNKNOWN_CUSTOMER', file: 'gateways/globex/globex-ams-01.yaml', line: 1 } },
  { name: 'a service missing from the catalog, with a did-you-mean', breakIt: (f) => edit(f, GW, '- name: ids', '- name: idss'), want: { code: 'UNKNOWN_SERVICE', file: GW, line: 10, col: 13, hint: /did you mean `ids`/ } },
  { name: 'a version not published', breakIt: (f) => edit(f, GW, 'version: 1.0.0', 'version: 1.2.0'), want: { code: 'UNKNOWN_VERSION', file: GW, line: 11, hint: /published: 1\.0\.0, 1\.1\.0/ } },
  { name: 'a config that breaks the version configSchema', breakIt: (f) => edit(f, GW, 'config: { homeNet: [10.21.0.0/16] }', 'config: { homeNet: [10.21.0.0/16], ruleSet: [ics] }'), want: { code: 'CONFIG_INVALID', file: GW, line: 12, hint: /did you mean `ruleSets`/ } },
  { name: 'a missing config when the schema requires fields', breakIt: (f) => edit(f, GW, '      config: { homeNet: [10.21.0.0/16] }\n', ''), want: { code: 'CONFIG_INVALID', file: GW, line: 10 } },
  { name: 'a configSchema that is not a JSON Schema', breakIt: (f) => edit(f, 'catalog/firewall/3.0.0.yaml', 'defaultPolicy: { enum: [accept, drop] }', 'defaultPolicy: { type: lots }'), want: { code: 'CONFIG_SCHEMA_INVALID', file: 'catalog/firewall/3.0.0.yaml', line: 24 } },
  { name: 'a response for an unknown customer', breakIt: (f) => edit(f, BLOCK, 'customer: acme', 'customer: acmee'), want: { code: 'UNKNOWN_CUSTOMER', file: BLOCK, line: 7, hint: /did you mean `acme`/ } },
  { name: 'a response naming an unknown gateway', breakIt: (f) => edit(f, SCAN, 'gateways: [globex-fra-01]', 'gateways: [globex-fra-09]'), want: { code: 'UNKNOWN_GATEWAY', file: SCAN, line: 8 } },
  { name: "a response naming another customer's gateway", breakIt: (f) => edit(f, SCAN, 'gateways: [globex-fra-01]', 'gateways: [acme-sh-01]'), want: { code: 'RESPONSE_WRONG_CUSTOMER', file: SCAN, line: 8 } },
  { name: 'a scan run by a daemon service', breakIt: (f) => edit(f, SCAN, 'service: vuln-scanner\n    version: 2.0.0', 'service: ids\n    version: 1.0.0'), want: { code: 'RESPONSE_SERVICE_NOT_JOB', file: SCAN, line: 12 } },
  { name: 'an edr-action without its command', breakIt: (f) => edit(f, EDR, '    command: isolate-host\n', ''), want: { code: 'SCHEMA_REQUIRED', file: EDR, line: 14 } },
  { name: 'an edr-action endpoint that is neither a host name nor an address', breakIt: (f) => edit(f, EDR, 'ws-0042.corp.acme.example', '"ws 0042"'), want: { code: 'INVALID_ENDPOINT', file: EDR, line: 15, hint: /host name/ } },
  { name: 'an edr-action for a gateway that runs no EDR adapter', breakIt: (f) => edit(f, EDR, 'gateways: [acme-bj-01]', 'gateways: [acme-bj-01, acme-sh-01]'), want: { code: 'RESPONSE_NO_EDR_ADAPTER', file: EDR, line: 8, col: 26, hint: /add an EDR adapter \(edr-adapter\) to the services in gateways\/acme\/acme-sh-01\.yaml/ } },
  { name: 'an edr-action for a customer none of whose gateways runs an EDR adapter', breakIt: (f) => { edit(f, 'gateways/acme/acme-bj-01.yaml', BJ01_ADAPTER, ''); edit(f, EDR, '  gateways: [acme-bj-01]\n', ''); }, want: { code: 'RESPONSE_NO_EDR_ADAPTER', file: EDR, line: 7, col: 13 } },
  { name: 'an address that is not an IP or CIDR', breakIt: (f) => edit(f, BLOCK, '198.51.100.23', '198.51.100.300'), want: { code: 'INVALID_CIDR', file: BLOCK, line: 12 } },
  // uniqueness
  { name: 'two gateways on one edge node', breakIt: (f) => edit(f, GW, 'node: acme-sh-02', 'node: acme-sh-01'), want: { code: 'DUPLICATE_NODE', file: GW, line: 7, col: 9 } },
  { name: 'one gateway name under two customers', breakIt: (f) => (f['gateways/globex/acme-sh-02.yaml'] = f[GW]!.replace('node: acme-sh-02', 'node: globex-x')), want: { code: 'DUPLICATE_GATEWAY', file: 'gateways/globex/acme-sh-02.yaml', line: 4 } },
  { name: 'a service listed twice on a gateway', breakIt: (f) => edit(f, GW, '    - name: firewall', '    - name: ids\n      version: 1.1.0\n      config: { homeNet: [10.0.0.0/8] }\n    - name: firewall'), want: { code: 'DUPLICATE_SERVICE', file: GW, line: 16 } },
  { name: 'two services on one host port', breakIt: (f) => edit(f, 'catalog/firewall/3.0.0.yaml', 'containerPort: 9300, hostPort: 9300', 'containerPort: 9100, hostPort: 9100'), want: { code: 'HOST_PORT_CONFLICT', file: GW, line: 16 } },
];

describe('fleet-repo rules', () => {
  it('accepts the template fleet', async () => {
    const result = await loadFleet({ reader: new MemoryReader({ files: templateFiles() }) });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it.each(cases)('reports $want.code for $name', async ({ breakIt, want }) => {
    const files = templateFiles();
    breakIt(files);
    const result = await loadFleet({ reader: new MemoryReader({ files }) });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const match = problems.find((p) => p.code === want.code && p.file === want.file);
    expect(match, `got:\n${problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.code}: ${p.message}`).join('\n')}`).toBeDefined();
    expect(match!.line).toBe(want.line);
    if (want.col !== undefined) expect(match!.col).toBe(want.col);
    if (want.hint) expect(match!.hint).toMatch(want.hint);
  });
});

describe('images are pinned by digest', () => {
  it.each([
    ['registry.example.com/essg/ids', 'neither tag nor digest'],
    ['registry.example.com/essg/ids:latest', 'a floating tag'],
    ['registry.example.com:5000/essg/ids', 'a registry port but neither tag nor digest'],
  ])('refuses %s (%s) at FILE:LINE:COL of the image', async (image) => {
    const files = templateFiles();
    edit(files, IDS, /image: .*/.exec(files[IDS]!)![0], `image: ${image}`);
    const result = await loadFleet({ reader: new MemoryReader({ files }) });
    expect(result.ok).toBe(false);
    const lines = (result.ok ? [] : result.problems).filter((p) => p.file === IDS).map(formatProblem);
    expect(lines).toEqual([
      `${IDS}:10:10: IMAGE_NOT_PINNED: spec.image: image \`${image}\` is not pinned by digest (use repository@sha256:<64 hex digits>; floating tags can change under a running fleet)`,
    ]);
  });
});

const FW = 'catalog/firewall/3.0.0.yaml';
const ids = (version: string) => (f: Record<string, string>) => (f[`catalog/ids/${version}.yaml`] = f['catalog/ids/1.1.0.yaml']!.replace('version: 1.1.0', `version: ${version}`));
const gatewaysWithFirewall = ['gateways/acme/acme-sh-01.yaml', GW, 'gateways/globex/globex-fra-01.yaml', 'gateways/globex/globex-fra-02.yaml'];

describe('fleet-repo rules, word for word: every problem a broken repo gets', () => {
  const cases: { name: string; breakIt: (files: Record<string, string>) => void; want: string[] }[] = [
    {
      name: 'names that do not match their paths',
      breakIt: (f) => {
        edit(f, GW, 'name: acme-sh-02', 'name: acme-sh-99');
        edit(f, IDS, 'name: ids', 'name: ips');
        edit(f, IDS, 'version: 1.0.0', 'version: 1.0.1');
      },
      want: [
        `${IDS}:4:9: NAME_MISMATCH: metadata.name \`ips\` does not match its folder catalog/ids/ (name it \`ids\` or move the file)`,
        `${IDS}:6:12: VERSION_MISMATCH: spec.version \`1.0.1\` does not match the file name 1.0.0.yaml (publish it as catalog/ids/1.0.1.yaml)`,
        `${GW}:4:9: NAME_MISMATCH: metadata.name \`acme-sh-99\` does not match its file name (name it \`acme-sh-02\` or move the file)`,
      ],
    },
    {
      name: 'a customer folder without its customer file, named at the top of each file that needs it',
      breakIt: (f) => delete f['customers/globex.yaml'],
      want: [
        ...['globex-ams-01', 'globex-fra-01', 'globex-fra-02'].map((g) => `gateways/globex/${g}.yaml:1:1: UNKNOWN_CUSTOMER: customer \`globex\` (the folder gateways/globex/) has no customers/globex.yaml`),
        `${SCAN}:7:13: UNKNOWN_CUSTOMER: customer \`globex\` has no customers/globex.yaml`,
      ],
    },
    {
      name: 'one gateway name under two customers',
      breakIt: (f) => (f['gateways/globex/acme-sh-02.yaml'] = f[GW]!.replace('node: acme-sh-02', 'node: globex-x')),
      want: ['gateways/globex/acme-sh-02.yaml:4:9: DUPLICATE_GATEWAY: gateway `acme-sh-02` is also declared in gateways/acme/acme-sh-02.yaml (gateway names are unique across the fleet)'],
    },
    {
      name: 'two gateways on one edge node',
      breakIt: (f) => edit(f, GW, 'node: acme-sh-02', 'node: acme-sh-01'),
      want: [`${GW}:7:9: DUPLICATE_NODE: edge node \`acme-sh-01\` is already the gateway of gateways/acme/acme-sh-01.yaml (one gateway per edge node)`],
    },
    {
      name: 'a service listed twice on a gateway',
      breakIt: (f) => edit(f, GW, '    - name: firewall', '    - name: ids\n      version: 1.1.0\n      config: { homeNet: [10.0.0.0/8] }\n    - name: firewall'),
      want: [`${GW}:16:13: DUPLICATE_SERVICE: service \`ids\` is already listed at spec.services[0] (one entry per service per gateway)`],
    },
    {
      name: 'a service missing from the catalog',
      breakIt: (f) => edit(f, GW, '- name: ids', '- name: idss'),
      want: [`${GW}:10:13: UNKNOWN_SERVICE: service \`idss\` is not in the catalog (did you mean \`ids\`?)`],
    },
    {
      name: 'a version not published, listing the published ones in version order',
      breakIt: (f) => {
        ids('1.10.0')(f);
        ids('1.9.0')(f);
        edit(f, GW, 'version: 1.0.0', 'version: 1.2.0');
      },
      want: [`${GW}:11:16: UNKNOWN_VERSION: \`ids\` 1.2.0 is not published in the catalog (published: 1.0.0, 1.1.0, 1.9.0, 1.10.0)`],
    },
    {
      name: 'a host port taken through host networking, without a hostPort',
      breakIt: (f) => edit(f, FW, 'containerPort: 9300, hostPort: 9300', 'containerPort: 9100'),
      want: gatewaysWithFirewall.map((g) => `${g}:16:13: HOST_PORT_CONFLICT: \`firewall\` needs host port TCP/9100, already held by \`ids\` on this gateway`),
    },
    {
      name: 'a hostPort other than the container port',
      breakIt: (f) => edit(f, FW, 'containerPort: 9300, hostPort: 9300', 'containerPort: 9301, hostPort: 9100'),
      want: gatewaysWithFirewall.map((g) => `${g}:16:13: HOST_PORT_CONFLICT: \`firewall\` needs host port TCP/9100, already held by \`ids\` on this gateway`),
    },
    {
      name: 'a host port named TCP explicitly is the same as the default',
      breakIt: (f) => edit(f, FW, 'containerPort: 9300, hostPort: 9300', 'containerPort: 9100, hostPort: 9100, protocol: TCP'),
      want: gatewaysWithFirewall.map((g) => `${g}:16:13: HOST_PORT_CONFLICT: \`firewall\` needs host port TCP/9100, already held by \`ids\` on this gateway`),
    },
    {
      name: 'the same port number over UDP is no conflict',
      breakIt: (f) => edit(f, FW, 'containerPort: 9300, hostPort: 9300', 'containerPort: 9100, hostPort: 9100, protocol: UDP'),
      want: [],
    },
    {
      name: 'a config that breaks the version configSchema',
      breakIt: (f) => edit(f, GW, 'config: { homeNet: [10.21.0.0/16] }', 'config: { homeNet: [10.21.0.0/16], ruleSet: [ics] }'),
      want: [`${GW}:12:42: CONFIG_INVALID: config of ids 1.0.0: unknown field \`ruleSet\` (did you mean \`ruleSets\`?)`],
    },
    {
      name: 'a missing config, reported at its service',
      breakIt: (f) => edit(f, GW, '      config: { homeNet: [10.21.0.0/16] }\n', ''),
      want: [`${GW}:10:7: CONFIG_INVALID: config of ids 1.0.0: missing required field \`homeNet\``],
    },
    {
      name: 'a configSchema that breaks the JSON Schema meta-schema (and its gateways are not checked against it)',
      breakIt: (f) => edit(f, FW, 'defaultPolicy: { enum: [accept, drop] }', 'defaultPolicy: { type: lots }'),
      want: [
        `${FW}:24:30: CONFIG_SCHEMA_INVALID: configSchema properties.defaultPolicy.type: \`lots\` is not one of array, boolean, integer, null, number, object, string`,
        `${FW}:24:30: CONFIG_SCHEMA_INVALID: configSchema properties.defaultPolicy.type: must be array, not string \`lots\``,
      ],
    },
    {
      name: 'a configSchema that cannot be compiled',
      breakIt: (f) => edit(f, FW, 'defaultPolicy: { enum: [accept, drop] }', 'defaultPolicy: { $ref: "#/$defs/missing" }'),
      want: [`${FW}:21:5: CONFIG_SCHEMA_INVALID: configSchema is not a usable JSON Schema: can't resolve reference #/$defs/missing from id #`],
    },
    {
      name: 'a configSchema that sets $id',
      breakIt: (f) => edit(f, FW, '  configSchema:\n', '  configSchema:\n    $id: https://example.com/fw\n'),
      want: [`${FW}:21:5: CONFIG_SCHEMA_INVALID: configSchema is not a usable JSON Schema: configSchema must not set $id`],
    },
    {
      name: 'a response for an unknown customer',
      breakIt: (f) => edit(f, BLOCK, 'customer: acme', 'customer: acmee'),
      want: [`${BLOCK}:7:13: UNKNOWN_CUSTOMER: customer \`acmee\` has no customers/acmee.yaml (did you mean \`acme\`?)`],
    },
    {
      name: 'a response naming an unknown gateway',
      breakIt: (f) => edit(f, SCAN, 'gateways: [globex-fra-01]', 'gateways: [globex-fra-09]'),
      want: [`${SCAN}:8:14: UNKNOWN_GATEWAY: gateway \`globex-fra-09\` is not declared (did you mean \`globex-fra-01\`?)`],
    },
    {
      name: "a response naming another customer's gateway",
      breakIt: (f) => edit(f, SCAN, 'gateways: [globex-fra-01]', 'gateways: [acme-sh-01]'),
      want: [`${SCAN}:8:14: RESPONSE_WRONG_CUSTOMER: gateway \`acme-sh-01\` belongs to customer \`acme\`, not \`globex\``],
    },
    {
      name: 'a scan run by a daemon service',
      breakIt: (f) => edit(f, SCAN, 'service: vuln-scanner\n    version: 2.0.0', 'service: ids\n    version: 1.0.0'),
      want: [`${SCAN}:12:14: RESPONSE_SERVICE_NOT_JOB: \`ids\` 1.0.0 is a daemon service; a scan runs a job service`],
    },
    {
      name: 'a scan by a service missing from the catalog',
      breakIt: (f) => edit(f, SCAN, 'service: vuln-scanner', 'service: vuln-scaner'),
      want: [`${SCAN}:12:14: UNKNOWN_SERVICE: service \`vuln-scaner\` is not in the catalog (did you mean \`vuln-scanner\`?)`],
    },
    {
      name: 'a scan by a version not published',
      breakIt: (f) => edit(f, SCAN, 'version: 2.0.0', 'version: 2.1.0'),
      want: [`${SCAN}:13:14: UNKNOWN_VERSION: \`vuln-scanner\` 2.1.0 is not published in the catalog (published: 2.0.0)`],
    },
    {
      name: 'a scan by a version not published, listing the published ones in version order',
      breakIt: (f) => {
        for (const v of ['2.10.0', '2.9.0']) f[`catalog/vuln-scanner/${v}.yaml`] = f['catalog/vuln-scanner/2.0.0.yaml']!.replace('version: 2.0.0', `version: ${v}`);
        edit(f, SCAN, 'version: 2.0.0', 'version: 2.1.0');
      },
      want: [`${SCAN}:13:14: UNKNOWN_VERSION: \`vuln-scanner\` 2.1.0 is not published in the catalog (published: 2.0.0, 2.9.0, 2.10.0)`],
    },
    {
      name: 'a scan by a catalog version whose own file is invalid: reported there only',
      breakIt: (f) => edit(f, 'catalog/vuln-scanner/2.0.0.yaml', 'workload: job', 'workload: jobb'),
      want: ['catalog/vuln-scanner/2.0.0.yaml:9:13: SCHEMA_ENUM: spec.workload: `jobb` is not one of daemon, job, cronjob (did you mean `job`?)'],
    },
    {
      name: 'a blocked address that is not an IP',
      breakIt: (f) => edit(f, BLOCK, '198.51.100.23', '198.51.100.300'),
      want: [`${BLOCK}:12:29: INVALID_CIDR: \`198.51.100.300\` is not an IP address or CIDR range`],
    },
    {
      name: 'scan targets that are not IPs or CIDR ranges, each at its place',
      breakIt: (f) => edit(f, SCAN, 'targets: [172.16.10.0/24]', 'targets: [172.16.10.0/24, 172.16.10.0/33, /24, 10.0.0.0/0024, 10.0.0.0/abc, "2001:db8::/64", "2001:db8::/129", 10.0.0.0/32, 10.0.0.0/8/1]'),
      want: [
        `${SCAN}:14:31: INVALID_CIDR: \`172.16.10.0/33\` is not an IP address or CIDR range`,
        `${SCAN}:14:47: INVALID_CIDR: \`/24\` is not an IP address or CIDR range`,
        `${SCAN}:14:52: INVALID_CIDR: \`10.0.0.0/0024\` is not an IP address or CIDR range`,
        `${SCAN}:14:67: INVALID_CIDR: \`10.0.0.0/abc\` is not an IP address or CIDR range`,
        `${SCAN}:14:98: INVALID_CIDR: \`2001:db8::/129\` is not an IP address or CIDR range`,
        `${SCAN}:14:129: INVALID_CIDR: \`10.0.0.0/8/1\` is not an IP address or CIDR range`,
      ],
    },
  ];

  it.each(cases)('$name', async ({ breakIt, want }) => {
    const files = templateFiles();
    breakIt(files);
    const result = await loadFleet({ reader: new MemoryReader({ files }) });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(want);
  });
});
