// A Git server that accepts the connection and then says nothing must cost one bounded
// wait, not a pass that never ends (isomorphic-git's fetch takes no timeout of its own).
// The deadline is for the server's silence, not for the whole fetch: it runs only while
// the fetch waits on the server (for an answer, or for the next chunk of a body), so a
// large first fetch over a slow link, or a long local pack index, still completes.
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { FleetError } from '../errors/fleet-error.ts';

/** The default silence after which a Git request has failed (`--git-timeout`). */
export const DEFAULT_GIT_TIMEOUT_MS = 30_000;

/** Raised through the HTTP client when the server stayed silent past the deadline. */
export class GitSilenceTimeout extends FleetError<{ readonly timeoutMs: number }> {
  readonly code = 'GIT_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`, { timeoutMs });
  }
}

export interface SilenceDeadline {
  /** Aborted with a GitSilenceTimeout once the server has been silent for `timeoutMs`. */
  readonly signal: AbortSignal;
  /** Rejects with the GitSilenceTimeout when the signal fires; never resolves. */
  readonly expired: Promise<never>;
  /** The HTTP client whose requests and response bodies keep the deadline alive. */
  readonly http: HttpClient;
  /** Stops the timer (the fetch is over). */
  done(): void;
}

/** One deadline for one fetch: every wait on the server in it has `timeoutMs`. */
export function silenceDeadline({ http, timeoutMs }: { readonly http: HttpClient; readonly timeoutMs: number }): SilenceDeadline {
  const controller = new AbortController();
  const error = new GitSilenceTimeout(timeoutMs);
  let rejectExpired: (reason: unknown) => void = () => undefined;
  const expired = new Promise<never>((_, reject) => {
    rejectExpired = reject;
  });
  expired.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  const timers = new Set<NodeJS.Timeout>();
  const onServer = async <T>(answer: Promise<T>): Promise<T> => {
    const timer = setTimeout(() => {
      controller.abort(error); // closes the socket, so nothing is left hanging on it
      rejectExpired(error);
    }, timeoutMs);
    timers.add(timer);
    try {
      return await Promise.race([answer, expired]);
    } finally {
      clearTimeout(timer);
      timers.delete(timer);
    }
  };
  const request = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
    const response = await onServer(http.request({ ...req, signal }));
    return response.body ? { ...response, body: waitedOn(response.body, onServer) } : response;
  };
  const done = (): void => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  return { signal: controller.signal, expired, http: { request }, done };
}

/** The body with each wait for its next chunk bounded; the reader's own time is not counted. */
function waitedOn(body: AsyncIterableIterator<Uint8Array>, onServer: <T>(answer: Promise<T>) => Promise<T>): AsyncIterableIterator<Uint8Array> {
  const iterator: AsyncIterableIterator<Uint8Array> = {
    next: () => onServer(body.next()),
    return: async (value?: unknown) => (body.return ? body.return(value) : { done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
