// Every regular expression a JSON Schema (2020-12) carries — `pattern` values and
// `patternProperties` keys, at any depth — with the path to it, so a pattern the linear
// engine refuses is reported at its own line rather than at the top of the schema.
import { checkLinearPattern, type UnsupportedPattern } from './linear-regexp.ts';

export interface UnsupportedSchemaPattern extends UnsupportedPattern {
  /** Path inside the schema to the `pattern` value or the `patternProperties` key. */
  readonly segments: readonly (string | number)[];
  /** `key` for a patternProperties key, `value` for a pattern. */
  readonly target: 'key' | 'value';
  readonly pattern: string;
}

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const SCHEMAS = ['items', 'additionalItems', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames', 'if', 'then', 'else', 'not'] as const;

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The patterns in `schema` that the linear-time engine cannot run, in document order. */
export function unsupportedSchemaPatterns(schema: unknown): UnsupportedSchemaPattern[] {
  const found: UnsupportedSchemaPattern[] = [];
  const visit = (node: unknown, at: readonly (string | number)[]): void => {
    if (!isNode(node)) return;
    if (typeof node.pattern === 'string') {
      const unsupported = checkLinearPattern(node.pattern);
      if (unsupported) found.push({ segments: [...at, 'pattern'], target: 'value', pattern: node.pattern, ...unsupported });
    }
    if (isNode(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) {
        const unsupported = checkLinearPattern(key);
        if (unsupported) found.push({ segments: [...at, 'patternProperties', key], target: 'key', pattern: key, ...unsupported });
      }
    }
    for (const keyword of SCHEMA_MAPS) {
      const map = node[keyword];
      if (isNode(map)) for (const [key, child] of Object.entries(map)) visit(child, [...at, keyword, key]);
    }
    for (const keyword of SCHEMA_LISTS) {
      const list = node[keyword];
      if (Array.isArray(list)) list.forEach((child, index) => visit(child, [...at, keyword, index]));
    }
    for (const keyword of SCHEMAS) {
      const child = node[keyword];
      if (Array.isArray(child)) child.forEach((c, index) => visit(c, [...at, keyword, index]));
      else visit(child, [...at, keyword]);
    }
  };
  visit(schema, []);
  return found;
}
