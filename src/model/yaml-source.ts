// Parses one fleet file into a plain value plus a way to find the line and column of
// any path inside it. Refuses hostile input (huge, non-UTF-8, alias bombs, duplicate
// keys, absurd nesting) with a problem instead of a crash or a hang.
import jsyaml from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Problem, ProblemCode } from './problems.ts';

export const LIMITS = {
  /** A fleet file larger than this is refused unread (a gateway file is a few hundred bytes). */
  maxFileBytes: 256 * 1024,
  /** Alias expansions per document: enough for honest reuse, far below a "billion laughs". */
  maxAliasCount: 100,
  /** Nesting deeper than this is refused before the recursive composer can exhaust the stack. */
  maxDepth: 64,
} as const;

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface ParsedFile {
  readonly path: string;
  readonly value: unknown;
  /** Line and column of the node at `segments` (or of its nearest existing parent). */
  locate(segments: readonly (string | number)[], target?: 'value' | 'key'): Position;
}

export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; problems: Problem[] };

const decoder = new TextDecoder('utf-8', { fatal: true });

function problem(file: string, code: ProblemCode, message: string, pos: Position = { line: 1, col: 1 }, hint?: string): Problem {
  return { file, line: pos.line, col: pos.col, code, message, ...(hint ? { hint } : {}) };
}

/**
 * Nesting depth of flow and block collections, measured on the raw text so that a
 * pathological file never reaches the recursive composer. Counts flow brackets and
 * indentation steps; an over-estimate only ever refuses files no human writes.
 */
function firstTooDeep(text: string, limit: number): number | undefined {
  if (depthBound(text) <= limit) return undefined;
  let flow = 0;
  let quote: string | null = null;
  let comment = false;
  let lineIndent = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      comment = false;
      // Only block scalars span lines in fleet files; an unclosed quote ends here for counting.
      quote = null;
      atLineStart = true;
      lineIndent = 0;
      continue;
    }
    if (atLineStart) {
      if (ch === ' ' || ch === '-') {
        lineIndent++;
        continue;
      }
      atLineStart = false;
      // Two columns per block level is the tightest indentation YAML allows in practice.
      if (Math.floor(lineIndent / 2) + flow > limit) return i;
    }
    if (comment) continue;
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = null;
      continue;
    }
    const startsToken = i === 0 || ' \t[{,:-'.includes(text[i - 1]!);
    if (ch === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t' || text[i - 1] === '\n')) comment = true;
    else if ((ch === '"' || ch === "'") && startsToken) quote = ch;
    else if (ch === '[' || ch === '{') {
      flow++;
      if (flow + Math.floor(lineIndent / 2) > limit) return i;
    } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
  }
  return undefined;
}

/**
 * An upper bound of what `firstTooDeep` counts, in one cheap pass: every opening bracket in the
 * file plus the deepest line indentation. A file within it (every honest fleet file) needs no
 * closer look.
 */
function depthBound(text: string): number {
  let brackets = 0;
  let indent = 0;
  let deepest = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      atLineStart = true;
      indent = 0;
    } else if (atLineStart && (code === 32 || code === 45)) {
      if (++indent > deepest) deepest = indent;
    } else {
      atLineStart = false;
      if (code === 91 || code === 123) brackets++;
    }
  }
  return brackets + Math.floor(deepest / 2);
}

export function parseFleetFile(path: string, bytes: Uint8Array): ParseResult {
  if (bytes.byteLength > LIMITS.maxFileBytes) {
    return { ok: false, problems: [problem(path, 'FILE_TOO_LARGE', `file is larger than ${LIMITS.maxFileBytes / 1024} KiB; fleet files are small, this one is refused unread`)] };
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const offset = firstInvalidByte(bytes);
    return { ok: false, problems: [problem(path, 'NOT_UTF8', `file is not valid UTF-8 (byte ${offset})`, positionOfByte(bytes, offset), 'save the file as UTF-8')] };
  }
  const deepAt = firstTooDeep(text, LIMITS.maxDepth);
  if (deepAt !== undefined) {
    // LineCounter is filled by the parser; count lines by hand for this early exit.
    const before = text.slice(0, deepAt);
    const line = before.split('\n').length;
    const col = deepAt - before.lastIndexOf('\n');
    return { ok: false, problems: [problem(path, 'YAML_TOO_DEEP', `nesting is deeper than ${LIMITS.maxDepth} levels`, { line, col })] };
  }
  return parseFast(path, text) ?? parseWithPositions(path, text);
}

/** An anchor or alias token; a false positive (e.g. `*` in a quoted cron) only costs the slower path. */
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:-])[&*][^\s[\]{},]/m;

/**
 * The fast path for clean files: js-yaml (core schema, duplicate keys refused) reads a
 * typical fleet file ten times faster than the position-keeping parser, and positions are
 * only needed when something is wrong, so `locate` parses again on its first call. Any
 * file the fast path does not accept as-is goes to the full parser, which alone reports
 * problems.
 */
function parseFast(path: string, text: string): ParseResult | undefined {
  if (ANCHOR_OR_ALIAS.test(text)) return undefined;
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  if (value === undefined || value === null) return undefined;
  let located: ParsedFile | undefined;
  return {
    ok: true,
    file: {
      path,
      value,
      locate: (segments, target) => {
        if (!located) {
          const full = parseWithPositions(path, text);
          if (!full.ok) return { line: 1, col: 1 };
          located = full.file;
        }
        return located.locate(segments, target);
      },
    },
  };
}

function parseWithPositions(path: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };

  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  } catch (error) {
    // The depth pre-check should make this unreachable; a stack overflow is still never a crash.
    if (error instanceof RangeError) return { ok: false, problems: [problem(path, 'YAML_TOO_DEEP', `nesting is too deep to read`)] };
    throw error;
  }
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || (list.length === 1 && list[0]!.contents === null)) {
    return { ok: false, problems: [problem(path, 'EMPTY_FILE', 'file holds no YAML document')] };
  }
  const problems: Problem[] = [];
  for (const doc of list) {
    for (const error of doc.errors) {
      const code: ProblemCode = error.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'YAML_SYNTAX';
      const message =
        code === 'DUPLICATE_KEY'
          ? `duplicate key \`${/^[^:\n]*/.exec(text.slice(error.pos[0]))![0].trim()}\`: each key appears once in a map`
          : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      problems.push(problem(path, code, message, position(error.pos[0])));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (list.length > 1) {
    return { ok: false, problems: [problem(path, 'MULTIPLE_DOCUMENTS', 'a fleet file holds exactly one YAML document', position(list[1]!.range[0]), 'split it into one file per object')] };
  }
  const doc = list[0]!;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RangeError) return { ok: false, problems: [problem(path, 'YAML_TOO_DEEP', `nesting is too deep to read`)] };
    if (/alias/i.test(message)) {
      return { ok: false, problems: [problem(path, 'ALIAS_LIMIT', `aliases expand to too many nodes (limit ${LIMITS.maxAliasCount}); refused as a resource-exhaustion risk`)] };
    }
    return { ok: false, problems: [problem(path, 'YAML_SYNTAX', message)] };
  }
  return {
    ok: true,
    file: {
      path,
      value,
      locate: (segments, target = 'value') => position(nodeOffset(doc, segments, target)),
    },
  };
}

/** Offset of the node at `segments`, or of the deepest existing ancestor. */
function nodeOffset(doc: Document.Parsed, segments: readonly (string | number)[], target: 'value' | 'key'): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offset;
      const keyNode = pair.key as Node;
      if (last && target === 'key') return keyNode.range?.[0] ?? offset;
      node = pair.value;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

/**
 * Offset of the first byte that makes the file invalid UTF-8, found by bisection over
 * prefixes; streaming decode accepts a prefix that only cuts a sequence short.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
    } catch {
      valid = false;
    }
    if (valid) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

function positionOfByte(bytes: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
