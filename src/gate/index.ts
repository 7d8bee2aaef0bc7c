// The approval gate: what the reconciler and the CLI use.
export type { ApprovalFacts, PullRequestFact, PullRequestFacts, ReviewFact, TeamMembership } from './approval-facts.ts';
export { type GatewayChange, type RenderedObject, type ResponseAction, classifyChange, hasChange } from './classify-change.ts';
export { type GateDecision, type DecisionReason, type DecisionResult, decide, needsOf, type NotReviewed } from './decide.ts';
export { EVENT_REASON, NOT_COUNTED, describeDecision } from './describe.ts';
export { GitHubUnavailable, type GitHubUnavailableData, toGitHubUnavailable } from './errors.ts';
export { type GateLogger, type GateOctokit, type GitHubAuth, type GitHubClient, type GitHubClientOptions, createGitHubClient, lineLogger } from './github-client.ts';
export { type ApprovalPolicy, approvalPolicy, teamPrincipals } from './policy.ts';
export { TeamMembershipCache, fetchApprovalFacts, fetchPullRequestFacts, unavailableFacts } from './pull-request-facts.ts';
export { type AdvanceArgs, type Advancement, type FactsLookup, type GatewayAtCommit, type GatewayRender, advanceGateway } from './advance.ts';
export { type GitHubRepoRef, PassFacts } from './pass-facts.ts';
export { type GatewayTarget, type GitHubGate, type TargetsArgs, chooseTargets } from './targets.ts';
