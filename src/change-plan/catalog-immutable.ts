// Published catalog versions are immutable (as with Harbor's tag immutability): a gateway
// that runs ids 1.1.0 must run the same thing tomorrow. An edit to a published
// catalog/<service>/<version>.yaml is refused at plan time; a new version is published instead.
import type { PlanProblem } from './types.ts';

const CATALOG_FILE = /^catalog\/([^/]+)\/([^/]+)\.ya?ml$/;

export interface ChangedPath {
  readonly path: string;
  readonly change: 'added' | 'modified' | 'deleted';
}

/** The text of a changed file at the base and at the head, to point at the first line that differs. */
export type FileTexts = ReadonlyMap<string, { readonly base: string; readonly head: string }>;

export function isPublishedCatalogEdit(change: ChangedPath): boolean {
  return change.change === 'modified' && CATALOG_FILE.test(change.path);
}

export function catalogImmutabilityProblems({ changedPaths, texts }: { readonly changedPaths: readonly ChangedPath[]; readonly texts?: FileTexts }): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const change of changedPaths) {
    if (!isPublishedCatalogEdit(change)) continue;
    const [, service, version] = CATALOG_FILE.exec(change.path) ?? [];
    const text = texts?.get(change.path);
    problems.push({
      file: change.path,
      line: text ? firstDifferingLine(text.base, text.head) : 1,
      col: 1,
      code: 'CATALOG_IMMUTABLE',
      message: `${service} ${version} is a published catalog version and must not change`,
      hint: `publish a new version as catalog/${service}/<new version>.yaml and move the gateways to it`,
    });
  }
  return problems;
}

/** 1-based; a change at the end (lines added or removed) points at the line after the shorter text. */
export function firstDifferingLine(a: string, b: string): number {
  const left = a.split(/\r?\n/);
  const right = b.split(/\r?\n/);
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) if (left[i] !== right[i]) return i + 1;
  return Math.min(n + 1, Math.max(left.length, right.length));
}
