// No GitHub credential reaches a log line or an error text: the known secrets wherever they
// appear, and GitHub's token shapes, authorization headers and private keys by pattern.
import { describe, expect, it } from 'vitest';
import { MIN_CONFIGURED_SECRET_LENGTH, SecretRedactor, WIRE_SECRETS_KEPT, patternRedactor } from '../../../src/report/redact.ts';

const chars = (n: number, alphabet = 'aB3_') => Array.from({ length: n }, (_, i) => alphabet[i % alphabet.length]).join('');

describe('patternRedactor: credentials recognised by their shape', () => {
  const cases: [name: string, text: string, want: string][] = [
    // GitHub tokens: ghp_ (personal), gho_ (OAuth), ghu_ (user-to-server), ghs_ (installation), ghr_ (refresh).
    ['a personal token', `token is ghp_${chars(36)}.`, 'token is [REDACTED].'],
    ['an OAuth token', `gho_${chars(16)}`, '[REDACTED]'],
    ['a user-to-server token', `x gtu ghu_${chars(20)} y`, 'x gtu [REDACTED] y'],
    ['an installation token', `(ghs_${chars(40)})`, '([REDACTED])'],
    ['a refresh token', `ghr_${chars(16)}`, '[REDACTED]'],
    ['a gh*_ token of 15 characters is too short to be one', `ghp_${chars(15)}`, `ghp_${chars(15)}`],
    ['another gh?_ prefix is not a token', `ghx_${chars(20)}`, `ghx_${chars(20)}`],
    ['a fine-grained personal token', `github_pat_${chars(20)}`, '[REDACTED]'],
    ['a fine-grained token of 19 characters is too short to be one', `github_pat_${chars(19)}`, `github_pat_${chars(19)}`],
    // A GitHub App's JWT.
    ['a JWT', `jwt eyJ${chars(8, 'ab-_')}.${chars(8)}.${chars(8)} sent`, 'jwt [REDACTED] sent'],
    ['a JWT with a short header is not one', `eyJ${chars(7)}.${chars(8)}.${chars(8)}`, `eyJ${chars(7)}.${chars(8)}.${chars(8)}`],
    ['a JWT with a short payload is not one', `eyJ${chars(8)}.${chars(7)}.${chars(8)}`, `eyJ${chars(8)}.${chars(7)}.${chars(8)}`],
    ['a JWT with a short signature is not one', `eyJ${chars(8)}.${chars(8)}.${chars(7)}`, `eyJ${chars(8)}.${chars(8)}.${chars(7)}`],
    // Whatever follows an authorization header, whichever scheme.
    ['an authorization header without a scheme', 'authorization: s3cr3tvalue', 'authorization: [REDACTED]'],
    ['an authorization header with no space', 'authorization:s3cr3tvalue', 'authorization:[REDACTED]'],
    ['an authorization header with spaces around the colon', 'Authorization  :  s3cr3tvalue next', 'Authorization  :  [REDACTED] next'],
    ['an authorization header with a token scheme', 'authorization: token s3cr3tvalue', 'authorization: [REDACTED]'],
    ['an authorization header with a bearer scheme', 'AUTHORIZATION: Bearer s3cr3tvalue', 'AUTHORIZATION: [REDACTED]'],
    ['an authorization header with a basic scheme', 'authorization=basic dXNlcjpwYXNz', 'authorization=[REDACTED]'],
    ['a quoted authorization field in JSON', '{"authorization":"token s3cr3tvalue","x":1}', '{"authorization":"[REDACTED]","x":1}'],
    ['a single-quoted authorization field', "{'authorization': 'short'}", "{'authorization': '[REDACTED]'}"],
    ['an authorization value up to a comma', 'authorization: s3cr3t,next', 'authorization: [REDACTED],next'],
    // token / bearer followed by a credential.
    ['token and a credential', 'sent token s3cr3tvalue', 'sent [REDACTED]'],
    ['bearer and a credential with URL-safe characters', 'Bearer ab.cd-ef~gh+ij/kl=', '[REDACTED]'],
    ['token and a tab', 'token\ts3cr3tvalue', '[REDACTED]'],
    ['token and 7 characters is not a credential', 'token abcdefg', 'token abcdefg'],
    ['token without a space is a word', 'tokens3cr3tvalue', 'tokens3cr3tvalue'],
    // Private keys, whole.
    ['an RSA private key', 'key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- end', 'key [REDACTED] end'],
    ['a PKCS#8 private key', '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----', '[REDACTED]'],
    ['an encrypted private key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----', '[REDACTED]'],
    ['two private keys, each on its own', '-----BEGIN EC PRIVATE KEY-----\na\n-----END EC PRIVATE KEY----- and -----BEGIN EC PRIVATE KEY-----\nb\n-----END EC PRIVATE KEY-----', '[REDACTED] and [REDACTED]'],
    ['a public key is not a secret', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['plain text', 'GitHub is unavailable (server-error, HTTP 502) for GET /repos/soc/fleet/pulls/7', 'GitHub is unavailable (server-error, HTTP 502) for GET /repos/soc/fleet/pulls/7'],
  ];

  it.each(cases)('%s', (_, text, want) => {
    expect(patternRedactor.redact(text)).toBe(want);
  });
});

describe('SecretRedactor: the secrets it knows', () => {
  it('replaces a known secret everywhere, even where no pattern would find it', () => {
    const redactor = new SecretRedactor(['tok_enterprise_1234']);
    expect(redactor.redact('a tok_enterprise_1234 b tok_enterprise_1234')).toBe('a [REDACTED] b [REDACTED]');
  });

  it('learns secrets after it was made', () => {
    const redactor = new SecretRedactor();
    redactor.add('hunter22');
    expect(redactor.redact('pw=hunter22;')).toBe('pw=[REDACTED];');
  });

  it('replaces a credential seen on the wire also base64- and base64url-encoded, as a server echoing it back would send it', () => {
    const redactor = new SecretRedactor();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyfQ.c2lnbmF0dXJl-_x';
    redactor.add(jwt);
    const echo = `got ${Buffer.from(jwt).toString('base64')} and ${Buffer.from(jwt).toString('base64url')}`;
    expect(redactor.redact(echo)).toBe('got [REDACTED] and [REDACTED]');
  });

  it('keeps only the last credentials seen on the wire, so a long-running reconciler\'s list does not grow', () => {
    const redactor = new SecretRedactor();
    const seen = Array.from({ length: WIRE_SECRETS_KEPT + 1 }, (_, i) => `wire-cred-${String(i).padStart(4, '0')}`);
    for (const secret of seen) redactor.add(secret);
    expect(redactor.redact(seen[0]!)).toBe(seen[0]);
    expect(redactor.redact(seen[1]!)).toBe('[REDACTED]');
    expect(redactor.redact(seen.at(-1)!)).toBe('[REDACTED]');
  });

  it('ignores secrets shorter than 8 characters and missing ones', () => {
    const redactor = new SecretRedactor(['hunter2', '']);
    redactor.add(undefined);
    redactor.add('abc');
    expect(redactor.redact('hunter2 abc')).toBe('hunter2 abc');
  });

  it('knows no secret unless told', () => {
    expect(new SecretRedactor().redact('hunter22 tok_enterprise_1234')).toBe('hunter22 tok_enterprise_1234');
  });

  it('applies its patterns too', () => {
    expect(new SecretRedactor(['hunter22']).redact(`hunter22 ghp_${chars(20)}`)).toBe('[REDACTED] [REDACTED]');
  });
});

describe('SecretRedactor.redactValue: every string of a JSON-able value', () => {
  it('redacts strings, lists and nested maps, and leaves other values alone', () => {
    const redactor = new SecretRedactor(['hunter22']);
    expect(redactor.redactValue({
      message: 'pw hunter22',
      list: ['hunter22', 3, true, null],
      nested: { deeper: { text: 'token s3cr3tvalue' }, n: 0, missing: null },
    })).toEqual({
      message: 'pw [REDACTED]',
      list: ['[REDACTED]', 3, true, null],
      nested: { deeper: { text: '[REDACTED]' }, n: 0, missing: null },
    });
  });

  it('redacts the values of credential fields whatever they hold', () => {
    expect(patternRedactor.redactValue({
      authorization: 'anything', Authorization: { a: 1 }, token: 42, private_key: 'k', privatekey: 'k', privateKey: ['k'], jwt: 'j',
      tokens: 'kept', 'x-token': 'kept', private_keys: 'kept', jwtish: 'kept',
    })).toEqual({
      authorization: '[REDACTED]', Authorization: '[REDACTED]', token: '[REDACTED]', private_key: '[REDACTED]', privatekey: '[REDACTED]', privateKey: '[REDACTED]', jwt: '[REDACTED]',
      tokens: 'kept', 'x-token': 'kept', private_keys: 'kept', jwtish: 'kept',
    });
  });

  it('returns scalars as they are', () => {
    expect([1, false, null, undefined].map((v) => patternRedactor.redactValue(v))).toEqual([1, false, null, undefined]);
    expect(patternRedactor.redactValue(`ghp_${chars(20)}`)).toBe('[REDACTED]');
  });
});

describe('SecretRedactor.addConfigured: a secret the runtime was given, in the forms it travels in', () => {
  it('replaces it as given, URL-encoded and base64-encoded', () => {
    const redactor = new SecretRedactor();
    redactor.addConfigured('p@ss/w0rd+x');
    const base64 = Buffer.from('p@ss/w0rd+x').toString('base64');
    expect(redactor.redact(`raw p@ss/w0rd+x, in a URL p%40ss%2Fw0rd%2Bx, echoed ${base64}`)).toBe('raw [REDACTED], in a URL [REDACTED], echoed [REDACTED]');
  });

  it('takes configured secrets from 4 characters on, shorter ones and missing ones not at all', () => {
    const redactor = new SecretRedactor();
    redactor.addConfigured('s3cr');
    redactor.addConfigured('abc');
    redactor.addConfigured(undefined);
    redactor.addConfigured('');
    expect(MIN_CONFIGURED_SECRET_LENGTH).toBe(4);
    expect(redactor.redact('s3cr abc')).toBe('[REDACTED] abc');
  });

  it('replaces a private key whole, and each of its lines when quoted line by line or JSON-escaped', () => {
    const body = ['MIIEowIBAAKCAQEAx7Lq2cW8hF3oZ9uK', 'c1N4d5e6f7g8h9i0j1k2l3m4n5o6p7q8', 'short'];
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body.join('\n')}\n-----END RSA PRIVATE KEY-----\n`;
    const redactor = new SecretRedactor();
    redactor.addConfigured(key);
    expect(redactor.redact(`key: ${key}`)).toBe('key: [REDACTED]');
    // The armour of a key cut in pieces is gone, so only the lines themselves can be recognised.
    expect(redactor.redact(`line 2: ${body[0]}; line 3: ${body[1]}`)).toBe('line 2: [REDACTED]; line 3: [REDACTED]');
    expect(redactor.redact(JSON.stringify({ pem: key }))).not.toContain(body[0]);
    // A line shorter than 16 characters is not taken on its own: it could be any word.
    expect(redactor.redact('short')).toBe('short');
  });

  it('replaces a secret that contains another one whole', () => {
    const redactor = new SecretRedactor();
    redactor.addConfigured('abcd');
    redactor.addConfigured('xxabcdyy');
    expect(redactor.redact('xxabcdyy abcd')).toBe('[REDACTED] [REDACTED]');
  });
});

describe('SecretRedactor.addCredentials: a user and password', () => {
  it('replaces the password and the Authorization: Basic value they make, not the user name', () => {
    const redactor = new SecretRedactor();
    redactor.addCredentials({ username: 'fleet-bot', password: 'hunter2-s3cret' });
    const basic = Buffer.from('fleet-bot:hunter2-s3cret').toString('base64');
    expect(redactor.redact(`fleet-bot hunter2-s3cret ${basic} hunter2-s3cret`.replace(/ /g, '|'))).toBe('fleet-bot|[REDACTED]|[REDACTED]|[REDACTED]');
  });

  it('adds nothing for an empty password', () => {
    const redactor = new SecretRedactor();
    redactor.addCredentials({ username: 'fleet-bot', password: '' });
    expect(redactor.redact(`fleet-bot ${Buffer.from('fleet-bot:').toString('base64')}`)).toBe(`fleet-bot ${Buffer.from('fleet-bot:').toString('base64')}`);
  });
});

describe('SecretRedactor.addUrlCredentials: the credentials a URL carries', () => {
  it('learns the password as written in the URL, decoded, and as basic auth', () => {
    const redactor = new SecretRedactor();
    redactor.addUrlCredentials('https://fleet-bot:p%40ss%3Aword@git.example.com/soc/fleet.git');
    const basic = Buffer.from('fleet-bot:p@ss:word').toString('base64');
    // No URL around them here, so only what the redactor learnt can find them.
    expect(redactor.redact(`decoded p@ss:word encoded p%40ss%3Aword basic ${basic}`)).toBe('decoded [REDACTED] encoded [REDACTED] basic [REDACTED]');
  });

  it('takes a token alone in the user part as the secret', () => {
    const redactor = new SecretRedactor();
    redactor.addUrlCredentials('https://tok_enterprise_1234@git.example.com/fleet.git');
    expect(redactor.redact('sent tok_enterprise_1234')).toBe('sent [REDACTED]');
  });

  it('learns nothing from a URL without credentials or a text that is not a URL', () => {
    const redactor = new SecretRedactor();
    redactor.addUrlCredentials('https://git.example.com/fleet.git');
    redactor.addUrlCredentials('/srv/git/fleet.git');
    redactor.addUrlCredentials('not a url at all');
    expect(redactor.redact('git.example.com fleet.git not a url at all')).toBe('git.example.com fleet.git not a url at all');
  });

  it('replaces user:password@ in any URL by pattern, even one it never saw', () => {
    expect(patternRedactor.redact('fetch http://bot:unknown-pass@10.0.0.1:8080/fleet.git failed')).toBe('fetch http://[REDACTED]@10.0.0.1:8080/fleet.git failed');
  });
});
