// The runtime's secrets, gathered once from its options into the redactor every outgoing
// line, error, status field, Event and metric passes (see report/redact.ts).
import { SecretRedactor } from '../report/redact.ts';
import type { GitAuth } from '../source/index.ts';
import type { GitHubAuth } from '../gate/index.ts';
import type { RegistryCredentials } from '../warehouse/oci-registry.ts';

export interface RuntimeSecrets {
  /** The fleet repo URL: credentials in it (`https://user:password@host/`) are secrets. */
  readonly repo: string;
  readonly gitAuth?: GitAuth;
  readonly githubAuth?: GitHubAuth;
  readonly webhookSecret?: string;
  /** The image registry's credentials (`--registry`, `ESSG_REGISTRY_PASSWORD`). */
  readonly registryCredentials?: RegistryCredentials;
  /** The status tokens, the OAuth app's client secret and the session secret. */
  readonly statusAuth?: { readonly statusTokens?: readonly string[]; readonly oauth?: { readonly clientSecret: string }; readonly sessionSecret?: string };
}

export function redactorFor({ repo, gitAuth, githubAuth, webhookSecret, registryCredentials, statusAuth }: RuntimeSecrets): SecretRedactor {
  const redactor = new SecretRedactor();
  redactor.addUrlCredentials(repo);
  // A token is sent as basic auth's password, as git-source does.
  if (gitAuth) redactor.addCredentials('token' in gitAuth ? { username: 'x-access-token', password: gitAuth.token } : gitAuth);
  if (githubAuth) redactor.addConfigured('token' in githubAuth ? githubAuth.token : githubAuth.privateKey);
  redactor.addConfigured(webhookSecret);
  if (registryCredentials) redactor.addCredentials(registryCredentials);
  for (const token of statusAuth?.statusTokens ?? []) redactor.addConfigured(token);
  redactor.addConfigured(statusAuth?.oauth?.clientSecret);
  redactor.addConfigured(statusAuth?.sessionSecret);
  return redactor;
}
