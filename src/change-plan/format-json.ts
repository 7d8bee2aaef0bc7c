// The plan for machines: the ChangePlan itself, stable key order, with `essg/plan` v1 tagging.
// Who approved sits next to what is missing (`approvedBy`, `required`, `approvers` per customer
// and for the operators); `reviews` says whether the pull request's reviews were read.
import type { ChangePlan } from './types.ts';

export const PLAN_JSON_VERSION = 'essg.io/plan/v1';

export function formatChangePlanJson(plan: ChangePlan): string {
  return `${JSON.stringify({ version: PLAN_JSON_VERSION, ...plan }, null, 2)}\n`;
}
