// The one redaction point: every line, error, status field, Event and metric that leaves
// the reconciler passes a SecretRedactor holding the runtime's secrets (the GitHub token or
// App key, Git credentials, the webhook secret, each credential seen on the wire). Known
// secrets are replaced wherever they appear, in the forms they travel in (URL-encoded,
// basic auth's base64); token shapes, authorization headers, private keys and URL
// credentials are caught by pattern even when the secret was never seen.

const REDACTED = '[REDACTED]';

const PATTERNS: readonly RegExp[] = [
  // GitHub token formats: personal (ghp_), OAuth (gho_), user-to-server (ghu_),
  // installation (ghs_), refresh (ghr_), fine-grained personal (github_pat_).
  /\bgh[pousr]_[A-Za-z0-9_]{16,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  // A JWT (a GitHub App's signed assertion).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // Whatever follows an authorization scheme.
  /\b(authorization["']?\s*[:=]\s*["']?)(?:token|bearer|basic)?\s*[^\s"',}]+/gi,
  /\b(token|bearer)\s+[A-Za-z0-9_.\-~+/=]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // user:password@ in a URL (the group keeps the scheme; the @ stays).
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+(?=@)/gi,
];

/** A configured secret shorter than this is not redacted: it cannot be told from an ordinary word. */
export const MIN_CONFIGURED_SECRET_LENGTH = 4;

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Credentials learned on the wire (a GitHub App's JWTs, its installation tokens) are kept for
 * the last this many: each is short-lived, and the list must not grow for as long as the
 * reconciler runs (every redaction walks it). Their shapes are caught by pattern besides.
 */
export const WIRE_SECRETS_KEPT = 64;

/** The forms a secret travels in: as is, URL-encoded, base64 and base64url (a header, a JSON-escaped or re-encoded echo). */
function formsOf(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
}

/** How many redacted texts are remembered at most (then forgotten all at once). */
const REDACTED_KEPT = 100_000;
/** Longer texts (a log excerpt, a problem list) are rare and not remembered. */
const REDACTED_MAX_LENGTH = 2048;

export class SecretRedactor {
  private readonly secrets = new Set<string>();
  /** Secret seen on the wire → its forms, oldest first. */
  private readonly wire = new Map<string, readonly string[]>();
  // Longest first, so a secret that contains another is replaced whole.
  private ordered: readonly string[] | undefined;
  /**
   * Texts redacted since the secrets last changed: a pass reports every gateway's status, most
   * of it the same strings as the pass before, and redacting is a scan per secret and pattern.
   */
  private readonly redacted = new Map<string, string>();

  /** `secrets`: known for the redactor's life, from 8 characters on, in all their forms. */
  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) if (secret.length >= 8) for (const form of formsOf(secret)) this.remember(form);
  }

  /** Remembers a credential seen on the wire, in all its forms, among the last WIRE_SECRETS_KEPT; very short strings are ignored (redacting them would shred every message). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 8 || this.wire.has(secret)) return;
    this.wire.set(secret, formsOf(secret));
    if (this.wire.size > WIRE_SECRETS_KEPT) this.wire.delete(this.wire.keys().next().value!);
    this.ordered = undefined;
  }

  /**
   * Remembers a secret the runtime was configured with, from MIN_CONFIGURED_SECRET_LENGTH
   * characters on, and the forms it travels in: URL-encoded, base64, and each line of a PEM
   * key (so a key quoted line by line, or JSON-escaped, is caught too).
   */
  addConfigured(secret: string | undefined): void {
    if (!secret || secret.length < MIN_CONFIGURED_SECRET_LENGTH) return;
    for (const form of [...formsOf(secret), ...pemLines(secret)]) this.remember(form);
  }

  /** A Git or HTTP user and password: the password and the `Authorization: Basic` value they make. */
  addCredentials({ username, password }: BasicCredentials): void {
    this.addConfigured(password);
    if (password) this.remember(Buffer.from(`${username}:${password}`).toString('base64'));
  }

  /** The credentials a URL carries (`https://user:password@host/`), if any. */
  addUrlCredentials(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (!parsed.password && !parsed.username) return;
    const username = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    // A token alone in the user part (https://TOKEN@host) is the secret itself.
    if (!password) return this.addConfigured(username);
    this.addCredentials({ username, password });
    this.addConfigured(parsed.password);
  }

  redact(text: string): string {
    if (this.ordered === undefined) {
      this.ordered = [...new Set([...this.secrets, ...[...this.wire.values()].flat()])].sort((a, b) => b.length - a.length);
      this.redacted.clear();
    }
    const known = this.redacted.get(text);
    if (known !== undefined) return known;
    const out = this.scrub(text, this.ordered);
    if (text.length > REDACTED_MAX_LENGTH) return out;
    if (this.redacted.size >= REDACTED_KEPT) this.redacted.clear();
    this.redacted.set(text, out);
    return out;
  }

  private scrub(text: string, ordered: readonly string[]): string {
    let out = text;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const pattern of PATTERNS) {
      out = out.replace(pattern, (_match: string, prefix?: string) =>
        typeof prefix === 'string' && prefix.length > 0 && !/^(token|bearer)$/i.test(prefix) ? `${prefix}${REDACTED}` : REDACTED);
    }
    return out;
  }

  private remember(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.ordered = undefined;
  }

  /** Redacts every string inside a JSON-able value. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [
        k, /^(authorization|token|private_?key|privateKey|jwt)$/i.test(k) ? REDACTED : this.redactValue(v),
      ]));
    }
    return value;
  }
}

function pemLines(secret: string): string[] {
  if (!secret.includes('-----BEGIN')) return [];
  return secret.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length >= 16 && !line.startsWith('-----'));
}

/** Pattern-only redaction, for text from places that never saw the configured secrets. */
export const patternRedactor = new SecretRedactor();
