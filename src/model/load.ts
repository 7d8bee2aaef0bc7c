// load: a fleet repo (through a FleetFileReader) → a validated, deep-frozen FleetModel, or
// every problem at once, sorted. Pure apart from reading through the reader.
import pLimit from 'p-limit';
import { createHash } from 'node:crypto';
import semver from 'semver';
import { DirectoryReader, type FleetFileReader } from './file-reader.ts';
import type { CustomerModel, FleetModel, GatewayModel, ResponseModel, ServiceVersionModel, SourceFile } from './fleet-model.ts';
import { checkApprovals } from './approval-rules.ts';
import { checkDataAuthorisation } from './data-authorisation.ts';
import { checkEdrActions } from './edr-actions.ts';
import { classifyEntries, type FleetFilePlace } from './layout.ts';
import { checkMaintenanceWindows } from './maintenance-windows.ts';
import { sortProblems, type Problem } from './problems.ts';
import { checkCatalog, checkGateways, checkNames, checkResponses, type Existing, type ValidDoc, type ValidDocs } from './references.ts';
import { checkSchema, valueAt } from './schema-check.ts';
import type { Customer, Fleet, Gateway, Response, ServiceVersion } from './types.generated.ts';
import { LIMITS, parseFleetFile } from './yaml-source.ts';
import { FleetError } from '../errors/fleet-error.ts';

export type LoadResult = { readonly ok: true; readonly model: FleetModel } | { readonly ok: false; readonly problems: readonly Problem[] };

/** The repo could not be read at all (not a fleet problem): e.g. the directory is missing. */
export class FleetReadError extends FleetError<{ readonly origin: string }> {
  readonly code = 'FLEET_UNREADABLE';
  constructor(readonly origin: string, cause: unknown) {
    super(`cannot read fleet repo ${origin}: ${cause instanceof Error ? cause.message : String(cause)}`, { origin }, { cause });
  }
}

/** Upper bounds on the whole repo, so a hostile repo cannot exhaust memory. */
export const REPO_LIMITS = { maxFleetFiles: 200_000 } as const;
const READ_CONCURRENCY = 64;

export async function loadFleetFromDir(dir: string): Promise<LoadResult> {
  return loadFleet({ reader: new DirectoryReader(dir) });
}

/** One file's own checks (parse, kind, schema): a function of its path and bytes alone. */
interface FileResult {
  readonly valid: ValidDoc<unknown> | undefined;
  readonly problems: readonly Problem[];
}

/**
 * Each file's own checks kept between loads, by path and content: loading the next commit of
 * a branch parses and checks only the files it changed; the checks across files run whole.
 * Kept are the files of the loads since the last `nextGeneration` and of the generation before
 * (the reconciler calls it once per pass), so memory follows what a pass reads.
 */
export class ParsedFiles {
  private current = new Map<string, FileResult>();
  private previous = new Map<string, FileResult>();

  get(key: string): FileResult | undefined {
    const found = this.current.get(key) ?? this.previous.get(key);
    if (found) this.current.set(key, found);
    return found;
  }

  set(key: string, result: FileResult): void {
    this.current.set(key, result);
  }

  /** Forgets the files no load used since the call before. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return new Set([...this.current.keys(), ...this.previous.keys()]).size;
  }
}

export async function loadFleet({ reader, parsed }: {
  readonly reader: FleetFileReader;
  /** Files checked by earlier loads, reused where path and bytes are the same. @default - every file checked afresh */
  readonly parsed?: ParsedFiles;
}): Promise<LoadResult> {
  let entries;
  try {
    entries = await reader.list();
  } catch (error) {
    throw new FleetReadError(reader.origin, error);
  }
  const { places, problems } = classifyEntries(entries);
  if (places.length > REPO_LIMITS.maxFleetFiles) {
    return { ok: false, problems: [{ file: '.', line: 1, col: 1, code: 'REPO_TOO_LARGE', message: `${places.length} fleet files; at most ${REPO_LIMITS.maxFleetFiles} are read` }] };
  }
  const valid = await readAndCheck({ reader, places, problems, ...(parsed ? { parsed } : {}) });
  if (!valid.fleet && !problems.some((p) => p.file === 'fleet.yaml')) {
    problems.push({ file: 'fleet.yaml', line: 1, col: 1, code: 'MISSING_FLEET', message: 'the fleet repo has no fleet.yaml', hint: 'start from fleet-repo-template/' });
  }
  const existing = existingByPath(places);
  problems.push(...checkNames(valid), ...checkCatalog(valid), ...checkGateways(valid, existing), ...checkResponses(valid, existing), ...checkMaintenanceWindows(valid.customers));
  problems.push(...checkApprovals(valid), ...checkDataAuthorisation(valid), ...checkEdrActions(valid, existing));
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, model: buildModel(valid) };
}

async function readAndCheck({ reader, places, problems, parsed }: {
  readonly reader: FleetFileReader; readonly places: readonly FleetFilePlace[]; readonly problems: Problem[]; readonly parsed?: ParsedFiles;
}): Promise<ValidDocs> {
  const docs = { customers: [], gateways: [], catalog: [], responses: [] } as {
    fleet?: ValidDoc<Fleet>;
    customers: ValidDoc<Customer>[];
    gateways: ValidDoc<Gateway>[];
    catalog: ValidDoc<ServiceVersion>[];
    responses: ValidDoc<Response>[];
  };
  const results: (ValidDoc<unknown> | undefined)[] = new Array(places.length);
  const limit = pLimit(READ_CONCURRENCY);
  await Promise.all(places.map((place, index) => limit(async () => {
    results[index] = await readOne({ reader, place, problems, ...(parsed ? { parsed } : {}) });
  })));
  // Collect in path order, whatever order the reads finished in.
  for (const result of results) {
    if (!result) continue;
    switch (result.place.kind) {
      case 'Fleet': docs.fleet = result as ValidDoc<Fleet>; break;
      case 'Customer': docs.customers.push(result as ValidDoc<Customer>); break;
      case 'Gateway': docs.gateways.push(result as ValidDoc<Gateway>); break;
      case 'ServiceVersion': docs.catalog.push(result as ValidDoc<ServiceVersion>); break;
      case 'Response': docs.responses.push(result as ValidDoc<Response>); break;
    }
  }
  return docs;
}

async function readOne({ reader, place, problems, parsed }: {
  readonly reader: FleetFileReader; readonly place: FleetFilePlace; readonly problems: Problem[]; readonly parsed?: ParsedFiles;
}): Promise<ValidDoc<unknown> | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await reader.read(place.path, LIMITS.maxFileBytes);
  } catch (error) {
    problems.push({ file: place.path, line: 1, col: 1, code: 'UNREADABLE', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = `${place.path}\n${sha256}`;
  let result = parsed?.get(key);
  if (!result) {
    result = checkFile(place, bytes, sha256);
    parsed?.set(key, result);
  }
  problems.push(...result.problems);
  return result.valid;
}

function checkFile(place: FleetFilePlace, bytes: Uint8Array, sha256: string): FileResult {
  const parsed = parseFleetFile(place.path, bytes);
  if (!parsed.ok) return { valid: undefined, problems: parsed.problems };
  const { file } = parsed;
  const kind = valueAt(file.value, ['kind']);
  if (typeof kind === 'string' && kind !== place.kind) {
    const pos = file.locate(['kind']);
    return { valid: undefined, problems: [{ file: place.path, line: pos.line, col: pos.col, code: 'KIND_MISMATCH', message: `kind \`${kind}\` does not belong at this path; expected \`${place.kind}\``, hint: 'each folder holds one kind (see the fleet repo layout)' }] };
  }
  const schemaProblems = checkSchema(file, place.kind);
  if (schemaProblems.length > 0) return { valid: undefined, problems: schemaProblems };
  return { valid: { place, file, doc: file.value, sha256 }, problems: [] };
}

function existingByPath(places: readonly FleetFilePlace[]): Existing {
  const customers = new Set<string>();
  const catalog = new Map<string, Set<string>>();
  const gateways = new Map<string, string>();
  for (const place of places) {
    if (place.kind === 'Customer') customers.add(place.name);
    else if (place.kind === 'ServiceVersion') {
      const versions = catalog.get(place.folder!) ?? new Set<string>();
      versions.add(place.name);
      catalog.set(place.folder!, versions);
    } else if (place.kind === 'Gateway' && !gateways.has(place.name)) gateways.set(place.name, place.folder!);
  }
  return { customers, catalog, gateways };
}

function source(doc: ValidDoc<unknown>): SourceFile {
  return { path: doc.place.path, sha256: doc.sha256 };
}

function byName<T>(entries: [string, T][]): Map<string, T> {
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function buildModel(valid: ValidDocs): FleetModel {
  const catalog = new Map<string, Map<string, ServiceVersionModel>>();
  const sortedCatalog = [...valid.catalog].sort((a, b) => (a.place.folder! < b.place.folder! ? -1 : a.place.folder! > b.place.folder! ? 1 : semver.compare(a.place.name, b.place.name)));
  for (const entry of sortedCatalog) {
    const versions = catalog.get(entry.place.folder!) ?? new Map<string, ServiceVersionModel>();
    versions.set(entry.place.name, { service: entry.place.folder!, version: entry.place.name, source: source(entry), doc: entry.doc });
    catalog.set(entry.place.folder!, versions);
  }
  const customers = byName<CustomerModel>(valid.customers.map((c) => [c.place.name, { name: c.place.name, source: source(c), doc: c.doc }]));
  const gateways = byName<GatewayModel>(
    valid.gateways.map((g) => [
      g.place.name,
      {
        name: g.place.name,
        customer: g.place.folder!,
        node: g.doc.spec.node,
        source: source(g),
        doc: g.doc,
        services: g.doc.spec.services.map((entry) => ({ entry, catalog: catalog.get(entry.name)!.get(entry.version)! })),
      },
    ]),
  );
  const responses = byName<ResponseModel>(
    valid.responses.map((r) => [
      r.place.name,
      {
        name: r.place.name,
        source: source(r),
        doc: r.doc,
        gateways: r.doc.spec.gateways ? [...r.doc.spec.gateways].sort() : [...gateways.values()].filter((g) => g.customer === r.doc.spec.customer).map((g) => g.name),
      },
    ]),
  );
  const model: FleetModel = { fleet: { source: source(valid.fleet!), doc: valid.fleet!.doc }, customers, gateways, catalog, responses };
  return deepFreeze(model);
}

/**
 * Freezes plain objects, arrays and maps (Map contents cannot change through ReadonlyMap).
 * Each object is frozen before its children, so being frozen marks it as walked: a document an
 * earlier load froze (ParsedFiles) is not walked again, and a node two parents share (a YAML
 * alias) is walked once, with no set of visited objects to keep.
 */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    const frozen = value as Map<unknown, unknown>;
    frozen.set = frozen.delete = () => {
      throw new TypeError('FleetModel is immutable');
    };
    frozen.clear = () => {
      throw new TypeError('FleetModel is immutable');
    };
    Object.freeze(frozen);
    for (const v of frozen.values()) deepFreeze(v);
  } else if (Array.isArray(value)) {
    Object.freeze(value);
    for (const v of value) deepFreeze(v);
  } else {
    Object.freeze(value);
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
