// A change to a customer's data allow-lists is a change to that customer's gateways (every
// data-handling service reads the lists from its ConfigMap), so the gate lets it through only
// with that customer's approval: the fleet's operators alone, or another customer, cannot.
import { describe, expect, it } from 'vitest';
import { advanceGateway, approvalPolicy, type ApprovalFacts, type GatewayAtCommit } from '../../../src/gate/index.ts';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import type { FleetModel } from '../../../src/model/fleet-model.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { renderGateway } from '../../../src/render/index.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const NOW = '2026-12-01T00:00:00Z';

async function modelOf(files: Record<string, string>): Promise<FleetModel> {
  const loaded = await loadFleet({ reader: new MemoryReader({ files }) });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.model;
}

function at(model: FleetModel, gateway: string): { render: GatewayAtCommit['render']; policy: GatewayAtCommit['policy'] } {
  const rendered = renderGateway({ model, gateway, now: NOW });
  const customer = model.customers.get(model.gateways.get(gateway)!.customer)!.doc;
  return { render: { objects: rendered.objects, operatorHash: rendered.operatorHash }, policy: approvalPolicy({ fleet: model.fleet.doc, customer }) };
}

function mergedWith(approvers: readonly string[]): ApprovalFacts {
  return {
    kind: 'pull-request',
    commitSha: 'c1',
    pr: { number: 12, url: 'https://github.example/pr/12', author: 'soc-operator', headSha: 'head-1', mergeCommitSha: 'c1', mergedAt: '2026-11-30T10:00:00Z' },
    reviews: approvers.map((login, i) => ({ id: i + 1, login, state: 'APPROVED' as const, commitId: 'head-1', submittedAt: '2026-11-30T09:00:00Z' })),
    teamMembers: new Map(),
  };
}

/** The gate's walk for one gateway from the template to a commit that changes acme's reporting allow-list. */
async function advanceThroughPolicyChange(gateway: string, approvers: readonly string[]) {
  const files = templateFiles();
  const base = await modelOf(files);
  edit(files, 'customers/acme.yaml', 'allow: [alerts, security-events, asset-inventory, vulnerability-findings]', 'allow: [alerts, security-events, asset-inventory, vulnerability-findings, system-metrics]');
  const head = await modelOf(files);
  const asked: string[] = [];
  const result = await advanceGateway({
    gateway,
    customer: base.gateways.get(gateway)!.customer,
    applied: { revision: 'c0', ...at(base, gateway) },
    commits: [{ sha: 'c1', ...at(head, gateway) }],
    facts: async (sha) => {
      asked.push(sha);
      return mergedWith(approvers);
    },
  });
  return { ...result, asked };
}

describe("a change to a customer's data allow-lists", () => {
  it("needs that customer's approval: approved by an operator only, it holds every gateway of the customer", async () => {
    const result = await advanceThroughPolicyChange('acme-sh-01', ['soc-lead']);
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({
      result: 'awaiting-approval',
      needs: { customer: true, operators: false },
      missing: { customerApprovals: 1, operatorApprovals: 0, approvers: ['acme-secops-lead', 'acme-bank/secops'] },
    });
  });

  it("is not approved by another customer's security lead", async () => {
    const result = await advanceThroughPolicyChange('acme-bj-01', ['globex-ciso']);
    expect(result.target).toBe('c0');
    expect(result.blockedBy?.notCounted).toEqual([{ login: 'globex-ciso', reason: 'not-an-approver' }]);
  });

  it("moves the customer's gateways once the customer approved, without the operators", async () => {
    const result = await advanceThroughPolicyChange('acme-sh-02', ['acme-secops-lead']);
    expect(result.target).toBe('c1');
    expect(result.decisions).toMatchObject([{ result: 'approved', reason: 'approved', needs: { customer: true, operators: false } }]);
  });

  it("does not touch another customer's gateways: they move without a review and GitHub is not asked", async () => {
    const result = await advanceThroughPolicyChange('globex-fra-01', []);
    expect(result).toMatchObject({ target: 'c1', decisions: [], asked: [] });
  });
});
