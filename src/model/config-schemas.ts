// Each catalog version publishes a configSchema; gateways' configs are validated against
// it. Compiled once per catalog file (by content hash), with their own ajv instance so a
// catalog schema can never alter the fleet-repo schemas.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, addUsedSchema: false, verbose: true });
addFormats.default(ajv);
const compiled = new Map<string, ValidateFunction | Error>();

/** A validator for `schema`, or the Error that says why it is not a usable JSON Schema. */
export function compileConfigSchema(cacheKey: string, schema: unknown): ValidateFunction | Error {
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  let result: ValidateFunction | Error;
  try {
    if (schema && typeof schema === 'object' && '$id' in schema) throw new Error('configSchema must not set $id');
    result = ajv.compile(schema as object);
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  compiled.set(cacheKey, result);
  return result;
}
