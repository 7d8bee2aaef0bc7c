// Validates rendered objects offline against the Kubernetes OpenAPI schema of the target
// version (definitions extracted from swagger.json by scripts/import-types.sh) and against
// the KubeEdge ImagePrePullJob CRD's own schema. Objects are closed (no unknown fields),
// as `kubectl apply --validate=strict` and server-side apply field validation treat them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import type { K8sObject } from '../../../src/render/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
type Schema = Record<string, unknown>;

/** Makes a swagger 2.0 / CRD structural schema strict JSON Schema for ajv. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  if (source.format === 'int-or-string' || source['x-kubernetes-int-or-string'] === true) return { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'format' || key === 'description') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/definitions/', '#/$defs/');
    else out[key] = key === 'properties' || key === '$defs' ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, strict(v)])) : strict(value);
  }
  if (source.properties && source.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const KINDS: Readonly<Record<string, string>> = {
  'v1/Namespace': 'io.k8s.api.core.v1.Namespace',
  'v1/ConfigMap': 'io.k8s.api.core.v1.ConfigMap',
  'apps/v1/Deployment': 'io.k8s.api.apps.v1.Deployment',
  'batch/v1/Job': 'io.k8s.api.batch.v1.Job',
  'batch/v1/CronJob': 'io.k8s.api.batch.v1.CronJob',
};

function buildValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const swagger = JSON.parse(readFileSync(path.join(here, 'fixtures/k8s-openapi-definitions.json'), 'utf8')) as { definitions: Schema };
  // IntOrString and Quantity are strings with a custom format in swagger.json; Quantity
  // also accepts numbers on the wire.
  const defs = strict(swagger.definitions) as Record<string, Schema>;
  defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { anyOf: [{ type: 'string', pattern: '^[+-]?[0-9.]+([eEinumkKMGTP]*[-+]?[0-9]*)$' }, { type: 'number' }] };
  ajv.addSchema({ $id: 'k8s', $defs: defs });
  const validators = new Map<string, ValidateFunction>();
  for (const [kind, def] of Object.entries(KINDS)) validators.set(kind, ajv.compile({ $ref: `k8s#/$defs/${def}` }));
  const crd = parse(readFileSync(path.join(root, 'imports/crds/operations_v1alpha2_imageprepulljob.yaml'), 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const v1alpha2 = crd.spec.versions.find((version) => version.name === 'v1alpha2');
  if (!v1alpha2) throw new Error('the ImagePrePullJob CRD has no v1alpha2');
  validators.set('operations.kubeedge.io/v1alpha2/ImagePrePullJob', ajv.compile(strict(v1alpha2.schema.openAPIV3Schema) as Schema));
  return validators;
}

let validators: Map<string, ValidateFunction> | undefined;

/** The schema errors of one object, as `path: message` lines; empty when it is valid. */
export function schemaErrors(object: K8sObject): string[] {
  validators ??= buildValidators();
  const validate = validators.get(`${object.apiVersion}/${object.kind}`);
  if (!validate) return [`no schema for ${object.apiVersion} ${object.kind}`];
  const data: unknown = object;
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${object.kind}/${object.metadata.name}${error.instancePath}: ${error.message} ${JSON.stringify(error.params)}`);
}
