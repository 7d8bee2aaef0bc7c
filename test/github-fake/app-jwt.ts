// Checks the JWT a GitHub App presents (RS256, signed with the app's private key, `iss`
// = the app id, not expired), as GitHub does before it issues an installation token.
import { createVerify } from 'node:crypto';

export type JwtCheck = { readonly ok: true } | { readonly ok: false; readonly why: string };

export function verifyAppJwt({ jwt, appId, publicKey, nowSeconds }: {
  readonly jwt: string; readonly appId: string; readonly publicKey: string; readonly nowSeconds: number;
}): JwtCheck {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, why: 'not a JWT' };
  const [header, payload, signature] = parts as [string, string, string];
  let head: { alg?: string };
  let claims: { iss?: string | number; exp?: number; iat?: number };
  try {
    head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof head;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, why: 'undecodable JWT' };
  }
  if (head.alg !== 'RS256') return { ok: false, why: `unexpected alg ${String(head.alg)}` };
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  if (!verifier.verify(publicKey, Buffer.from(signature, 'base64url'))) return { ok: false, why: 'bad signature' };
  if (String(claims.iss) !== appId) return { ok: false, why: `'iss' (${String(claims.iss)}) is not the app id` };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return { ok: false, why: "'exp' is missing or past" };
  return { ok: true };
}
