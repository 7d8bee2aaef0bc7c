// Keeps GitHub credentials out of every log line and error text the gate produces.
// Known secrets (the configured token, the app's private key, each credential seen on
// the wire) are replaced wherever they appear; GitHub token shapes and authorization
// headers are caught by pattern even when the secret was never seen.

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
];

export class SecretRedactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Remembers a secret; very short strings are ignored (redacting them would shred every message). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const pattern of PATTERNS) {
      out = out.replace(pattern, (_match: string, prefix?: string) =>
        typeof prefix === 'string' && prefix.length > 0 && !/^(token|bearer)$/i.test(prefix) ? `${prefix}${REDACTED}` : REDACTED);
    }
    return out;
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

/** Pattern-only redaction, for text from places that never saw the configured secrets. */
export const patternRedactor = new SecretRedactor();
