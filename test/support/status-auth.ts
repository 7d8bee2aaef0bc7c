// Signing in to the reconciler's HTTP port in tests: the status token (an operator's view),
// as `essg reconcile` takes it from ESSG_STATUS_TOKEN.
import { StatusAuth, type StatusAuthOptions } from '../../src/report/auth.ts';
import type { StatusStore } from '../../src/report/index.ts';

export const OPERATOR_TOKEN = 'essg-test-status-token-0123456789';
export const OPERATOR_HEADERS = { authorization: `Bearer ${OPERATOR_TOKEN}` } as const;

/** The product's sign-in, taking OPERATOR_TOKEN, with the store's fleet access. */
export function operatorAuth(store: StatusStore, options: Partial<StatusAuthOptions> = {}): StatusAuth {
  return new StatusAuth({ statusTokens: [OPERATOR_TOKEN], access: () => store.access(), ...options });
}

/** fetch, signed in as an operator by the status token. */
export function fetchAsOperator(input: string, init: RequestInit = {}): Promise<Response> {
  return fetch(input, { ...init, headers: { ...OPERATOR_HEADERS, ...(init.headers as Record<string, string> | undefined) } });
}
