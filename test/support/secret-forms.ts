// Every form a secret travels in, for the tests that scan a reconciler's output for leaks:
// as is, URL-encoded, base64, and the basic-auth value of the Git credentials.

/** `secrets` by name; `gitUser` and `gitPassword`, when given, also make the basic-auth value. A user name alone is not a secret. */
export function secretForms(secrets: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) {
    if (name === 'gitUser') continue;
    out[name] = value;
    out[`${name} URL-encoded`] = encodeURIComponent(value);
    out[`${name} base64`] = Buffer.from(value).toString('base64');
  }
  if (secrets.gitUser !== undefined && secrets.gitPassword !== undefined) out['basic auth'] = Buffer.from(`${secrets.gitUser}:${secrets.gitPassword}`).toString('base64');
  return out;
}

/** The names of the forms that occur in `text`. */
export function leaksIn(text: string, forms: Readonly<Record<string, string>>): string[] {
  return Object.entries(forms).filter(([, value]) => text.includes(value)).map(([name]) => name);
}
