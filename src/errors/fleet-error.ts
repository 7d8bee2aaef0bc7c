// The one base of the product's error classes (isomorphic-git's and octokit's habit): each
// failure is its own class with a stable `code` callers switch on, a `data` payload naming the
// bad values, and `toJSON()`; `redactedJSON()` is the form that may reach a log, a status field
// or an API answer, every string in it passed through the redactor first.

export interface FleetErrorJSON<Data extends object> {
  readonly code: string;
  readonly message: string;
  readonly data: Data;
}

export abstract class FleetError<Data extends object = Record<string, unknown>> extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly data: Data,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): FleetErrorJSON<Data> {
    return { code: this.code, message: this.message, data: this.data };
  }

  redactedJSON(redact: (text: string) => string): FleetErrorJSON<Data> {
    return redactStrings(this.toJSON(), redact);
  }
}

function redactStrings<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item as unknown, redact)])) as T;
  }
  return value;
}
