// client-node's generated API objects (Events, the leader Lease, a namespace) send their
// requests with no timeout, so an API server that accepts and never answers would hold an
// Event write — and with it the pass — or a shutdown's Lease release for ever. Every call
// through the wrapped object is bounded like the apply client's requests (kube-http.ts).
import { DEFAULT_KUBE_TIMEOUT_MS, KubeRequestFailure } from './kube-http.ts';

/** `api` with each method's answer awaited at most `timeoutMs`; past it the call rejects. */
export function withKubeDeadline<T extends object>(api: T, { timeoutMs = DEFAULT_KUBE_TIMEOUT_MS, server = 'the API server' }: { readonly timeoutMs?: number; readonly server?: string } = {}): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const answer: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(answer instanceof Promise)) return answer;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new KubeRequestFailure(undefined, 'Timeout', `${String(property)}: no answer from ${server} within ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        });
        return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
      };
    },
  });
}
