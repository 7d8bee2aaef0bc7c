// Who may read the fleet's status (report/access.ts), from the fleet repo as the gate
// accepted it: each customer's approvers at the revision its gateways are on or may move to,
// so a commit that adds a reader to a customer shows them nothing until that customer has
// approved it. A customer with no accepted revision yet (its first gateways await approval)
// is read at the head, where its approvers are the only ones it has. Operators are read at
// the newest good head.
import type { GatewayTarget } from '../gate/index.ts';
import type { FleetAtCommit, FleetRevisions } from '../load/index.ts';
import type { FleetAccess } from '../report/access.ts';

export async function fleetAccess({ targets, onRevision, head, revisions, now, previous }: {
  readonly targets: readonly GatewayTarget[];
  /** The revision each gateway is on (its durable rollout state). */
  readonly onRevision: (gateway: string) => string | undefined;
  readonly head: FleetAtCommit;
  readonly revisions: FleetRevisions;
  readonly now: string;
  /** The access of the pass before: kept for what this pass cannot read. */
  readonly previous: FleetAccess | undefined;
}): Promise<FleetAccess | undefined> {
  const customers = new Map<string, readonly string[]>();
  for (const target of targets) {
    if (customers.has(target.customer)) continue;
    const revision = target.revision ?? onRevision(target.gateway);
    const fleet = revision ? await revisions.at(revision, now) : undefined;
    const customer = fleet?.ok ? fleet.model.customers.get(target.customer) : undefined;
    if (customer) customers.set(target.customer, customer.doc.spec.approvers);
  }
  if (head.ok) {
    for (const [name, customer] of head.model.customers) if (!customers.has(name)) customers.set(name, customer.doc.spec.approvers);
  } else if (previous) {
    for (const [name, approvers] of previous.customers) if (!customers.has(name)) customers.set(name, approvers);
  }
  const operators = head.ok ? head.model.fleet.doc.spec.operators : previous?.operators;
  return operators ? { operators, customers } : undefined;
}
