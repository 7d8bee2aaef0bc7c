// Each catalog version publishes a configSchema; gateways' configs are validated against
// it. Compiled once per catalog file (by content hash), with their own ajv instance so a
// catalog schema can never alter the fleet-repo schemas. Their patterns come from the repo,
// so they run on the linear-time engine (see linear-regexp.ts), never on V8's backtracking one.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { linearRegExp } from './linear-regexp.ts';
import { unsupportedSchemaPatterns, type UnsupportedSchemaPattern } from './schema-patterns.ts';
import { FleetError } from '../errors/fleet-error.ts';

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, addUsedSchema: false, verbose: true, code: { regExp: linearRegExp } });
addFormats.default(ajv);

/** Why a configSchema is unusable: ajv's meta-schema errors (with paths) where it has them. */
export class ConfigSchemaError extends FleetError<{ readonly errors: readonly ErrorObject[]; readonly patterns: readonly UnsupportedSchemaPattern[] }> {
  readonly code = 'CONFIG_SCHEMA_INVALID';
  constructor(message: string, readonly errors: readonly ErrorObject[] = [], readonly patterns: readonly UnsupportedSchemaPattern[] = []) {
    super(message, { errors, patterns });
  }
}

const compiled = new Map<string, ValidateFunction | ConfigSchemaError>();

/** A validator for `schema`, or the error that says why it is not a usable JSON Schema. */
export function compileConfigSchema(cacheKey: string, schema: unknown): ValidateFunction | ConfigSchemaError {
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  let result: ValidateFunction | ConfigSchemaError;
  const refusedPatterns = schema && typeof schema === 'object' ? unsupportedSchemaPatterns(schema) : [];
  if (schema && typeof schema === 'object' && '$id' in schema) {
    result = new ConfigSchemaError('configSchema must not set $id');
  } else if (!ajv.validateSchema(schema as object)) {
    result = new ConfigSchemaError('configSchema is not a valid JSON Schema', ajv.errors ?? []);
  } else if (refusedPatterns.length > 0) {
    result = new ConfigSchemaError('configSchema has patterns the linear-time engine cannot run', [], refusedPatterns);
  } else {
    try {
      result = ajv.compile(schema as object);
    } catch (error) {
      result = new ConfigSchemaError(error instanceof Error ? error.message : String(error));
    }
  }
  compiled.set(cacheKey, result);
  return result;
}

/** The regular-expression engine catalog patterns are compiled with (tests prove it is the linear one). */
export function configSchemaRegExpEngine(): unknown {
  return ajv.opts.code.regExp;
}
