import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cgiEnvironment, parseCgiHeaders } from '../../../src/testbed/git-server.ts';

function request(url: string, headers: Record<string, string>): http.IncomingMessage {
  return { url, method: 'POST', httpVersion: '1.1', headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as http.IncomingMessage;
}

describe('test bed Git server CGI bridge', () => {
  it('takes the status from a CGI Status header and passes the others through', () => {
    expect(parseCgiHeaders('Status: 404 Not Found\r\nContent-Type: text/plain\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT')).toEqual({
      status: 404,
      headers: { 'Content-Type': 'text/plain', Expires: 'Fri, 01 Jan 1980 00:00:00 GMT' },
    });
    expect(parseCgiHeaders('Content-Type: application/x-git-upload-pack-result').status).toBe(200);
  });

  it('gives git http-backend the repo path, query, body headers and protocol header, and enables push', () => {
    const env = cgiEnvironment({
      req: request('/fleet.git/git-receive-pack?x=1', { 'content-type': 'application/x-git-receive-pack-request', 'content-encoding': 'gzip', 'git-protocol': 'version=2', authorization: 'Basic abc' }),
      root: '/srv/git',
      remoteUser: 'bot',
    });

    expect(env).toMatchObject({
      REQUEST_METHOD: 'POST',
      PATH_INFO: '/fleet.git/git-receive-pack',
      QUERY_STRING: 'x=1',
      CONTENT_TYPE: 'application/x-git-receive-pack-request',
      HTTP_CONTENT_ENCODING: 'gzip',
      HTTP_GIT_PROTOCOL: 'version=2',
      GIT_PROJECT_ROOT: '/srv/git',
      REMOTE_USER: 'bot',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
    });
    // The credentials stop at the bridge.
    expect(env.HTTP_AUTHORIZATION).toBeUndefined();
  });
});
