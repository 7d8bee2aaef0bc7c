// Regular expressions written in a fleet repo (a catalog configSchema's `pattern` and
// `patternProperties`) run on RE2 (re2js, a pure-JS port): its matching time is linear in
// the input, so no pattern a repo author writes can make validation backtrack for ever
// (`^(a+)+$` against 'aaa…!' takes exponential time on V8's engine). What RE2 cannot
// express — backreferences and lookaround — is refused, never handed to V8 instead.
import { RE2JS } from 're2js';
import { FleetError } from '../errors/fleet-error.ts';

/** The engine that runs repo patterns; tests and `essg validate` can name it. */
export const LINEAR_REGEXP_ENGINE = 're2js' as const;

/** Why a pattern cannot run on the linear engine, and what to write instead. */
export interface UnsupportedPattern {
  readonly reason: string;
  readonly hint: string;
}

/** A pattern refused at compile time; ajv turns a throw into a failed schema compile. */
export class UnsupportedPatternError extends FleetError<{ readonly pattern: string; readonly reason: string; readonly hint: string }> {
  readonly code = 'PATTERN_UNSUPPORTED';
  constructor(readonly pattern: string, readonly unsupported: UnsupportedPattern) {
    super(`pattern ${JSON.stringify(pattern)}: ${unsupported.reason}`, { pattern, ...unsupported });
  }
}

const LINEAR_HINT = 'patterns run on a linear-time engine (RE2): write it without backreferences or lookaround, e.g. match the pieces separately';

// ECMAScript's \s (what JSON Schema patterns mean) is wider than RE2's ASCII-only \s.
const JS_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';

/**
 * An ECMAScript (`u` mode) pattern as RE2 syntax with the same meaning, or why there is none.
 * Only what differs is rewritten: \u escapes, \c controls, `.` and \s; the rest is the same
 * in both dialects, and RE2's own parser refuses what it does not know.
 */
export function toRe2Syntax(pattern: string): { ok: true; source: string } | { ok: false; unsupported: UnsupportedPattern } {
  let out = '';
  let inClass = false;
  const refuse = (reason: string, hint = LINEAR_HINT) => ({ ok: false as const, unsupported: { reason, hint } });
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return refuse('ends with a lone backslash', 'escape a literal backslash as \\\\');
      if (/[1-9]/.test(next) && !inClass) return refuse(`backreference \\${next} is not supported`);
      if (next === 'k' && pattern[i + 2] === '<') return refuse('named backreference \\k<…> is not supported');
      if (next === 'u') {
        const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2));
        const plain = /^[0-9A-Fa-f]{4}/.exec(pattern.slice(i + 2));
        if (braced) {
          out += `\\x{${braced[1]}}`;
          i += 1 + braced[0].length;
          continue;
        }
        if (plain) {
          out += `\\x{${plain[0]}}`;
          i += 1 + 4;
          continue;
        }
      }
      if (next === 'c' && /[A-Za-z]/.test(pattern[i + 2] ?? '')) {
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 2;
        continue;
      }
      if (next === 's') {
        out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
        i += 1;
        continue;
      }
      if (next === 'S') {
        if (inClass) return refuse('\\S inside a character class is not supported', 'list the characters the class allows instead of \\S');
        out += `[^${JS_SPACE}]`;
        i += 1;
        continue;
      }
      out += c + next;
      i += 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      // ECMAScript's `[]` matches nothing and `[^]` anything; RE2 would read the `]` as a literal.
      if (pattern.startsWith('[]', i)) {
        out += '[^\\x{0}-\\x{10FFFF}]';
        i += 1;
        continue;
      }
      if (pattern.startsWith('[^]', i)) {
        out += '[\\x{0}-\\x{10FFFF}]';
        i += 2;
        continue;
      }
      inClass = true;
      out += c;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const ahead = pattern.slice(i + 2, i + 4);
      if (ahead.startsWith('=') || ahead.startsWith('!')) return refuse(`lookahead (?${ahead[0]} is not supported`);
      if (ahead === '<=' || ahead === '<!') return refuse(`lookbehind (?${ahead} is not supported`);
    }
    out += c === '.' ? '[^\\n\\r\\x{2028}\\x{2029}]' : c;
  }
  return { ok: true, source: out };
}

/** Why `pattern` cannot run on the linear engine, or undefined when it can. */
export function checkLinearPattern(pattern: string): UnsupportedPattern | undefined {
  const compiled = compileLinear(pattern);
  return compiled instanceof UnsupportedPatternError ? compiled.unsupported : undefined;
}

/** What ajv keeps per pattern: `test` runs on RE2; `toString` keys ajv's pattern cache. */
export interface LinearRegExp {
  readonly engine: typeof LINEAR_REGEXP_ENGINE;
  test(input: string): boolean;
  toString(): string;
}

function compileLinear(pattern: string): LinearRegExp | UnsupportedPatternError {
  const translated = toRe2Syntax(pattern);
  if (!translated.ok) return new UnsupportedPatternError(pattern, translated.unsupported);
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(translated.source);
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '');
    const hint = /repeat count/.test(detail) ? 'repeat counts go up to 1000; use maxLength for longer values' : LINEAR_HINT;
    return new UnsupportedPatternError(pattern, { reason: `not supported by the linear-time engine: ${detail}`, hint });
  }
  return { engine: LINEAR_REGEXP_ENGINE, test: (input) => re2.test(input), toString: () => `re2js:${pattern}` };
}

/**
 * ajv's `code.regExp`: compiles each schema pattern on RE2, or throws UnsupportedPatternError.
 * ajv ignores the `u` flag it passes: RE2 always matches by code point, as `u` mode does.
 */
export const linearRegExp = Object.assign(
  (pattern: string, _flags: string): LinearRegExp => {
    const compiled = compileLinear(pattern);
    if (compiled instanceof UnsupportedPatternError) throw compiled;
    return compiled;
  },
  { code: 'linearRegExp' },
);
