// The runtime's redactor knows every secret the reconciler was started with, whichever way it
// was given, and the forms it travels in.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactorFor } from '../../../src/runtime/secrets.ts';

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
const REPO = 'https://git.example.com/soc/fleet.git';

describe('redactorFor: the secrets of the runtime options', () => {
  it('Git user and password from ESSG_GIT_USERNAME / ESSG_GIT_PASSWORD: the password, URL-encoded, and the basic auth header', () => {
    const redactor = redactorFor({ repo: REPO, gitAuth: { username: 'fleet-bot', password: 'pa ss/w0rd' } });
    const text = `pw=pa ss/w0rd enc=${encodeURIComponent('pa ss/w0rd')} basic=${basic('fleet-bot', 'pa ss/w0rd')}`;
    expect(redactor.redact(text)).toBe('pw=[REDACTED] enc=[REDACTED] basic=[REDACTED]');
  });

  it('a Git token: the token and the basic auth header it is sent in (as x-access-token)', () => {
    const redactor = redactorFor({ repo: REPO, gitAuth: { token: 'glpat-abcdefghijkl' } });
    expect(redactor.redact(`glpat-abcdefghijkl ${basic('x-access-token', 'glpat-abcdefghijkl')}`)).toBe('[REDACTED] [REDACTED]');
  });

  it('credentials in the repo URL', () => {
    const redactor = redactorFor({ repo: 'https://fleet-bot:url-pass-99@git.example.com/soc/fleet.git' });
    expect(redactor.redact(`url-pass-99 ${basic('fleet-bot', 'url-pass-99')}`)).toBe('[REDACTED] [REDACTED]');
  });

  it('a GitHub token of any shape, even one no pattern knows', () => {
    const redactor = redactorFor({ repo: REPO, githubAuth: { token: 'enterprise-token-1' } });
    expect(redactor.redact('GitHub said enterprise-token-1 is bad')).toBe('GitHub said [REDACTED] is bad');
  });

  it('a GitHub App key: whole and line by line', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const redactor = redactorFor({ repo: REPO, githubAuth: { appId: 1, installationId: 2, privateKey } });
    const line = privateKey.split('\n')[3]!;
    expect(line.length).toBeGreaterThanOrEqual(16);
    expect(redactor.redact(`key ${privateKey}`)).toBe('key [REDACTED]');
    expect(redactor.redact(`one line: ${line}`)).toBe('one line: [REDACTED]');
  });

  it('the webhook secret', () => {
    const redactor = redactorFor({ repo: REPO, webhookSecret: 'hook-secret-7' });
    expect(redactor.redact('hook-secret-7 and hook-secret-%37')).toBe('[REDACTED] and hook-secret-%37');
  });

  it('all of them at once, and nothing else', () => {
    const redactor = redactorFor({ repo: 'https://u:in-url-pass@git.example.com/f.git', gitAuth: { username: 'fleet-bot', password: 'git-pass-1' }, githubAuth: { token: 'gh-token-1' }, webhookSecret: 'hook-secret-7' });
    expect(redactor.redact('in-url-pass git-pass-1 gh-token-1 hook-secret-7 fleet-bot acme-bj-01')).toBe('[REDACTED] [REDACTED] [REDACTED] [REDACTED] fleet-bot acme-bj-01');
  });
});
