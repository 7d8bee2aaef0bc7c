// A client of the OCI distribution API, the part the warehouse needs: whether a blob or a
// manifest is there, pushing a blob (one POST, one PUT), pushing a manifest under a tag.
// Authentication as registries ask for it: basic credentials, or the bearer-token challenge
// (WWW-Authenticate: Bearer realm=…) that Docker Hub, Harbor and GHCR answer with. Every
// request has a timeout. No Node client of the registry API that pushes is well kept (the
// maintained ones read only), so this follows the specification directly:
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { FleetError } from '../errors/fleet-error.ts';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryOptions {
  /** http(s)://HOST[:PORT]; plain http only for loopback and test registries. */
  readonly url: string;
  readonly credentials?: RegistryCredentials;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export class RegistryError extends FleetError<{ readonly registry: string; readonly status?: number; readonly request: string }> {
  readonly code = 'REGISTRY_FAILED';
}

/** A blob to push: its digest, size and where its bytes are. */
export interface BlobSource {
  readonly digest: string;
  readonly size: number;
  /** A file, or the bytes themselves (a manifest, a small config). */
  readonly from: { readonly file: string } | { readonly bytes: Uint8Array };
}

export class OciRegistry {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  /** Bearer tokens by scope, as the registry's token service issued them. */
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: RegistryOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** HOST[:PORT], as image references name the registry. */
  get host(): string {
    return new URL(this.base).host;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.exists(repository, `/v2/${repository}/blobs/${digest}`, 'HEAD blob');
  }

  /** The digest a tag or digest resolves to, or undefined when the registry has no such manifest. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const response = await this.send(repository, 'HEAD', `/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_TYPES.join(', ') } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw this.failure(`HEAD manifest ${repository}:${reference}`, response.status);
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  /** Pushes a blob unless the registry has it. */
  async pushBlob(repository: string, blob: BlobSource): Promise<'pushed' | 'present'> {
    if (await this.hasBlob(repository, blob.digest)) return 'present';
    const started = await this.send(repository, 'POST', `/v2/${repository}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    const location = started.headers.get('location');
    if (started.status !== 202 || !location) throw this.failure(`POST blob upload ${repository}`, started.status);
    const upload = new URL(location, this.base);
    upload.searchParams.set('digest', blob.digest);
    const body = 'file' in blob.from ? (Readable.toWeb(createReadStream(blob.from.file)) as ReadableStream<Uint8Array>) : new Uint8Array(blob.from.bytes);
    const done = await this.send(repository, 'PUT', upload.pathname + upload.search, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body,
    }, true);
    if (done.status !== 201) throw this.failure(`PUT blob ${repository}@${blob.digest}`, done.status);
    return 'pushed';
  }

  /** Puts a manifest under `tag`; returns the digest the registry gives it. */
  async pushManifest(repository: string, tag: string, manifest: { readonly mediaType: string; readonly bytes: Uint8Array }): Promise<string> {
    const response = await this.send(repository, 'PUT', `/v2/${repository}/manifests/${tag}`, { headers: { 'content-type': manifest.mediaType }, body: new Uint8Array(manifest.bytes) }, true);
    if (response.status !== 201) throw this.failure(`PUT manifest ${repository}:${tag}`, response.status);
    const digest = response.headers.get('docker-content-digest');
    if (!digest) throw this.failure(`PUT manifest ${repository}:${tag} (no Docker-Content-Digest in the answer)`, response.status);
    return digest;
  }

  private async exists(repository: string, path: string, what: string): Promise<boolean> {
    const response = await this.send(repository, 'HEAD', path);
    if (response.status === 404) return false;
    if (!response.ok) throw this.failure(`${what} ${path}`, response.status);
    return true;
  }

  /** One request, with credentials; a bearer challenge is answered once and the request sent again. */
  private async send(repository: string, method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}, push = false): Promise<Response> {
    const scope = `repository:${repository}:${push || method === 'POST' ? 'pull,push' : 'pull'}`;
    const attempt = async (): Promise<Response> => this.request(method, path, { ...init, headers: { ...init.headers, ...this.authorization(scope) } });
    const first = await attempt();
    const challenge = first.headers.get('www-authenticate') ?? '';
    if (first.status !== 401 || !/^Bearer /i.test(challenge) || this.tokens.has(scope) || init.body instanceof ReadableStream) return first;
    await first.body?.cancel();
    this.tokens.set(scope, await this.token(challenge, scope));
    return attempt();
  }

  private authorization(scope: string): Record<string, string> {
    const token = this.tokens.get(scope);
    if (token) return { authorization: `Bearer ${token}` };
    const c = this.options.credentials;
    return c ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` } : {};
  }

  /** The token service named by a Bearer challenge, asked with the basic credentials (or anonymously). */
  private async token(challenge: string, scope: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!params['realm']) throw this.failure('token challenge without a realm', 401);
    const url = new URL(params['realm']);
    if (params['service']) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', scope);
    const c = this.options.credentials;
    const response = await this.request('GET', url.toString(), { headers: c ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` } : {} });
    if (!response.ok) throw this.failure(`token from ${url.origin}${url.pathname}`, response.status);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw this.failure(`token from ${url.origin}${url.pathname} (no token in the answer)`, response.status);
    return token;
  }

  private async request(method: string, pathOrUrl: string, init: { headers?: Record<string, string>; body?: BodyInit }): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
    try {
      return await this.fetch(url, { method, ...init, signal: AbortSignal.timeout(this.timeoutMs), ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    } catch (error) {
      throw new RegistryError(`registry ${this.base}: ${method} ${new URL(url).pathname} failed: ${(error as Error).message}`, { registry: this.base, request: `${method} ${new URL(url).pathname}` }, { cause: error });
    }
  }

  private failure(request: string, status: number): RegistryError {
    const hint = status === 401 ? ' (the registry refused the credentials: --registry-username and ESSG_REGISTRY_PASSWORD)' : status === 403 ? ' (the credentials may not push to this repository)' : '';
    return new RegistryError(`registry ${this.base}: ${request} answered HTTP ${status}${hint}`, { registry: this.base, status, request });
  }
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** The registry at `url`, with the credentials the environment gives (`ESSG_REGISTRY_USERNAME`, `ESSG_REGISTRY_PASSWORD`). */
export function registryFromEnv(url: string, env: NodeJS.ProcessEnv = process.env): OciRegistry {
  return new OciRegistry(registryOptionsFromEnv(url, env));
}

/** The registry at `url` with the environment's credentials, as options (`essg reconcile --registry`). */
export function registryOptionsFromEnv(url: string, env: NodeJS.ProcessEnv = process.env): { readonly url: string; readonly credentials?: RegistryCredentials } {
  const username = env['ESSG_REGISTRY_USERNAME'];
  const password = env['ESSG_REGISTRY_PASSWORD'];
  return { url, ...(username && password !== undefined ? { credentials: { username, password } } : {}) };
}
