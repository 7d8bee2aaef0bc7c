// Patterns from a fleet repo run on the linear-time engine (RE2 via re2js) or are refused
// where they are written: a ReDoS pattern is just a failed match, a backreference or a
// lookaround is an error at FILE:LINE:COL with a hint.
import { describe, expect, it } from 'vitest';
import { compileConfigSchema, configSchemaRegExpEngine } from '../../../src/model/config-schemas.ts';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { LINEAR_REGEXP_ENGINE, linearRegExp, toRe2Syntax } from '../../../src/model/linear-regexp.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { formatProblem } from '../../../src/model/problems.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const FW = 'catalog/firewall/3.0.0.yaml';
const GW = 'gateways/acme/acme-sh-02.yaml';
const REDOS_VALUE = 'a'.repeat(48) + '!';

/** The firewall's configSchema gains `tag` with `schema`; line 26 of the catalog file. */
function withTagSchema(files: Record<string, string>, schema: string): void {
  edit(files, FW, '      logDropped: { type: boolean }\n', `      logDropped: { type: boolean }\n      tag: ${schema}\n`);
}

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const result = await loadFleet({ reader: new MemoryReader({ files }) });
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('catalog patterns run on the linear-time engine', () => {
  it('compiles configSchema patterns with re2js, not with V8 RegExp', () => {
    // GIVEN the ajv that compiles catalog schemas
    // THEN its regExp engine is the RE2 one, and what it builds is RE2's
    expect(configSchemaRegExpEngine()).toBe(linearRegExp);
    expect(linearRegExp('^(a+)+$', 'u').engine).toBe(LINEAR_REGEXP_ENGINE);
    expect(LINEAR_REGEXP_ENGINE).toBe('re2js');
  });

  it('validates the ReDoS pattern ^(a+)+$ against a 49-character value as a plain failed match', async () => {
    // GIVEN a configSchema with the classic exponential pattern and a config that almost matches it
    const files = templateFiles();
    withTagSchema(files, '{ type: string, pattern: "^(a+)+$" }');
    edit(files, GW, 'config: { defaultPolicy: accept }', `config: { defaultPolicy: accept, tag: "${REDOS_VALUE}" }`);
    // WHEN the fleet loads THEN the value is refused where it is written, as a mismatch
    expect(await problemsOf(files)).toEqual([`${GW}:18:45: CONFIG_INVALID: config of firewall 3.0.0: tag: \`${REDOS_VALUE}\` does not match ^(a+)+$`]);
  });

  it('accepts a value the ReDoS pattern matches', async () => {
    const files = templateFiles();
    withTagSchema(files, '{ type: string, pattern: "^(a+)+$" }');
    edit(files, GW, 'config: { defaultPolicy: accept }', `config: { defaultPolicy: accept, tag: "${'a'.repeat(48)}" }`);
    expect(await problemsOf(files)).toEqual([]);
  });

  it.each([
    ['a backreference', '"^(a)\\\\1$"', 'backreference \\1 is not supported'],
    ['a named backreference', '"^(?<x>a)\\\\k<x>$"', 'named backreference \\k<…> is not supported'],
    ['a lookahead', '"^(?=a)a+$"', 'lookahead (?= is not supported'],
    ['a negative lookahead', '"^(?!b)a+$"', 'lookahead (?! is not supported'],
    ['a lookbehind', '"(?<=a)b"', 'lookbehind (?<= is not supported'],
  ])('refuses %s in a pattern at FILE:LINE:COL with a hint', async (_name, pattern, reason) => {
    const files = templateFiles();
    withTagSchema(files, `{ type: string, pattern: ${pattern} }`);
    const problems = await problemsOf(files);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${FW}:26:37: PATTERN_UNSUPPORTED: configSchema pattern .*: ${reason.replace(/[\\(?<…=!]/g, '\\$&')} \\(patterns run on a linear-time engine \\(RE2\\): write it without backreferences or lookaround`));
  });

  it('refuses a patternProperties key at the key, and a nested pattern at its own line', async () => {
    const files = templateFiles();
    withTagSchema(files, '{ type: object, patternProperties: { "^(x)\\\\1$": { type: string } }, properties: { inner: { type: array, items: { type: string, pattern: "(?!z)" } } } }');
    expect(await problemsOf(files)).toEqual([
      `${FW}:26:49: PATTERN_UNSUPPORTED: configSchema pattern "^(x)\\\\1$": backreference \\1 is not supported (patterns run on a linear-time engine (RE2): write it without backreferences or lookaround, e.g. match the pieces separately)`,
      `${FW}:26:149: PATTERN_UNSUPPORTED: configSchema pattern "(?!z)": lookahead (?! is not supported (patterns run on a linear-time engine (RE2): write it without backreferences or lookaround, e.g. match the pieces separately)`,
    ]);
  });

  it('refuses a repeat count RE2 does not take, with a hint to use maxLength', async () => {
    const files = templateFiles();
    withTagSchema(files, '{ type: string, pattern: "^a{2000}$" }');
    expect(await problemsOf(files)).toEqual([
      `${FW}:26:37: PATTERN_UNSUPPORTED: configSchema pattern "^a{2000}$": not supported by the linear-time engine: invalid repeat count: \`{2000}\` (repeat counts go up to 1000; use maxLength for longer values)`,
    ]);
  });

  it('keeps the ECMAScript meaning of what the two dialects write differently', () => {
    const matches = (pattern: string, value: string) => linearRegExp(pattern, 'u').test(value);
    const cases: [string, string, boolean][] = [
      ['^\\u00e9$', 'é', true],
      ['^\\u{1F600}$', '😀', true],
      ['^.$', '\n', false],
      ['^.$', '\r', false],
      ['^.$', 'x', true],
      ['^\\s$', '\u00a0', true],
      ['^\\S+$', 'a\u3000b', false],
      ['^[\\s,]+$', ' ,\u2003', true],
      ['^\\cJ$', '\n', true],
      ['^[]$', '', false],
      ['^[^]$', '\n', true],
      ['^\\p{Lu}+$', 'ÀB', true],
      ['^a/b$', 'a/b', true],
      ['^[a-z]{2,5}$', 'abcdef', false],
      ['abc', 'xxabcxx', true],
    ];
    for (const [pattern, value, want] of cases) {
      expect({ pattern, value, got: matches(pattern, value) }).toEqual({ pattern, value, got: want });
      expect({ pattern, value, v8: new RegExp(pattern, 'u').test(value) }).toEqual({ pattern, value, v8: want });
    }
  });

  it('says why a pattern has no RE2 form, without compiling it', () => {
    expect(toRe2Syntax('(a)\\1')).toEqual({ ok: false, unsupported: expect.objectContaining({ reason: 'backreference \\1 is not supported' }) });
    expect(toRe2Syntax('[\\S]')).toEqual({ ok: false, unsupported: expect.objectContaining({ reason: '\\S inside a character class is not supported' }) });
    expect(toRe2Syntax('^[\\1]$')).toEqual({ ok: true, source: '^[\\1]$' });
  });

  it('caches a refused schema by its content hash, so a refused catalog stays refused', () => {
    const first = compileConfigSchema('test-refused', { type: 'string', pattern: '(?=x)' });
    expect(typeof first).not.toBe('function');
    expect(compileConfigSchema('test-refused', { type: 'string', pattern: '(?=x)' })).toBe(first);
  });
});
