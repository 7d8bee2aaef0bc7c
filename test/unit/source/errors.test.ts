import { describe, expect, it } from 'vitest';
import { GitAuthError, GitFailedError, GitUnreachableError, redactUrl, toGitError } from '../../../src/source/errors.ts';
import { gitdirFor } from '../../../src/source/git-source.ts';
import { SecretRedactor } from '../../../src/report/redact.ts';
import { LruCache } from '../../../src/source/lru.ts';

describe('Git errors', () => {
  it('strip credentials from URLs, in the user part and in token query parameters', () => {
    expect(redactUrl('https://bot:ghp_abcdefghijklmnop1234@github.com/soc/fleet.git')).toBe('https://github.com/soc/fleet.git');
    expect(redactUrl('https://git.example.com/fleet.git?access_token=abc123')).toBe('https://git.example.com/fleet.git?access_token=REDACTED');
  });

  it('classify what isomorphic-git throws, keeping secrets out of the message', () => {
    const url = 'https://bot:topsecret99@git.example.com/fleet.git';
    const auth = toGitError({ error: { code: 'HttpError', message: 'HTTP Error: 401', data: { statusCode: 401 } }, url, redactor: new SecretRedactor(['topsecret99']) });
    expect(auth).toBeInstanceOf(GitAuthError);
    expect(auth.data).toEqual({ component: 'git', failure: 'auth', url: 'https://git.example.com/fleet.git', status: 401 });
    const down = toGitError({ error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), url });
    expect(down).toBeInstanceOf(GitUnreachableError);
    const other = toGitError({ error: new Error('bad pack from https://bot:topsecret99@git.example.com; token topsecret99'), url, redactor: new SecretRedactor(['topsecret99']) });
    expect(other).toBeInstanceOf(GitFailedError);
    expect(JSON.stringify(other)).not.toContain('topsecret99');
  });

  it('give sources of one repository one gitdir, whatever credentials their URLs carry', () => {
    expect(gitdirFor({ cacheDir: '/c', url: 'https://a:1@h/soc/fleet.git' })).toBe(gitdirFor({ cacheDir: '/c', url: 'https://h/soc/fleet.git' }));
    expect(gitdirFor({ cacheDir: '/c', url: 'https://h/soc/fleet.git' })).not.toBe(gitdirFor({ cacheDir: '/c', url: 'https://h/soc/other.git' }));
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entries beyond its weight', () => {
    const cache = new LruCache<string, string>(3);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    expect(cache.get('a')).toBe('A');
    cache.set('d', 'D');
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual(['A', undefined, 'C', 'D']);
    cache.set('big', 'X', 4);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(3);
  });
});
