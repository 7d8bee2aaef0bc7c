// A started GitHub fake and a gate client pointed at it, with every log line captured.
import { afterEach, beforeEach } from 'vitest';
import { type GateLogger, type GitHubClient, type GitHubClientOptions, createGitHubClient } from '../../../src/gate/github-client.ts';
import { type GitHubFake, type GitHubFakeOptions, startGitHubFake } from '../../github-fake/index.ts';

export const TOKEN = 'ghp_' + 'T0kenForTheFleetGate'.repeat(2);
export const OWNER = 'soc';
export const REPO = 'fleet';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly data: unknown;
}

export interface Fixture {
  fake: GitHubFake;
  logs: LogLine[];
  client(options?: Partial<GitHubClientOptions>): GitHubClient;
}

/** Registers a fake per test; the returned object is filled in before each test runs. */
export function useGitHubFake(options: GitHubFakeOptions = {}): Fixture {
  const fixture = {} as Fixture;
  beforeEach(async () => {
    fixture.fake = await startGitHubFake({ owner: OWNER, repo: REPO, tokens: { [TOKEN]: 'essg-bot' }, ...options });
    fixture.logs = [];
    const logger: GateLogger = {
      debug: (message, data) => fixture.logs.push({ level: 'debug', message, data }),
      info: (message, data) => fixture.logs.push({ level: 'info', message, data }),
      warn: (message, data) => fixture.logs.push({ level: 'warn', message, data }),
      error: (message, data) => fixture.logs.push({ level: 'error', message, data }),
    };
    fixture.client = (over = {}) => createGitHubClient({
      baseUrl: fixture.fake.baseUrl, auth: { token: TOKEN }, logger, retryUnitMs: 1, requestTimeoutMs: 5000, ...over,
    });
  });
  afterEach(async () => {
    await fixture.fake.stop();
  });
  return fixture;
}
