// Validates parsed documents against schemas/*.schema.json with ajv (all errors, defaults
// filled in) and turns each ajv error into a problem at the YAML node at fault.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { didYouMean } from './hint.ts';
import type { Problem, ProblemCode } from './problems.ts';
import { isRfc3339DateTime } from './rfc3339.ts';
import type { ParsedFile } from './yaml-source.ts';

export const KINDS = ['Fleet', 'Customer', 'Gateway', 'ServiceVersion', 'Response'] as const;
export type Kind = (typeof KINDS)[number];

const schemaDir = new URL('../../schemas/', import.meta.url);
function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fileURLToPath(new URL(name, schemaDir)), 'utf8')) as Record<string, unknown>;
}

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
  addFormats.default(ajv);
  // Stricter than ajv-formats' date-time: what it lets through would never expire (see rfc3339.ts).
  ajv.addFormat('date-time', isRfc3339DateTime);
  ajv.addSchema(loadSchema('common.schema.json'));
  return ajv;
}

let validators: Map<Kind, ValidateFunction> | undefined;
function validatorFor(kind: Kind): ValidateFunction {
  if (!validators) {
    const ajv = createAjv();
    validators = new Map(KINDS.map((k) => [k, ajv.compile(loadSchema(`${k.toLowerCase()}.schema.json`))]));
  }
  return validators.get(kind)!;
}

/** Validates (and fills defaults into) `file.value` as `kind`; returns its problems. */
export function checkSchema(file: ParsedFile, kind: Kind): Problem[] {
  const validate = validatorFor(kind);
  if (validate(file.value)) return [];
  return toProblems(file, validate.errors ?? [], validate.schema as SchemaNode);
}

type SchemaNode = Record<string, unknown>;

/**
 * ajv reports a failed `oneOf`/`if` both as the branch errors and as the combinator's own
 * error; keep the errors a user can act on and drop the combinators' summaries.
 */
function actionable(errors: readonly ErrorObject[]): ErrorObject[] {
  const summaries = new Set(['oneOf', 'anyOf', 'if', 'allOf']);
  const kept = errors.filter((e) => !summaries.has(e.keyword));
  return kept.length > 0 ? kept : [...errors];
}

export function toProblems(file: ParsedFile, errors: readonly ErrorObject[], rootSchema?: SchemaNode): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of actionable(errors)) {
    const segments = pointerSegments(error.instancePath, file.value);
    const problem = describe(file, error, segments, rootSchema);
    const key = `${problem.line}:${problem.col}:${problem.code}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describe(file: ParsedFile, error: ErrorObject, segments: (string | number)[], rootSchema?: SchemaNode): Problem {
  const where = segments.length > 0 ? segments.join('.') : '(document)';
  const at = (code: ProblemCode, message: string, pos = file.locate(segments), hint?: string): Problem => ({
    file: file.path,
    line: pos.line,
    col: pos.col,
    code,
    message,
    ...(hint ? { hint } : {}),
  });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return at('SCHEMA_REQUIRED', `${where}: missing required field \`${String(params.missingProperty)}\``);
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as SchemaNode | undefined) ?? {});
      return at('SCHEMA_UNKNOWN_FIELD', `${where}: unknown field \`${field}\``, file.locate([...segments, field], 'key'), didYouMean(field, allowed) ?? (allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : undefined));
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = valueAt(file.value, segments);
      return at('SCHEMA_ENUM', `${where}: \`${String(value)}\` is not one of ${allowed.join(', ')}`, undefined, didYouMean(String(value), allowed));
    }
    case 'const': {
      const value = valueAt(file.value, segments);
      return at('SCHEMA_CONST', `${where}: must be \`${String(params.allowedValue)}\`, not \`${String(value)}\``);
    }
    case 'type': {
      const value = valueAt(file.value, segments);
      const hint = params.type === 'string' && (typeof value === 'number' || typeof value === 'boolean') ? 'quote the value: YAML reads it as a ' + typeof value : undefined;
      return at('SCHEMA_TYPE', `${where}: must be ${String(params.type)}, not ${describeType(value)}`, undefined, hint);
    }
    case 'pattern': {
      const value = valueAt(file.value, segments);
      if (segments.at(-1) === 'image' && typeof value === 'string' && !/@sha256:[0-9a-f]{64}$/.test(value)) {
        return at('IMAGE_NOT_PINNED', `${where}: image \`${value}\` is not pinned by digest`, undefined, 'use repository@sha256:<64 hex digits>; floating tags can change under a running fleet');
      }
      return at('SCHEMA_PATTERN', `${where}: \`${String(value)}\` ${describePattern(error, rootSchema)}`);
    }
    case 'format':
      return at('SCHEMA_FORMAT', `${where}: \`${String(valueAt(file.value, segments))}\` is not a valid ${String(params.format)}`, undefined, params.format === 'date-time' ? 'use RFC 3339, e.g. 2026-12-01T00:00:00Z' : undefined);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
    case 'maxProperties':
      return at('SCHEMA_RANGE', `${where}: ${error.message ?? 'out of range'}`);
    default:
      return at('SCHEMA_INVALID', `${where}: ${error.message ?? 'is invalid'}`);
  }
}

function describePattern(error: ErrorObject, _root?: SchemaNode): string {
  const description = (error.parentSchema as SchemaNode | undefined)?.description;
  return typeof description === 'string' ? `is not valid: ${description.replace(/\.$/, '')}` : `does not match ${String((error.params as SchemaNode).pattern)}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} \`${String(value)}\``;
}

/** JSON pointer → path segments, with array indexes as numbers. */
function pointerSegments(pointer: string, root: unknown): (string | number)[] {
  if (!pointer) return [];
  const segments: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const asIndex = Array.isArray(node) ? Number(segment) : NaN;
    const key = Number.isInteger(asIndex) ? asIndex : segment;
    segments.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return segments;
}

export function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
