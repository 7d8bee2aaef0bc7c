// The approval gate end to end: commits pushed to a real Git server, GitHub's answers
// scripted in the GitHub fake, passes run by the reconciler as `essg reconcile --approvals
// github` builds it and applied to the test bed's cluster. Each test gets a fleet of its
// own, on the template commit (trusted), so a change held in one test never holds another.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PassSummary } from '../../src/engine/engine.ts';
import { edit } from '../support/template-fleet.ts';
import {
  createApprovalBed, firewallLogging, flipFirewallLogging, forcePush, gatewayFile, mergedPullRequest, removeApprovalBed, TEAM, TOKEN,
  type ApprovalBed, type TemplateGateway,
} from './helpers/approval-bed.ts';
import { gatewayEvents, kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler } from './helpers/process.ts';
import { printReconcilerLogOnFailure } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';

let k: Kube;
let bed: ApprovalBed | undefined;

function b(): ApprovalBed {
  if (!bed) throw new Error('no approval bed');
  return bed;
}

const gw = (name: TemplateGateway) => b().fleet.gateway(name);
const status = (name: TemplateGateway) => b().rt.store.gateway(gw(name))!;
const target = (pass: PassSummary, name: TemplateGateway) => pass.targets.find((t) => t.gateway === gw(name))!;

printReconcilerLogOnFailure();

async function pass(): Promise<PassSummary> {
  const summary = await b().rt.pass();
  expect(summary.error).toBeUndefined();
  return summary;
}

/** The gateway is held at `revision` with `head` pending, in the pass's targets and in the status store. */
function expectHeld(summary: PassSummary, name: TemplateGateway, { revision, head, phase, reason }: { revision: string; head: string; phase: string; reason: string }): void {
  expect(target(summary, name)).toMatchObject({ revision, pending: head });
  expect(summary.applied.map((a) => a.gateway)).not.toContain(gw(name));
  expect(status(name)).toMatchObject({ phase, reason, appliedRevision: revision, pendingRevision: head });
}

function expectApplied(summary: PassSummary, name: TemplateGateway, head: string): void {
  expect(target(summary, name).revision).toBe(head);
  expect(target(summary, name).blockedBy).toBeUndefined();
  expect(summary.applied.find((a) => a.gateway === gw(name))?.ok).toBe(true);
  expect(status(name).appliedRevision).toBe(head);
  expect(status(name).pendingRevision).toBeUndefined();
}

describe('approval gate on the test bed', () => {
  beforeAll(async () => {
    k = await kube();
  });

  beforeEach(async () => {
    bed = await createApprovalBed();
    const first = await pass();
    expect(first.result).toBe('success');
    expect(first.targets.every((t) => t.revision === b().trusted)).toBe(true);
  });

  afterEach(async () => {
    await removeApprovalBed(bed, k);
    bed = undefined;
  });

  it("applies a merged pull request the gateway's customer approved", async () => {
    const { fleet, fake, trusted } = b();
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    const pr = mergedPullRequest(fake, { sha: head, approvals: ['acme-secops-lead'] });
    const summary = await pass();
    expectApplied(summary, 'acme-sh-01', head);
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);
    expect(target(summary, 'acme-sh-01').decisions).toMatchObject([{ result: 'approved', reason: 'approved', pr: { number: pr }, counted: [{ login: 'acme-secops-lead', as: 'customer' }] }]);
    expect(await gatewayEvents(k, { gateway: gw('acme-sh-01'), reason: 'ChangeApproved' })).toMatchObject([{ type: 'Normal', message: expect.stringContaining(`PR #${pr}`) }]);
    // Gateways the commit does not change move with it, with nothing to approve.
    expect(target(summary, 'globex-fra-01')).toMatchObject({ revision: head, decisions: [] });
    expect(trusted).not.toBe(head);
  });

  it("does not count another customer's approver, and applies once the customer's approver reviews", async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    const pr = mergedPullRequest(fake, { sha: head, approvals: ['globex-ciso'] });
    const summary = await pass();
    expectHeld(summary, 'acme-sh-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    expect(status('acme-sh-01').approval).toMatchObject({
      result: 'awaiting-approval', pr: { number: pr }, counted: [], notCounted: [{ login: 'globex-ciso', reason: 'not-an-approver' }],
      missing: { customerApprovals: 1, approvers: ['acme-secops-lead', 'acme-bank/secops'] },
    });
    // The right approver reviews the merged pull request later: the next pass applies it.
    fake.state.submitReview({ pr, user: 'acme-secops-lead', state: 'APPROVED' });
    await pass();
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);
    expect(status('acme-sh-01').appliedRevision).toBe(head);
  });

  it("does not count the author's own approval", async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    mergedPullRequest(fake, { sha: head, author: 'acme-secops-lead', approvals: ['acme-secops-lead'] });
    const summary = await pass();
    expectHeld(summary, 'acme-sh-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    expect(status('acme-sh-01').approval?.notCounted).toEqual([{ login: 'acme-secops-lead', reason: 'author' }]);
  });

  it('does not count an approval given before the last push to the pull request', async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    const { number } = fake.state.createPullRequest({ author: 'soc-analyst' });
    fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'APPROVED' });
    fake.state.pushCommits({ pr: number });
    fake.state.mergePullRequest({ pr: number, mergeCommitSha: head });
    const summary = await pass();
    expectHeld(summary, 'acme-sh-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    expect(status('acme-sh-01').approval?.notCounted).toEqual([{ login: 'acme-secops-lead', reason: 'stale' }]);
  });

  it('does not count an approval its reviewer followed with a request for changes', async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    const { number } = fake.state.createPullRequest({ author: 'soc-analyst' });
    fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'APPROVED' });
    fake.state.submitReview({ pr: number, user: 'acme-secops-lead', state: 'CHANGES_REQUESTED' });
    fake.state.mergePullRequest({ pr: number, mergeCommitSha: head });
    const summary = await pass();
    expectHeld(summary, 'acme-sh-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    expect(status('acme-sh-01').approval?.counted).toEqual([]);
  });

  it('refuses a direct push for the gateways it touches, reports it, and keeps the others moving', async () => {
    const { fleet, fake, trusted } = b();
    const pushed = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: pushed straight to main');
    const head = await fleet.push(flipFirewallLogging(fleet, 'globex-fra-01'), 'globex-fra-01: stop logging dropped packets');
    mergedPullRequest(fake, { sha: head, approvals: ['globex-ciso', 'globex-it-security'] });
    const summary = await pass();
    expectHeld(summary, 'acme-sh-01', { revision: trusted, head, phase: 'Failed', reason: 'ChangeRefused' });
    expect(target(summary, 'acme-sh-01').blockedBy).toMatchObject({ commit: pushed, result: 'refused', reason: 'direct-push' });
    expect(status('acme-sh-01').message).toMatch(/direct push/);
    expect(await gatewayEvents(k, { gateway: gw('acme-sh-01'), reason: 'ChangeRefused' })).toMatchObject([{ type: 'Warning', message: expect.stringMatching(/direct push/) }]);
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
    // The same push does not touch globex-fra-01: it moves past it to the approved head.
    expectApplied(summary, 'globex-fra-01', head);
    expect(await firewallLogging(k, fleet, 'globex-fra-01')).toBe(false);
    expect(target(summary, 'acme-sh-02').revision).toBe(head);
  });

  it("moves only the approving customer's gateways of a two-customer pull request", async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push({ ...flipFirewallLogging(fleet, 'acme-sh-01'), ...flipFirewallLogging(fleet, 'globex-fra-01') }, 'firewall logging at acme and globex');
    const pr = mergedPullRequest(fake, { sha: head, approvals: [TEAM.acme] });
    const summary = await pass();
    expectApplied(summary, 'acme-sh-01', head);
    expect(target(summary, 'acme-sh-01').decisions[0]?.counted).toEqual([{ login: TEAM.acme, via: 'acme-bank/secops', as: 'customer' }]);
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);
    expectHeld(summary, 'globex-fra-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect(await firewallLogging(k, fleet, 'globex-fra-01')).toBe(true);
    const approval = status('globex-fra-01').approval!;
    expect(approval).toMatchObject({ pr: { number: pr }, missing: { customerApprovals: 2, operatorApprovals: 0, approvers: ['globex-ciso', 'globex-it-security'] } });
    expect(approval.summary).toContain(`PR #${pr}`);
    expect(approval.summary).toMatch(/globex-ciso, globex-it-security/);
  });

  it("holds the removal of a gateway until the customer it belonged to approves, then removes what it ran", async () => {
    const { fleet, fake, trusted } = b();
    const head = await fleet.push({ [gatewayFile(fleet, 'acme-sh-01')]: null }, 'retire acme-sh-01');
    // Another customer's approver does not count: the removed gateway is still acme's.
    const pr = mergedPullRequest(fake, { sha: head, approvals: ['globex-ciso'] });
    const held = await pass();
    expect(target(held, 'acme-sh-01')).toMatchObject({ customer: 'acme', revision: trusted, pending: head });
    expect(held.applied.map((a) => a.gateway)).not.toContain(gw('acme-sh-01'));
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);

    fake.state.submitReview({ pr, user: 'acme-secops-lead', state: 'APPROVED' });
    const removed = await pass();
    expect(target(removed, 'acme-sh-01').revision).toBe(head);
    await expect(firewallLogging(k, fleet, 'acme-sh-01')).rejects.toMatchObject({ code: 404 });
  });

  it("holds a change of acme's data allow-lists that only an operator approved on every acme gateway, until acme approves; globex's gateways move at once", async () => {
    const { fleet, fake, trusted } = b();
    const file = 'customers/acme.yaml';
    const reports = 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]';
    const head = await fleet.push({ [file]: fleet.files[file]!.replace(reports, 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]') }, 'acme: also report system metrics');
    const pr = mergedPullRequest(fake, { sha: head, approvals: ['soc-lead'] });
    const policyOf = async (name: TemplateGateway) => JSON.parse((await k.core.readNamespacedConfigMap({ namespace: fleet.namespace('acme'), name: `${gw(name)}-log-collector` })).data?.['data-policy.json'] ?? '{}');
    const held = await pass();
    for (const name of ['acme-bj-01', 'acme-sh-01', 'acme-sh-02'] as const) {
      expectHeld(held, name, { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
      expect(status(name).approval?.missing).toEqual({ customerApprovals: 1, operatorApprovals: 0, approvers: ['acme-secops-lead', 'acme-bank/secops'] });
      expect((await policyOf(name)).report).not.toContain('system-metrics');
    }
    for (const name of ['globex-ams-01', 'globex-fra-01', 'globex-fra-02'] as const) expect(target(held, name)).toMatchObject({ revision: head, decisions: [] });

    fake.state.submitReview({ pr, user: 'acme-secops-lead', state: 'APPROVED' });
    const approved = await pass();
    for (const name of ['acme-bj-01', 'acme-sh-01', 'acme-sh-02'] as const) expect(target(approved, name).revision).toBe(head);
    // Approved, the change rolls out like any other: canary first, then the next wave.
    await waitFor("acme's new policy on every acme gateway", async () => {
      await pass();
      return (await Promise.all((['acme-bj-01', 'acme-sh-01', 'acme-sh-02'] as const).map(async (name) => (await policyOf(name)).report.includes('system-metrics')))).every(Boolean);
    }, { timeoutMs: 120_000, intervalMs: 500 });
  });

  it("holds a catalog change its customers approved until a fleet operator approves it", async () => {
    const { fleet, fake, trusted } = b();
    const file = 'catalog/firewall/3.0.0.yaml';
    const head = await fleet.push({ [file]: fleet.files[file]!.replace('requests: { cpu: 200m, memory: 128Mi }', 'requests: { cpu: 250m, memory: 128Mi }') }, 'firewall: more CPU');
    mergedPullRequest(fake, { sha: head, approvals: ['acme-secops-lead', 'globex-ciso', 'globex-it-security'] });
    const summary = await pass();
    for (const name of ['acme-sh-01', 'acme-sh-02', 'globex-ams-01', 'globex-fra-01', 'globex-fra-02'] as const) {
      expectHeld(summary, name, { revision: trusted, head, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
      expect(status(name).approval?.missing).toEqual({ customerApprovals: 0, operatorApprovals: 1, approvers: ['soc-lead', 'example-soc/fleet-operators'] });
    }
    const deployment = await k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name: `${gw('acme-sh-01')}-firewall` });
    expect(deployment.spec?.template.spec?.containers[0]?.resources?.requests?.cpu).toBe('200m');
    // acme-bj-01 runs no firewall: the catalog change is not its to wait for.
    expect(target(summary, 'acme-bj-01')).toMatchObject({ revision: head, decisions: [] });
  });

  it('applies a pre-authorised ip-block response pushed straight to main at once', async () => {
    const { fleet } = b();
    const name = `block-${fleet.prefix}`;
    const head = await fleet.push({
      [`responses/${name}.yaml`]: [
        'apiVersion: essg.io/v1', 'kind: Response', `metadata:\n  name: ${name}`, 'spec:', '  action: ip-block', '  customer: acme',
        '  reason: "INC-5001: scanner hitting the VPN gateways"', '  expires: "2099-01-01T00:00:00Z"',
        '  ipBlock:', '    cidrs: [192.0.2.66/32]', '    direction: inbound', '',
      ].join('\n'),
    }, 'emergency: block a scanner at acme');
    const summary = await pass();
    for (const gateway of ['acme-sh-01', 'acme-sh-02'] as const) {
      expectApplied(summary, gateway, head);
      expect(target(summary, gateway).decisions).toMatchObject([{ result: 'approved', reason: 'preauthorized' }]);
      const list = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace('acme'), name: `${gw(gateway)}-ip-block` });
      expect(JSON.parse(list.data!['ip-block.json']!)).toMatchObject({ inbound: expect.arrayContaining(['192.0.2.66/32']) });
    }
  });

  it("carries out a pre-authorised edr-action through acme's EDR adapter at once, and holds one for globex until globex approves it", async () => {
    const { fleet, fake } = b();
    const edrAction = (name: string, customer: string, endpoints: string) => [
      'apiVersion: essg.io/v1', 'kind: Response', `metadata:\n  name: ${name}`, 'spec:', '  action: edr-action', `  customer: ${customer}`,
      '  reason: "INC-5002: beaconing endpoint"', '  expires: "2099-01-01T00:00:00Z"',
      '  edrAction:', '    command: isolate-host', `    endpoints: [${endpoints}]`, '',
    ].join('\n');
    const actionsOf = async (customer: 'acme' | 'globex', name: TemplateGateway) => {
      const list = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace(customer), name: `${gw(name)}-edr-actions` });
      return (JSON.parse(list.data!['edr-actions.json']!) as { actions: { response: string; endpoints: string[] }[] }).actions;
    };
    const acme = `isolate-${fleet.prefix}-acme`;
    const globex = `isolate-${fleet.prefix}-globex`;
    const head = await fleet.push({ [`responses/${acme}.yaml`]: edrAction(acme, 'acme', 'ws-0100.corp.acme.example') }, 'emergency: isolate an acme workstation');
    const summary = await pass();
    // acme pre-authorises edr-action: its adapter gets the command in this pass, without review.
    expectApplied(summary, 'acme-bj-01', head);
    expect(target(summary, 'acme-bj-01').decisions).toMatchObject([{ result: 'approved', reason: 'preauthorized' }]);
    expect(await actionsOf('acme', 'acme-bj-01')).toContainEqual(expect.objectContaining({ response: acme, endpoints: ['ws-0100.corp.acme.example'] }));
    // acme's other gateways run no EDR adapter: nothing of theirs changes.
    for (const name of ['acme-sh-01', 'acme-sh-02'] as const) expect(summary.applied.find((a) => a.gateway === gw(name))?.applied ?? []).toEqual([]);

    // globex pre-authorises ip-block and vuln-scan only: an isolation waits for its two approvers.
    const next = await fleet.push({ [`responses/${globex}.yaml`]: edrAction(globex, 'globex', '10.40.7.7') }, 'emergency: isolate a globex host');
    const pr = mergedPullRequest(fake, { sha: next, approvals: ['globex-ciso'] });
    const held = await pass();
    expectHeld(held, 'globex-fra-01', { revision: head, head: next, phase: 'AwaitingApproval', reason: 'AwaitingApproval' });
    expect((await actionsOf('globex', 'globex-fra-01')).map((a) => a.response)).not.toContain(globex);
    fake.state.submitReview({ pr, user: 'globex-it-security', state: 'APPROVED' });
    const approved = await pass();
    expectApplied(approved, 'globex-fra-01', next);
    expect(await actionsOf('globex', 'globex-fra-01')).toContainEqual(expect.objectContaining({ response: globex, endpoints: ['10.40.7.7'] }));
  });

  for (const fault of [
    { what: 'server errors', spec: { kind: 'server-error', status: 500 } },
    { what: 'rate limits (429)', spec: { kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 1 } },
  ] as const) {
    it(`holds an approved change while GitHub answers with ${fault.what}, and applies it once GitHub recovers`, async () => {
      const { fleet, fake, trusted } = b();
      const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
      mergedPullRequest(fake, { sha: head, approvals: ['acme-secops-lead'] });
      fake.injectFault({ path: '/commits/', ...fault.spec, times: 1_000 });
      const deployStatuses = () => fake.requestsTo(`/statuses/${head}`).filter((r) => r.method === 'POST');
      const held = await pass();
      // GitHub failed this pass: the pass does not wait for it a second time to write essg/deploy.
      expect(deployStatuses()).toEqual([]);
      expectHeld(held, 'acme-sh-01', { revision: trusted, head, phase: 'AwaitingApproval', reason: 'ApprovalCheckHeld' });
      expect(target(held, 'acme-sh-01').blockedBy).toMatchObject({ result: 'hold', reason: 'github-unavailable' });
      expect(held.applied.filter((a) => a.applied.length > 0 || a.deleted.length > 0)).toEqual([]);
      expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(true);
      expect(fake.requestsTo('/commits/').some((r) => r.status === fault.spec.status)).toBe(true);

      fake.clearFaults();
      const recovered = await pass();
      expectApplied(recovered, 'acme-sh-01', head);
      expect(deployStatuses()).toMatchObject([{ status: 201 }]);
      expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);
      expect(status('acme-sh-01').phase).not.toBe('AwaitingApproval');
    });
  }

  it('refuses and reports a rewritten history that drops the applied revision', async () => {
    const { fleet, fake, trusted } = b();
    const applied = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    mergedPullRequest(fake, { sha: applied, approvals: ['acme-secops-lead'] });
    expectApplied(await pass(), 'acme-sh-01', applied);
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);

    // main is rewritten from the template commit: the applied change is gone and another
    // takes its place, even as the merge of an approved pull request.
    const rewritten = await forcePush({ url: fleet.url, base: trusted, message: 'acme-sh-02: log dropped packets', files: flipFirewallLogging(fleet, 'acme-sh-02') });
    mergedPullRequest(fake, { sha: rewritten, approvals: ['acme-secops-lead'] });
    const summary = await pass();
    for (const name of ['acme-sh-01', 'acme-sh-02'] as const) {
      expectHeld(summary, name, { revision: applied, head: rewritten, phase: 'Failed', reason: 'ChangeRefused' });
      expect(target(summary, name).blockedBy).toMatchObject({ result: 'refused', reason: 'history-rewritten' });
      expect(status(name).message).toMatch(/history was rewritten/);
      expect(await gatewayEvents(k, { gateway: gw(name), reason: 'ChangeRefused' })).toMatchObject([{ type: 'Warning', message: expect.stringMatching(/history was rewritten/) }]);
    }
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);
    expect(await firewallLogging(k, fleet, 'acme-sh-02')).toBe(false);
  });
});

describe('approval gate of the shipped reconciler, with teams the reviewer is not in', () => {
  // Teams in every role: GitHub answers 404 "not a member" for each one the reviewer is not in,
  // before and after the one that credits the approval (teams are asked in name order).
  const OTHER_TEAMS = [
    { org: 'acme-bank', team: 'audit', login: 'acme-auditor' },
    { org: 'acme-bank', team: 'network-ops', login: 'acme-neteng' },
    { org: 'acme-bank', team: 'soc-liaison', login: 'acme-liaison' },
    { org: 'example-soc', team: 'night-shift', login: 'soc-night-lead' },
    { org: 'globex-corp', team: 'plant-security', login: 'globex-plant-lead' },
  ] as const;

  beforeAll(async () => {
    k = await kube();
  });

  beforeEach(async () => {
    bed = await createApprovalBed({
      edit: (files) => {
        edit(files, 'customers/acme.yaml', 'approvers: [acme-secops-lead, acme-bank/secops]', 'approvers: [acme-bank/audit, acme-secops-lead, acme-bank/network-ops, acme-bank/secops, acme-bank/soc-liaison]');
        edit(files, 'customers/globex.yaml', 'approvers: [globex-ciso, globex-it-security]', 'approvers: [globex-ciso, globex-corp/plant-security, globex-it-security]');
        edit(files, 'fleet.yaml', 'operators: [soc-lead, example-soc/fleet-operators]', 'operators: [soc-lead, example-soc/fleet-operators, example-soc/night-shift]');
      },
    });
    for (const member of OTHER_TEAMS) b().fake.state.addTeamMember(member);
    expect((await pass()).result).toBe('success');
  });

  afterEach(async () => {
    await removeApprovalBed(bed, k);
    bed = undefined;
  });

  it('applies with --approvals github a change approved by a member of one of the customer\'s teams after 404s from the others', async () => {
    const { fleet, fake, trusted, github } = b();
    const head = await fleet.push(flipFirewallLogging(fleet, 'acme-sh-01'), 'acme-sh-01: stop logging dropped packets');
    const pr = mergedPullRequest(fake, { sha: head, approvals: [TEAM.acme] });

    // The shipped binary, with the settings the in-process reconciler of the other tests gets.
    const cacheDir = path.join(os.tmpdir(), `essg-it-cache-${randomBytes(4).toString('hex')}`);
    const reconciler = startReconciler([
      '--once', '--repo', fleet.url, '--branch', 'main', '--kubeconfig', (await testbed()).kubeconfig,
      '--cache-dir', cacheDir, '--listen', '127.0.0.1:0',
      '--approvals', 'github', '--github-repo', `${github.owner}/${github.repo}`, '--github-url', fake.baseUrl,
      '--github-timeout', String(github.requestTimeoutMs), '--github-retries', String(github.maxRetries),
      '--trusted-revision', trusted,
    ], { GITHUB_TOKEN: TOKEN });
    const ended = await reconciler.exited;
    await rm(cacheDir, { recursive: true, force: true });
    expect(ended.code, reconciler.stderr()).toBe(0);
    const out = JSON.parse(reconciler.stdout()) as { result: string; head: string; gateways: { gateway: string; appliedRevision?: string }[] };
    expect(out).toMatchObject({ result: 'success', head });
    expect(out.gateways.find((g) => g.gateway === gw('acme-sh-01'))?.appliedRevision).toBe(head);
    expect(await firewallLogging(k, fleet, 'acme-sh-01')).toBe(false);

    const asked = fake.requestsTo(new RegExp(`/memberships/${TEAM.acme}$`)).map((r) => [r.path.replace(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/.*$/, '$1/$2'), r.status]);
    expect(asked).toEqual([
      ['acme-bank/audit', 404], ['acme-bank/network-ops', 404], ['acme-bank/secops', 200], ['acme-bank/soc-liaison', 404],
      ['example-soc/fleet-operators', 404], ['example-soc/night-shift', 404], ['globex-corp/plant-security', 404],
    ]);
    expect(await gatewayEvents(k, { gateway: gw('acme-sh-01'), reason: 'ChangeApproved' })).toMatchObject([{ type: 'Normal', message: expect.stringContaining(`PR #${pr}; approved by ${TEAM.acme} via acme-bank/secops as customer`) }]);
  });
});
