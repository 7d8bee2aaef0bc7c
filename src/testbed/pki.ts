// The test bed's certificates, made with openssl as a kubeadm cluster has them: one CA,
// the API server's serving certificate, a client certificate per component (their
// names are what RBAC's bootstrap policy binds), and the service-account key pair.
// Made once per state folder and kept across `down`/`up`, so kubeconfigs stay valid.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Who each client certificate names: CN is the user, O the groups. */
export const CLIENT_IDENTITIES = {
  admin: { cn: 'essg-testbed-admin', o: 'system:masters' },
  'kube-controller-manager': { cn: 'system:kube-controller-manager', o: undefined },
  'kube-scheduler': { cn: 'system:kube-scheduler', o: undefined },
  // KWOK plays every kubelet, so it needs more than system:node; masters keeps it simple.
  kwok: { cn: 'kwok-controller', o: 'system:masters' },
} as const;
export type ClientName = keyof typeof CLIENT_IDENTITIES;

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly clients: Readonly<Record<ClientName, { readonly cert: string; readonly key: string }>>;
}

/** The API server's names: loopback, and the in-cluster service names a pod would use. */
export const SERVER_SANS = ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP:10.96.0.1'];

export function pkiPaths(dir: string): Pki {
  const file = (name: string): string => path.join(dir, name);
  const clients = Object.fromEntries(Object.keys(CLIENT_IDENTITIES).map((name) => [name, { cert: file(`${name}.crt`), key: file(`${name}.key`) }])) as Record<ClientName, { cert: string; key: string }>;
  return { dir, caCert: file('ca.crt'), caKey: file('ca.key'), serverCert: file('apiserver.crt'), serverKey: file('apiserver.key'), serviceAccountKey: file('sa.key'), serviceAccountPub: file('sa.pub'), clients };
}

export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  const all = [pki.caCert, pki.serverCert, pki.serviceAccountPub, ...Object.values(pki.clients).map((c) => c.cert)];
  if (all.every((f) => existsSync(f))) return pki;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await newKey(pki.caKey);
  await openssl(['req', '-x509', '-new', '-key', pki.caKey, '-out', pki.caCert, '-days', '3650', '-subj', '/CN=essg-testbed-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  await signed({ pki, key: pki.serverKey, cert: pki.serverCert, subject: '/CN=kube-apiserver', extensions: ['extendedKeyUsage=serverAuth', `subjectAltName=${SERVER_SANS.join(',')}`] });
  for (const [name, identity] of Object.entries(CLIENT_IDENTITIES) as [ClientName, { cn: string; o: string | undefined }][]) {
    const subject = identity.o ? `/O=${identity.o}/CN=${identity.cn}` : `/CN=${identity.cn}`;
    await signed({ pki, key: pki.clients[name].key, cert: pki.clients[name].cert, subject, extensions: ['extendedKeyUsage=clientAuth'] });
  }
  await newKey(pki.serviceAccountKey);
  await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  return pki;
}

async function newKey(file: string): Promise<void> {
  // ECDSA P-256: as strong as RSA-3072 for this purpose and generated in milliseconds.
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

async function signed({ pki, key, cert, subject, extensions }: { pki: Pki; key: string; cert: string; subject: string; extensions: readonly string[] }): Promise<void> {
  await newKey(key);
  const csr = `${cert}.csr`;
  const ext = `${cert}.ext`;
  await openssl(['req', '-new', '-key', key, '-out', csr, '-subj', subject]);
  await writeFile(ext, ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...extensions, ''].join('\n'));
  await openssl(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '3650', '-extfile', ext]);
}

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', args);
}
