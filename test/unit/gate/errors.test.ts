// How any failure of a GitHub call becomes the one error the gate holds on: its class of
// failure (what an operator looks at first), the request it was, and GitHub's own hints.
import { describe, expect, it } from 'vitest';
import { GitHubUnavailable, type GitHubFailure, toGitHubUnavailable } from '../../../src/gate/errors.ts';
import { SecretRedactor } from '../../../src/report/redact.ts';

/** The shape of octokit's RequestError, as far as the gate reads it. */
function requestError({ status, message = 'failed', headers, name = 'HttpError', cause, url = 'https://api.github.com/repos/soc/fleet/pulls/7?per_page=100', method = 'GET', response = true }: {
  status?: number; message?: string; headers?: Record<string, string | number>; name?: string; cause?: unknown; url?: string; method?: string; response?: boolean;
} = {}) {
  return Object.assign(new Error(message), {
    name,
    ...(status !== undefined ? { status } : {}),
    ...(cause !== undefined ? { cause } : {}),
    request: { method, url },
    ...(response ? { response: { headers: headers ?? {} } } : {}),
  });
}

describe('toGitHubUnavailable: the class of failure', () => {
  const cases: { name: string; error: unknown; failure: GitHubFailure }[] = [
    { name: 'a TimeoutError', error: requestError({ name: 'TimeoutError', response: false }), failure: 'timeout' },
    { name: 'an AbortError', error: requestError({ name: 'AbortError', response: false }), failure: 'timeout' },
    { name: 'a request error caused by a TimeoutError', error: requestError({ status: 500, response: false, cause: { name: 'TimeoutError' } }), failure: 'timeout' },
    { name: 'a request error caused by an AbortError', error: requestError({ status: 500, response: false, cause: { name: 'AbortError' } }), failure: 'timeout' },
    { name: 'HTTP 429', error: requestError({ status: 429 }), failure: 'rate-limited' },
    { name: 'HTTP 403 with no requests remaining', error: requestError({ status: 403, headers: { 'x-ratelimit-remaining': '0' } }), failure: 'rate-limited' },
    { name: 'HTTP 403 saying it is a rate limit', error: requestError({ status: 403, message: 'You have exceeded a secondary Rate Limit' }), failure: 'rate-limited' },
    { name: 'HTTP 403 with requests remaining', error: requestError({ status: 403, headers: { 'x-ratelimit-remaining': '4999' }, message: 'Resource not accessible by integration' }), failure: 'forbidden' },
    { name: 'HTTP 401', error: requestError({ status: 401 }), failure: 'unauthorized' },
    { name: 'HTTP 404', error: requestError({ status: 404 }), failure: 'not-found' },
    { name: 'HTTP 500 with no response (the connection failed)', error: requestError({ status: 500, response: false }), failure: 'network' },
    { name: 'HTTP 500', error: requestError({ status: 500 }), failure: 'server-error' },
    { name: 'HTTP 502', error: requestError({ status: 502 }), failure: 'server-error' },
    { name: 'HTTP 503', error: requestError({ status: 503 }), failure: 'server-error' },
    { name: 'HTTP 499', error: requestError({ status: 499 }), failure: 'rejected' },
    { name: 'HTTP 400 with no response', error: requestError({ status: 400, response: false }), failure: 'rejected' },
    { name: 'HTTP 502 whose message mentions a rate limit', error: requestError({ status: 502, message: 'upstream rate limit proxy failed' }), failure: 'server-error' },
    { name: 'HTTP 404 while no requests remain', error: requestError({ status: 404, headers: { 'x-ratelimit-remaining': '0' } }), failure: 'not-found' },
    { name: 'HTTP 422', error: requestError({ status: 422 }), failure: 'rejected' },
    { name: 'HTTP 400', error: requestError({ status: 400 }), failure: 'rejected' },
    { name: 'HTTP 399', error: requestError({ status: 399 }), failure: 'unexpected' },
    { name: 'a status that is not a number', error: { status: '500', message: 'odd' }, failure: 'unexpected' },
    { name: 'a plain error', error: new Error('boom'), failure: 'unexpected' },
    { name: 'a thrown string', error: 'boom', failure: 'unexpected' },
  ];

  it.each(cases)('$name is $failure', ({ error, failure }) => {
    expect(toGitHubUnavailable(error).data.failure).toBe(failure);
  });
});

describe('toGitHubUnavailable: what the error says', () => {
  it('names the request by method and path (never its query), with GitHub\'s status and request id', () => {
    const error = toGitHubUnavailable(requestError({ status: 502, message: 'Bad Gateway', headers: { 'x-github-request-id': 'ABCD:1234' } }));
    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect(error.message).toBe('GitHub is unavailable (server-error, HTTP 502) for GET /repos/soc/fleet/pulls/7: Bad Gateway');
    expect(error.data).toEqual({ component: 'github', failure: 'server-error', status: 502, method: 'GET', path: '/repos/soc/fleet/pulls/7', requestId: 'ABCD:1234' });
  });

  it('says "a GitHub request" and no status when it knows neither', () => {
    const error = toGitHubUnavailable(new Error('socket hang up'));
    expect(error.message).toBe('GitHub is unavailable (unexpected) for a GitHub request: socket hang up');
    // No key for what is not known (not even one set to undefined): the data goes into JSON as is.
    expect(error.data).toStrictEqual({ component: 'github', failure: 'unexpected' });
  });

  it('says "a GitHub request" when it knows the method but not the path, or the path but not the method', () => {
    const noPath = toGitHubUnavailable({ message: 'x', request: { method: 'GET' } });
    const noMethod = toGitHubUnavailable({ message: 'x', request: { url: '/repos/soc/fleet' } });
    expect(noPath.message).toContain('for a GitHub request: x');
    expect(noPath.data).toEqual({ component: 'github', failure: 'unexpected', method: 'GET' });
    expect(noMethod.message).toContain('for a GitHub request: x');
    expect(noMethod.data).toEqual({ component: 'github', failure: 'unexpected', path: '/repos/soc/fleet' });
  });

  it('says "unknown error" for an error without a message', () => {
    expect(toGitHubUnavailable({ status: 500 }).message).toBe('GitHub is unavailable (network, HTTP 500) for a GitHub request: unknown error');
  });

  it('keeps a numeric request id as text', () => {
    expect(toGitHubUnavailable(requestError({ status: 500, headers: { 'x-github-request-id': 42 } })).data.requestId).toBe('42');
  });

  it('redacts credentials in GitHub\'s message with the redactor it is given', () => {
    const error = toGitHubUnavailable(requestError({ status: 500, message: 'echo of s3cr3t-value-123' }), new SecretRedactor(['s3cr3t-value-123']));
    expect(error.message).toBe('GitHub is unavailable (server-error, HTTP 500) for GET /repos/soc/fleet/pulls/7: echo of [REDACTED]');
  });

  it('returns a GitHubUnavailable as it is', () => {
    const original = new GitHubUnavailable('already', { component: 'github', failure: 'timeout' });
    expect(toGitHubUnavailable(original)).toBe(original);
  });

  it('has a stable code, its name and a JSON form', () => {
    const error = toGitHubUnavailable(requestError({ status: 404, message: 'Not Found' }));
    expect(error.code).toBe('GITHUB_UNAVAILABLE');
    expect(error.name).toBe('GitHubUnavailable');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'GITHUB_UNAVAILABLE',
      message: 'GitHub is unavailable (not-found, HTTP 404) for GET /repos/soc/fleet/pulls/7: Not Found',
      data: { component: 'github', failure: 'not-found', status: 404, method: 'GET', path: '/repos/soc/fleet/pulls/7' },
    });
  });

  it('reads a relative request path, and leaves out one it cannot parse', () => {
    expect(toGitHubUnavailable(requestError({ status: 500, url: '/repos/soc/fleet/commits/abc/pulls?per_page=100' })).data.path).toBe('/repos/soc/fleet/commits/abc/pulls');
    expect(toGitHubUnavailable(requestError({ status: 500, url: 'http://[broken' })).data.path).toBeUndefined();
  });
});

describe('toGitHubUnavailable: how long GitHub asked us to wait', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: { name: string; headers: Record<string, string>; want: number | undefined | [number, number] }[] = [
    { name: 'retry-after in seconds', headers: { 'retry-after': '30' }, want: 30 },
    { name: 'retry-after of zero', headers: { 'retry-after': '0' }, want: 0 },
    { name: 'a negative retry-after is ignored', headers: { 'retry-after': '-5' }, want: undefined },
    { name: 'a retry-after that is not a number is ignored', headers: { 'retry-after': 'soon' }, want: undefined },
    { name: 'no header at all', headers: {}, want: undefined },
    { name: 'until the rate limit resets, when none remain', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + 120) }, want: [119, 121] },
    { name: 'a reset already past is no wait', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now - 120) }, want: 0 },
    { name: 'a reset while requests remain is not a wait', headers: { 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': String(now + 120) }, want: undefined },
    { name: 'a reset that is not a number is ignored', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'later' }, want: undefined },
    { name: 'retry-after wins over the reset', headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + 120) }, want: 7 },
  ];

  it.each(cases)('$name', ({ headers, want }) => {
    const seconds = toGitHubUnavailable(requestError({ status: 403, headers })).data.retryAfterSeconds;
    if (Array.isArray(want)) {
      expect(seconds).toBeGreaterThanOrEqual(want[0]);
      expect(seconds).toBeLessThanOrEqual(want[1]);
    } else expect(seconds).toBe(want);
  });
});
