// One line per gate decision, for logs, Kubernetes Event messages and the status API:
// what happened to the gateway, why, and who is still needed.
import { REASON, type Reason } from '../contract/index.ts';
import type { GateDecision, NotCountedReason } from './decide.ts';

/** Why a review did not count, in words. */
export const NOT_COUNTED: Readonly<Record<NotCountedReason, string>> = {
  author: "author's own approval",
  stale: 'approved before the last push',
  superseded: 'approval withdrawn or dismissed',
  'not-an-approver': 'not an approver',
  commented: 'only commented',
  'changes-requested': 'requested changes',
};

/** Kubernetes Event reasons (UpperCamelCase) per decision result. */
export const EVENT_REASON: Readonly<Record<GateDecision['result'], Reason>> = {
  approved: REASON.changeApproved,
  'awaiting-approval': REASON.awaitingApproval,
  refused: REASON.changeRefused,
  hold: REASON.approvalCheckHeld,
};

export function describeDecision(decision: GateDecision): string {
  const where = `${decision.gateway} (${decision.customer}) at ${decision.commit.slice(0, 12)}`;
  const pr = decision.pr ? ` PR #${decision.pr.number}` : '';
  const counted = decision.counted.length > 0
    ? `; approved by ${decision.counted.map((c) => `${c.login}${c.via === c.login ? '' : ` via ${c.via}`} as ${c.as}`).join(', ')}` : '';
  const ignored = decision.notCounted.length > 0
    ? `; not counted: ${decision.notCounted.map((n) => `${n.login} (${NOT_COUNTED[n.reason]})`).join(', ')}` : '';
  switch (decision.reason) {
    case 'no-change':
      return `${where}: unchanged by this commit`;
    case 'preauthorized':
      return `${where}: preauthorized response, applied without review`;
    case 'approved':
      return `${where}: approved in${pr}${counted}${ignored}`;
    case 'approvals-missing':
      return `${where}: awaiting approval${pr ? ` of${pr}` : ''}: ${needed(decision)}${counted}${ignored}`;
    case 'direct-push':
      return `${where}: refused, not the merge of a reviewed pull request (direct push)`;
    case 'history-rewritten':
      return `${where}: refused, history was rewritten (the applied revision is no longer an ancestor)`;
    case 'github-unavailable':
      return `${where}: held at the last approved state, GitHub unavailable: ${decision.error ?? 'unknown error'}`;
  }
}

function needed({ missing }: GateDecision): string {
  const parts: string[] = [];
  if (missing.customerApprovals > 0) parts.push(`${missing.customerApprovals} more customer approval(s)`);
  if (missing.operatorApprovals > 0) parts.push(`${missing.operatorApprovals} more operator approval(s)`);
  return `needs ${parts.join(' and ')} from ${missing.approvers.join(', ')}`;
}
