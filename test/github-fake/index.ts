// The GitHub fake: a real HTTP server speaking the REST endpoints the gate uses.
export { GitHubFake, startGitHubFake } from './server.ts';
export type { FaultKind, FaultSpec, GitHubFakeOptions, RecordedRequest } from './server.ts';
export { FakeGitHubState, newSha } from './state.ts';
export type { FakeComment, FakePullRequest, FakeReview, FakeStatus, ReviewState, StatusState } from './state.ts';
