// Where each kind lives in the fleet repo, and which paths are refused outright.
import type { Kind } from './schema-check.ts';
import type { Problem } from './problems.ts';
import type { RepoEntry } from './file-reader.ts';

export interface FleetFilePlace {
  readonly path: string;
  readonly kind: Kind;
  /** The names the path gives: the object's name, and its customer or service folder. */
  readonly name: string;
  readonly folder?: string;
}

const MANAGED_TOP = new Set(['customers', 'gateways', 'catalog', 'responses']);
const SEGMENT = /^[^/\\\0]+$/;

function placeOf(path: string): FleetFilePlace | 'unexpected' | 'ignored' {
  const parts = path.split('/');
  const top = parts[0]!;
  if (path === 'fleet.yaml') return { path, kind: 'Fleet', name: 'fleet' };
  if (!MANAGED_TOP.has(top)) return 'ignored';
  const file = parts.at(-1)!;
  if (!file.endsWith('.yaml')) return file.endsWith('.yml') ? 'unexpected' : 'ignored';
  const base = file.slice(0, -'.yaml'.length);
  if (top === 'customers' && parts.length === 2) return { path, kind: 'Customer', name: base };
  if (top === 'responses' && parts.length === 2) return { path, kind: 'Response', name: base };
  if (top === 'gateways' && parts.length === 3) return { path, kind: 'Gateway', name: base, folder: parts[1]! };
  if (top === 'catalog' && parts.length === 3) return { path, kind: 'ServiceVersion', name: base, folder: parts[1]! };
  return 'unexpected';
}

const EXPECTED_LAYOUT: Record<string, string> = {
  customers: 'customers/<customer>.yaml',
  responses: 'responses/<name>.yaml',
  gateways: 'gateways/<customer>/<gateway>.yaml',
  catalog: 'catalog/<service>/<version>.yaml',
};

function at(file: string, code: Problem['code'], message: string, hint?: string): Problem {
  return { file, line: 1, col: 1, code, message, ...(hint ? { hint } : {}) };
}

/** Sorts the repo's entries into fleet files to read and problems with the rest. */
export function classifyEntries(entries: readonly RepoEntry[]): { places: FleetFilePlace[]; problems: Problem[] } {
  const places: FleetFilePlace[] = [];
  const problems: Problem[] = [];
  for (const entry of entries) {
    const { path } = entry;
    const parts = path.split('/');
    if (path.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '' || !SEGMENT.test(p))) {
      problems.push(at(path, 'PATH_ESCAPES', 'path is absolute, has `..`, an empty segment or forbidden characters; refused', 'fleet files live inside the repo under plain names'));
      continue;
    }
    if (entry.type === 'symlink') {
      problems.push(at(path, 'SYMLINK', 'symbolic links are refused: they can point outside the repo', 'commit the file itself'));
      continue;
    }
    const place = placeOf(path);
    if (place === 'ignored') continue;
    if (entry.type !== 'file') {
      problems.push(at(path, 'UNEXPECTED_FILE', 'not a regular file'));
      continue;
    }
    if (place === 'unexpected') {
      const top = parts[0]!;
      const hint = path.endsWith('.yml') ? 'rename it to .yaml' : `expected ${EXPECTED_LAYOUT[top] ?? 'fleet.yaml'}`;
      problems.push(at(path, 'UNEXPECTED_FILE', `a YAML file outside the fleet layout is never read`, hint));
      continue;
    }
    places.push(place);
  }
  places.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { places, problems };
}
