// The plan for machines: the ChangePlan itself, stable key order, with `essg/plan` v1 tagging.
import type { ChangePlan } from './types.ts';

export const PLAN_JSON_VERSION = 'essg.io/plan/v1';

export function formatJson(plan: ChangePlan): string {
  return `${JSON.stringify({ version: PLAN_JSON_VERSION, ...plan }, null, 2)}\n`;
}
