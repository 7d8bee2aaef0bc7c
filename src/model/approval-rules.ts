// A customer's approval policy must be satisfiable: with only logins listed (no org/team,
// whose members are counted when a review comes in), `requiredApprovals` larger than the
// distinct logins means no pull request for that customer could ever be approved.
import type { Problem } from './problems.ts';
import type { ValidDocs } from './references.ts';

export function checkApprovals(docs: ValidDocs): Problem[] {
  const problems: Problem[] = [];
  for (const { file, doc } of docs.customers) {
    const { approvers, requiredApprovals = 1 } = doc.spec;
    if (approvers.some((approver) => approver.includes('/'))) continue;
    // GitHub logins are case-insensitive: Alice and alice are one approver.
    const logins = new Set(approvers.map((login) => login.toLowerCase()));
    if (requiredApprovals <= logins.size) continue;
    const pos = file.locate(['spec', 'requiredApprovals']);
    problems.push({
      file: file.path, line: pos.line, col: pos.col,
      code: 'APPROVALS_UNSATISFIABLE',
      message: `requiredApprovals ${requiredApprovals} needs more approvers than the ${logins.size} login(s) listed in spec.approvers`,
      hint: `list at least ${requiredApprovals} distinct logins, name an org/team, or lower requiredApprovals to ${logins.size}`,
    });
  }
  return problems;
}
