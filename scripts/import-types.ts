// Helpers of scripts/import-types.sh: turn the Kubernetes OpenAPI (swagger.json of the
// k8s.io/kubernetes Go module) into
//   cdk8s-definitions SWAGGER OUT         the JSON-schema definitions `cdk8s import k8s@…` reads,
//                                         in the shape cdk8s publishes for each Kubernetes version;
//   openapi-fixture SWAGGER OUT DEF…      the definitions of the kinds we render and everything
//                                         they reference, for offline schema checks in unit tests.
import { readFile, writeFile } from 'node:fs/promises';

type Schema = Record<string, unknown>;
interface Swagger {
  readonly definitions: Record<string, Schema>;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * swagger.json types IntOrString and Quantity as plain strings with a custom format; cdk8s's
 * published schemas (and so the constructs users know) model them as unions, which the
 * importer turns into `IntOrString.fromNumber(1)` / `Quantity.fromString('1Gi')`.
 */
export function cdk8sDefinitions(swagger: Swagger): { definitions: Record<string, Schema> } {
  const definitions: Record<string, Schema> = { ...swagger.definitions };
  const intOrString = definitions[INT_OR_STRING];
  const quantity = definitions[QUANTITY];
  if (!intOrString || !quantity) throw new Error('swagger.json lacks IntOrString or Quantity: not a Kubernetes OpenAPI document');
  definitions[INT_OR_STRING] = { description: intOrString.description, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions[QUANTITY] = { description: quantity.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  return { definitions };
}

function refsOf(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((item) => refsOf(item, into));
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') into.add(value.replace('#/definitions/', ''));
    else refsOf(value, into);
  }
}

/** The named definitions and every definition they reach, in name order, descriptions dropped. */
export function openapiFixture(swagger: Swagger, roots: readonly string[]): { definitions: Record<string, Schema> } {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const def = swagger.definitions[name];
    if (!def) throw new Error(`swagger.json has no definition ${name}`);
    seen.add(name);
    const refs = new Set<string>();
    refsOf(def, refs);
    queue.push(...refs);
  }
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'description').map(([k, v]) => [k, strip(v)]));
  };
  const definitions: Record<string, Schema> = {};
  for (const name of [...seen].sort()) definitions[name] = strip(swagger.definitions[name]) as Schema;
  return { definitions };
}

async function main(): Promise<void> {
  const [command, swaggerPath, out, ...roots] = process.argv.slice(2);
  if (!swaggerPath || !out) throw new Error('usage: import-types.ts cdk8s-definitions|openapi-fixture SWAGGER OUT [DEFINITION…]');
  const swagger = JSON.parse(await readFile(swaggerPath, 'utf8')) as Swagger;
  const result = command === 'cdk8s-definitions' ? cdk8sDefinitions(swagger) : command === 'openapi-fixture' ? openapiFixture(swagger, roots) : undefined;
  if (!result) throw new Error(`unknown command ${command}`);
  await writeFile(out, `${JSON.stringify(result, null, 1)}\n`);
}

await main();
