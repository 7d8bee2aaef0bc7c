// Names of the rendered objects: `<gateway>-<part>` as RFC 1123 DNS labels. Names longer
// than a label allows are cut and end in a hash of the full name, so two long names never
// collide and the same input always gives the same name.
import { contentHash } from './canonical.ts';

export const DNS_LABEL_MAX = 63;
const HASH_LENGTH = 8;

/** A CronJob's name leaves room for the 11-character suffix of the Jobs it creates. */
export const CRONJOB_NAME_MAX = 52;

export function dnsLabel(...parts: readonly string[]): string {
  return boundedName({ parts, max: DNS_LABEL_MAX });
}

export function boundedName({ parts, max }: { readonly parts: readonly string[]; readonly max: number }): string {
  const full = parts.join('-');
  if (full.length <= max) return full;
  const head = full.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${contentHash(full, HASH_LENGTH)}`;
}

/** The customer's namespace: `<namespacePrefix><customer>`. */
export function namespaceName({ prefix, customer }: { readonly prefix: string; readonly customer: string }): string {
  return `${prefix}${customer}`;
}
