// The test bed's OCI registry: CNCF distribution on loopback, storing on disk under the state
// folder, with basic auth from an htpasswd file (bcrypt, as distribution requires). `essg
// catalog publish` pushes service images to it; the reconciler checks a rollout's digests in it.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { LOOPBACK } from './ports.ts';

export interface RegistryRecord {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

export const REGISTRY_USER = 'essg';

/** Writes the registry's configuration and htpasswd file; returns the config file and the credentials. */
export async function writeRegistryConfig({ stateDir, port }: { stateDir: string; port: number }): Promise<{ config: string; record: RegistryRecord }> {
  const dir = path.join(stateDir, 'registry');
  await mkdir(path.join(dir, 'storage'), { recursive: true });
  const password = randomBytes(12).toString('base64url');
  const htpasswd = path.join(dir, 'htpasswd');
  await writeFile(htpasswd, `${REGISTRY_USER}:${await bcrypt.hash(password, 10)}\n`, { mode: 0o600 });
  const config = path.join(dir, 'config.yml');
  await writeFile(config, stringify({
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: { filesystem: { rootdirectory: path.join(dir, 'storage') }, delete: { enabled: false } },
    http: { addr: `${LOOPBACK}:${port}`, secret: randomBytes(16).toString('hex') },
    auth: { htpasswd: { realm: 'essg-testbed', path: htpasswd } },
  }), { mode: 0o600 });
  return { config, record: { url: `http://${LOOPBACK}:${port}`, username: REGISTRY_USER, password } };
}

/** `registry serve CONFIG`. */
export function registryArgs(config: string): string[] {
  return ['serve', config];
}

/** The registry answers /v2/ with 401 until a client authenticates: up, and asking for credentials. */
export async function registryAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
    return response.status === 401 && (response.headers.get('www-authenticate') ?? '').startsWith('Basic');
  } catch {
    return false;
  }
}
