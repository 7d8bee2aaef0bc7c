// Policies that validate but could never work: more approvals required than approvers
// listed, and expiry times that are not RFC 3339 (and so would never expire).
import { describe, expect, it } from 'vitest';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { formatProblem } from '../../../src/model/problems.ts';
import { isRfc3339DateTime } from '../../../src/model/rfc3339.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const GLOBEX = 'customers/globex.yaml';
const ACME = 'customers/acme.yaml';
const BJ = 'gateways/acme/acme-bj-01.yaml';
const BLOCK = 'responses/block-c2-acme-2026-11.yaml';

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const result = await loadFleet({ reader: new MemoryReader({ files }) });
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('requiredApprovals must be reachable', () => {
  it('refuses more required approvals than the logins listed, at requiredApprovals, with a hint', async () => {
    // GIVEN globex lists two logins and no team
    const files = templateFiles();
    edit(files, GLOBEX, 'requiredApprovals: 2', 'requiredApprovals: 5');
    // THEN five approvals can never be given
    expect(await problemsOf(files)).toEqual([
      `${GLOBEX}:9:22: APPROVALS_UNSATISFIABLE: requiredApprovals 5 needs more approvers than the 2 login(s) listed in spec.approvers (list at least 5 distinct logins, name an org/team, or lower requiredApprovals to 2)`,
    ]);
  });

  it('counts logins that differ only in case as one approver', async () => {
    const files = templateFiles();
    edit(files, GLOBEX, 'approvers: [globex-ciso, globex-it-security]', 'approvers: [globex-ciso, Globex-CISO]');
    expect(await problemsOf(files)).toEqual([
      `${GLOBEX}:9:22: APPROVALS_UNSATISFIABLE: requiredApprovals 2 needs more approvers than the 1 login(s) listed in spec.approvers (list at least 2 distinct logins, name an org/team, or lower requiredApprovals to 1)`,
    ]);
  });

  it('accepts as many required approvals as logins', async () => {
    expect(await problemsOf(templateFiles())).toEqual([]);
  });

  it('accepts any count when an org/team is named: its members are counted when they review', async () => {
    const files = templateFiles();
    edit(files, ACME, 'requiredApprovals: 1', 'requiredApprovals: 5');
    expect(await problemsOf(files)).toEqual([]);
  });
});

describe('expires is RFC 3339', () => {
  it.each([
    ['a space instead of T', '2027-01-15 00:00:00Z'],
    ['an offset without its colon', '2027-01-15T00:00:00+0800'],
    ['a leap second, which JavaScript cannot read', '2027-12-31T23:59:60Z'],
    ['no time zone', '2027-01-15T00:00:00'],
    ['a date alone', '2027-01-15'],
    ['a day the month does not have', '2027-02-29T00:00:00Z'],
  ])('refuses %s on a service, at the value, with the RFC 3339 hint', async (_name, value) => {
    const files = templateFiles();
    edit(files, BJ, 'expires: "2027-01-15T00:00:00Z"', `expires: "${value}"`);
    expect(await problemsOf(files)).toEqual([
      `${BJ}:23:16: SCHEMA_FORMAT: spec.services.3.expires: \`${value}\` is not a valid date-time (use RFC 3339, e.g. 2026-12-01T00:00:00Z)`,
    ]);
  });

  it('refuses an offset without its colon on a response', async () => {
    const files = templateFiles();
    edit(files, BLOCK, '"2027-03-01T00:00:00Z"', '"2027-03-01T08:00:00+0800"');
    expect(await problemsOf(files)).toEqual([`${BLOCK}:10:12: SCHEMA_FORMAT: spec.expires: \`2027-03-01T08:00:00+0800\` is not a valid date-time (use RFC 3339, e.g. 2026-12-01T00:00:00Z)`]);
  });

  it.each([
    ['2027-01-15T00:00:00Z', true],
    ['2027-01-15t00:00:00z', true],
    ['2027-01-15T08:00:00.123456+08:00', true],
    ['2028-02-29T00:00:00-05:30', true],
    ['2027-01-15T24:00:00Z', false],
    ['2027-13-01T00:00:00Z', false],
    ['2027-01-15T00:00:00+24:00', false],
  ])('reads %s as RFC 3339: %s', (value, want) => {
    expect(isRfc3339DateTime(value)).toBe(want);
  });
});
