// The schemas are the contract's single source: documented field by field, draft 2020-12,
// and the TypeScript types generated from them are current.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateTypes, KIND_SCHEMAS } from '../../../scripts/gen-types.ts';

const SCHEMAS = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const GENERATED = fileURLToPath(new URL('../../../src/model/types.generated.ts', import.meta.url));

/** Paths of properties (and $defs) that have no description. */
function undocumented(node: unknown, at: string, out: string[]): string[] {
  if (Array.isArray(node)) {
    node.forEach((n, i) => undocumented(n, `${at}[${i}]`, out));
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const schema = node as Record<string, unknown>;
  for (const group of ['properties', '$defs'] as const) {
    const children = schema[group] as Record<string, Record<string, unknown>> | undefined;
    for (const [name, child] of Object.entries(children ?? {})) {
      if (typeof child.description !== 'string' || child.description.length < 8) out.push(`${at}.${group}.${name}`);
    }
  }
  // `if` holds conditions on fields documented elsewhere, not fields of its own.
  for (const [key, value] of Object.entries(schema)) if (key !== 'if') undocumented(value, `${at}.${key}`, out);
  return out;
}

describe('schemas', () => {
  it('has one draft 2020-12 schema per kind', async () => {
    const files = (await readdir(SCHEMAS)).filter((f) => f.endsWith('.schema.json')).sort();
    expect(files).toEqual(['common.schema.json', ...KIND_SCHEMAS.map((k) => `${k}.schema.json`)].sort());
    for (const file of files) {
      const schema = JSON.parse(await readFile(`${SCHEMAS}${file}`, 'utf8'));
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('describes every field', async () => {
    const missing: string[] = [];
    for (const file of (await readdir(SCHEMAS)).filter((f) => f.endsWith('.schema.json'))) {
      undocumented(JSON.parse(await readFile(`${SCHEMAS}${file}`, 'utf8')), file, missing);
    }
    expect(missing).toEqual([]);
  });

  it('generates the TypeScript types that are committed (run `npm run gen:types` after a schema change)', async () => {
    expect(await generateTypes()).toBe(await readFile(GENERATED, 'utf8'));
  });
});
