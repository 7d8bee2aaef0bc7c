// The source stage: the fleet repo in Git, and what triggers a pass.
export { type CommitInfo, type CommitStore, type PathChange, type PathChangeKind, openCommitStore } from './commit-store.ts';
export {
  GitAuthError, GitBranchMissingError, type GitErrorData, GitFailedError, type GitFailure, GitObjectMissingError, GitSourceError,
  GitUnreachableError, redactUrl,
} from './errors.ts';
export { createGitSource, type FetchResult, type GitAuth, type GitSource, type GitSourceOptions, gitdirFor } from './git-source.ts';
export { DEFAULT_GIT_TIMEOUT_MS, GitSilenceTimeout, silenceDeadline } from './git-timeout.ts';
export { findGitdir, openLocalRepo } from './local-repo.ts';
export {
  describeReasons, InvalidCronError, type PassOutcome, PassTrigger, type PollSchedule, type RunPass, TriggerClosedError, type TriggerReason, type TriggerSource,
  schedulePolls, validateCron,
} from './trigger.ts';
export {
  DEFAULT_WEBHOOK_MAX_BYTES, FORWARDED_HEADER, type OversizeVerdict, type PushEvent, type WebhookDelivery, type WebhookHandler, type WebhookHandlerOptions, type WebhookRequest, type WebhookVerdict,
  createWebhookHandler, signBody,
  verifyPushWebhook, verifySignature,
} from './webhook.ts';
