// The pull-request change plan: which gateways change between two revisions of the fleet
// repo, how, and whose approval that needs.
export { type ChangedPath, type FileTexts, catalogImmutabilityProblems, firstDifferingLine, isPublishedCatalogEdit } from './catalog-immutable.ts';
export { formatPlanProblem, fullyApproved, headline, statusDescription } from './describe.ts';
export { PLAN_JSON_VERSION, formatChangePlanJson } from './format-json.ts';
export { formatChangePlanMarkdown } from './format-markdown.ts';
export { formatChangePlanText } from './format-text.ts';
export { type PlanBetweenArgs, type PlanBetweenResult, type ReviewsLookup, planBetween, renderSide } from './plan-between.ts';
export { type PlanChangesArgs, type PlanSide, type ReviewFacts, planChanges, planPolicy } from './plan-changes.ts';
export type * from './types.ts';
