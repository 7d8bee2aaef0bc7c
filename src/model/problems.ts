// A problem in the fleet repo, reported where the user can fix it.
import { FleetError } from '../errors/fleet-error.ts';

/** Stable problem codes: tools and tests match on them, so they never change meaning. */
export const PROBLEM_CODES = [
  // reading the repo
  'UNREADABLE', 'FILE_TOO_LARGE', 'REPO_TOO_LARGE', 'NOT_UTF8', 'SYMLINK', 'PATH_ESCAPES', 'UNEXPECTED_FILE',
  // YAML
  'YAML_SYNTAX', 'DUPLICATE_KEY', 'ALIAS_LIMIT', 'YAML_TOO_DEEP', 'MULTIPLE_DOCUMENTS', 'EMPTY_FILE',
  // schema
  'SCHEMA_REQUIRED', 'SCHEMA_UNKNOWN_FIELD', 'SCHEMA_TYPE', 'SCHEMA_ENUM', 'SCHEMA_CONST', 'SCHEMA_PATTERN',
  'SCHEMA_RANGE', 'SCHEMA_FORMAT', 'SCHEMA_INVALID', 'IMAGE_NOT_PINNED',
  // layout and names
  'MISSING_FLEET', 'KIND_MISMATCH', 'NAME_MISMATCH', 'VERSION_MISMATCH',
  // references
  'UNKNOWN_CUSTOMER', 'UNKNOWN_SERVICE', 'UNKNOWN_VERSION', 'UNKNOWN_GATEWAY', 'CONFIG_INVALID',
  'CONFIG_SCHEMA_INVALID', 'RESPONSE_SERVICE_NOT_JOB', 'RESPONSE_WRONG_CUSTOMER',
  // EDR actions: an endpoint the EDR console cannot name, a gateway with no EDR adapter to carry it
  'INVALID_ENDPOINT', 'RESPONSE_NO_EDR_ADAPTER',
  // bounded loading: repo patterns run on a linear-time engine
  'PATTERN_UNSUPPORTED',
  // policies that can never be met
  'APPROVALS_UNSATISFIABLE',
  // uniqueness and consistency
  'DUPLICATE_GATEWAY', 'DUPLICATE_NODE', 'DUPLICATE_SERVICE', 'HOST_PORT_CONFLICT', 'INVALID_CIDR',
  // maintenance windows
  'INVALID_CRON', 'UNKNOWN_TIMEZONE', 'INVALID_DURATION', 'WINDOW_LONGER_THAN_PERIOD',
  // data authorisation: a service collects or reports what its customer does not allow
  'DATA_COLLECTION_NOT_ALLOWED', 'DATA_REPORTING_NOT_ALLOWED',
  // the warehouse: a catalog image the registry does not hold (essg validate --registry)
  'IMAGE_NOT_IN_REGISTRY',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  /** Repo-relative path, '/'-separated. */
  readonly file: string;
  /** 1-based line and column of the YAML node at fault (for a missing field, its parent). */
  readonly line: number;
  readonly col: number;
  readonly code: ProblemCode;
  readonly message: string;
  readonly hint?: string;
}

export function compareProblems(a: Problem, b: Problem): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.col - b.col ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(compareProblems);
}

/** `FILE:LINE:COL: CODE: message (hint)`, one line per problem. */
export function formatProblem(problem: Problem): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.code}: ${problem.message}${hint}`;
}

/** The JSON shape of `--format json`: every key present, `hint` null when there is none. */
export function problemToJson(problem: Problem): Record<string, string | number | null> {
  return {
    file: problem.file,
    line: problem.line,
    col: problem.col,
    code: problem.code,
    message: problem.message,
    hint: problem.hint ?? null,
  };
}

/**
 * Why a commit is bad, as the reconciler reports it (status, API, log): a loader Problem or a
 * gateway's render failure, at its file, line and column; or the load itself (`LOAD_…`, no
 * file) when it failed or went past its bounds.
 */
export interface CommitProblem {
  /** A ProblemCode, a render error's `RENDER_…` code, or LOAD_FAILED, LOAD_DEADLINE, LOAD_MEMORY, LOAD_WORKER. */
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly hint?: string;
  /** For a render failure: the gateway that did not render. */
  readonly gateway?: string;
}

/** `FILE:LINE:COL: CODE: message (hint)`, or `load: message` for the load itself. */
export function formatCommitProblem(problem: CommitProblem): string {
  if (problem.file === undefined) return `load: ${problem.message}`;
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${problem.file}:${problem.line ?? 1}:${problem.col ?? 1}: ${problem.code}: ${problem.message}${hint}`;
}

/** Thrown when a fleet cannot be loaded: carries every problem found. */
export class FleetInvalidError extends FleetError<{ readonly problems: readonly Problem[] }> {
  readonly code = 'FLEET_INVALID';
  constructor(readonly problems: readonly Problem[]) {
    super(`fleet repo has ${problems.length} problem(s):\n${problems.slice(0, 20).map(formatProblem).join('\n')}`, { problems });
  }
}
