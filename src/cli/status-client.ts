// How `essg status` and `essg rollout` read the reconciler's status API: with a bearer token
// (a GitHub token, whose login decides what it may see, or the status token), and with the
// reconciler's refusals said plainly.
import type { Command } from 'commander';
import { DEFAULT_STATUS_PORT } from '../report/http-server.ts';

export interface StatusClientOptions {
  url: string;
  token?: string;
}

export function statusClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the reconciler\'s status endpoint (env ESSG_STATUS_URL)', process.env.ESSG_STATUS_URL || `http://127.0.0.1:${DEFAULT_STATUS_PORT}`)
    .option('--token <token>', 'a GitHub token (you see what your login may see) or the status token; prefer the env: ESSG_STATUS_TOKEN, else GITHUB_TOKEN', process.env.ESSG_STATUS_TOKEN || process.env.GITHUB_TOKEN);
}

export function fetchStatus(options: StatusClientOptions, path: string, timeoutMs: number): Promise<Response> {
  const base = options.url.replace(/\/+$/, '');
  return fetch(`${base}${path}`, {
    headers: { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** What to tell the user when the reconciler did not answer 2xx. */
export async function refusal(response: Response, path: string): Promise<string> {
  const said = await response.json().then((b: { error?: string }) => b.error, () => undefined);
  if (response.status === 401) return 'the reconciler wants to know who you are: set ESSG_STATUS_TOKEN (or GITHUB_TOKEN) to a GitHub token or the status token, or give --token';
  if (response.status === 403) return `the reconciler refused: ${said ?? 'forbidden'}`;
  return `the reconciler answered HTTP ${response.status} for ${path}${said ? `: ${said}` : ''}`;
}
